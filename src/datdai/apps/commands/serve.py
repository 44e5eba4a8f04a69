"""``datdai serve``: the web app and the API (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from datdai.apps.commands.common import DbOption, app, serve_store


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Địa chỉ máy chủ / host.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Cổng / port.")] = 8000,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Số tiến trình uvicorn, mỗi tiến trình mở cơ sở dữ liệu riêng / "
        "uvicorn worker processes, each with its own store connection.")] = 1,
    access_log: Annotated[bool, typer.Option(
        "--access-log/--no-access-log",
        help="Ghi nhật ký từng yêu cầu HTTP ra màn hình / log every HTTP request to the console "
        "(the personal-data access log is always written).")] = True,
    dispatch: Annotated[bool, typer.Option(
        "--dispatch/--no-dispatch",
        help="Mỗi tiến trình gửi tin nhắn đối tác trong hộp thư đi (tắt khi chạy riêng `datdai outbox chay`) / "
        "each worker sends the outbox (turn off when `datdai outbox chay` runs).")] = True,
) -> None:
    """Chạy ứng dụng web và API / serve the web app and API."""
    from datdai.db.engine import resolve_url

    serve_store(resolve_url(db), host, port, workers=workers, access_log=access_log, dispatch=dispatch)
