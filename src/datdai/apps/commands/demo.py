"""``datdai demo``: a synthetic province built into a store, then served."""

from __future__ import annotations

from typing import Annotated

import typer

from datdai.apps.commands.common import DbOption, app, print_counts, progress_bar, serve_store


@app.command()
def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Không chạy máy chủ web / do not serve.")] = False,
    parcels: Annotated[int, typer.Option(min=10, max=5_000_000, help="Số thửa đất / parcels.")] = 20000,
    db: DbOption = None,
    seed: Annotated[int, typer.Option(help="Hạt giống ngẫu nhiên / random seed.")] = 1,
    host: Annotated[str, typer.Option(help="Địa chỉ máy chủ / host.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Cổng / port.")] = 8000,
) -> None:
    """Dựng một tỉnh giả lập, nạp vào cơ sở dữ liệu rồi phục vụ ứng dụng web / the demo."""
    from datdai.apps.demo import run_demo

    with progress_bar() as update:
        result = run_demo(parcels=parcels, seed=seed, db=db, progress=update)
    print_counts("datdai demo", result.counts)
    if not no_serve:
        serve_store(result.store_url, host, port)
