"""`datdai …` commands (spec/cli.md). Progress goes to stderr, the result summary to stdout.

Exit codes: 0 success, 2 bad input or usage (the message names what is wrong), 1 internal error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from datdai.domain.text import vn_int
from datdai.ingest.errors import DeliveryError
from datdai.store.db import StoreError

if TYPE_CHECKING:
    from sqlalchemy import Connection

app = typer.Typer(
    help="datdai — cơ sở dữ liệu đất đai cho Văn phòng Đăng ký đất đai (Đề án 06) / land data platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Quản trị cơ sở dữ liệu / database administration.", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)  # messages name paths: never break them

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="URL SQLAlchemy hoặc đường dẫn tệp SQLite (mặc định: biến DATDAI_DB)."),
]


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]Lỗi / error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def open_store_or_fail(db: str | None):
    """The store at ``db`` (see :func:`datdai.store.store.open_store`), or exit 2 with why not."""
    from datdai.store.store import open_store

    try:
        return open_store(db)
    except StoreError as exc:
        fail(str(exc))


@contextmanager
def store_session(db: str | None, *, write: bool = False,
                  errors: type[Exception] | tuple[type[Exception], ...] = ()) -> Iterator[Connection]:
    """A connection to the store at ``db`` — one transaction when ``write``, else a read — and the
    store closed afterwards. ``errors`` raised inside (refusals of the domain: a wrong state, a
    missing record) roll the transaction back and exit 2 with their message."""
    store = open_store_or_fail(db)
    try:
        with store.transaction() if write else store.read() as conn:
            yield conn
    except errors as exc:
        fail(str(exc))
    finally:
        store.close()


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr; yields ``update(step, done, total)``."""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True, disable=not err.is_terminal,
    ) as progress:
        tasks: dict[str, int] = {}

        def update(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(step, total=total)
            progress.update(tasks[step], completed=done, total=total)

        yield update


def print_counts(title: str, counts: dict[str, int | str]) -> None:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(overflow="fold")
    table.add_column(overflow="fold")
    for key, value in counts.items():
        table.add_row(str(key), vn_int(value) if isinstance(value, int) else str(value))
    out.print(table)


@app.command()
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Thư mục ghi kết quả / output folder.")],
    parcels: Annotated[int, typer.Option(min=10, max=5_000_000, help="Số thửa đất / number of parcels.")] = 20000,
    seed: Annotated[int, typer.Option(help="Hạt giống ngẫu nhiên / random seed.")] = 1,
    province: Annotated[str, typer.Option(help="Tỉnh (tên cũ) / old province name.")] = "Bình Phước",
) -> None:
    """Sinh một tỉnh giả lập có nhiễu và đáp án / write a synthetic province with ground truth."""
    from datdai import synth as synth_mod

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"không tạo được thư mục '{out_dir}': {exc.strerror}")
    with progress_bar() as update:
        try:
            summary = synth_mod.run(out_dir, parcels=parcels, seed=seed, province=province, progress=update)
        except ValueError as exc:
            fail(str(exc))
    print_counts(f"Đã sinh dữ liệu giả lập vào {out_dir} / synthetic data written", summary.counts)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Áp dụng các bản nâng cấp lược đồ / apply schema migrations."""
    from datdai.store import migrate
    from datdai.store.db import make_engine, redact, resolve_url

    url = resolve_url(db)
    engine = make_engine(url, create=True)
    try:
        before = migrate.check_known_revision(engine)
        after = migrate.upgrade(engine)
    finally:
        engine.dispose()
    out.print(f"{redact(url)}: {before or '(trống / empty)'} → {after}")


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
    from datdai.demo import run_demo

    with progress_bar() as update:
        result = run_demo(parcels=parcels, seed=seed, db=db, progress=update)
    print_counts("datdai demo", result.counts)
    if not no_serve:
        _serve(result.store_url, host, port)


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
) -> None:
    """Chạy ứng dụng web và API / serve the web app and API."""
    from datdai.store.db import resolve_url

    _serve(resolve_url(db), host, port, workers=workers, access_log=access_log)


def _serve(url: str, host: str, port: int, *, workers: int = 1, access_log: bool = True) -> None:
    from datdai.web.serve import event_loop_and_parser, serve

    store = open_store_or_fail(url)  # fail here, once, rather than in every worker
    display = store.display_url
    store.close()
    loop, http = event_loop_and_parser()
    err.print(f"Phục vụ tại / serving on http://{host}:{port} — cơ sở dữ liệu {display}, "
              f"{workers} tiến trình / workers, {loop} + {http}")
    serve(url, host=host, port=port, workers=workers, access_log=access_log)


def _register_commands() -> None:
    """Commands of other areas live in ``datdai.commands.*`` and attach themselves to ``app``."""
    import importlib
    import pkgutil

    import datdai.commands as commands

    for info in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"datdai.commands.{info.name}")


_register_commands()


def main() -> None:
    try:
        app(standalone_mode=True)
    except (StoreError, DeliveryError) as exc:
        err.print(f"[bold red]Lỗi / error:[/] {exc}", highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
