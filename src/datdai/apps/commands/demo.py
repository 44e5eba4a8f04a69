"""``datdai demo``: a synthetic province built into a store, then served. An existing demo
(``./datdai-demo``) is kept and only served again, unless ``--moi`` asks for a new one."""

from __future__ import annotations

from typing import Annotated

import typer

from datdai.apps.commands.common import (
    DbOption,
    app,
    err,
    out,
    print_counts,
    progress_bar,
    serve_store,
)


def print_demo_accounts(url: str) -> None:
    """The accounts a newcomer logs in with, at the end of the console output."""
    from rich.table import Table

    from datdai.access.demo import DEMO_PASSWORD, demo_logins
    from datdai.db.store import open_store

    store = open_store(url)
    try:
        with store.read() as conn:
            accounts = demo_logins(conn)
    finally:
        store.close()
    if not accounts:
        return
    table = Table(title=f"Tài khoản trình diễn / demo accounts — mật khẩu / password: {DEMO_PASSWORD}",
                  title_justify="left")
    table.add_column("Tên đăng nhập / username", no_wrap=True)
    table.add_column("Vai trò / role", overflow="fold")
    for username, _role, display in accounts:
        table.add_row(username, display)
    out.print(table)


@app.command()
def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Không chạy máy chủ web / do not serve.")] = False,
    parcels: Annotated[int, typer.Option(min=10, max=5_000_000, help="Số thửa đất / parcels.")] = 20000,
    db: DbOption = None,
    seed: Annotated[int, typer.Option(help="Hạt giống ngẫu nhiên / random seed.")] = 1,
    host: Annotated[str, typer.Option(help="Địa chỉ máy chủ / host.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Cổng / port.")] = 8000,
    new: Annotated[bool, typer.Option("--moi", "--new", help="Dựng lại bản trình diễn từ đầu (xóa bản cũ trong "
                                                            "./datdai-demo) / rebuild the demo.")] = False,
) -> None:
    """Dựng một tỉnh giả lập, nạp vào cơ sở dữ liệu rồi phục vụ ứng dụng web; bản trình diễn đã có thì
    chỉ phục vụ lại / the demo (an existing one is served again)."""
    from datdai.apps.demo import DEMO_DIR, existing_demo, run_demo

    url = None if (new or db is not None) else existing_demo(DEMO_DIR)
    if url is not None:
        err.print(f"Dùng lại bản trình diễn đã có trong {DEMO_DIR} (dựng lại: datdai demo --moi) / reusing the "
                  "existing demo (rebuild with --moi)", highlight=False)
    else:
        try:
            with progress_bar() as update:
                result = run_demo(parcels=parcels, seed=seed, db=db, progress=update)
        except KeyboardInterrupt:
            err.print("Đã dừng: bản trình diễn chưa dựng xong, chạy lại `datdai demo --moi` / interrupted: the "
                      "demo is incomplete, run `datdai demo --moi` again", highlight=False)
            raise typer.Exit(130) from None
        print_counts("datdai demo", result.counts)
        url = result.store_url
    print_demo_accounts(url)
    if not no_serve:
        serve_store(url, host, port)
