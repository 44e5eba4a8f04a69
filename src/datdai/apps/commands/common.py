"""What every ``datdai`` command shares: the Typer application, the two consoles (results on
stdout, progress and errors on stderr), the ``--db`` option, the exit on bad input (code 2),
the store session, the progress bar and the table of counts. The command modules of this package
attach themselves to :data:`app`; :mod:`datdai.apps.cli` imports them all and runs it."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError

from datdai.db.engine import StoreError
from datdai.kernel.text import vn_int

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


ActorReadOption = Annotated[str | None, typer.Option(
    "--actor", help="Người xem, ghi vào nhật ký truy cập / who reads (default: the OS user).")]


def os_user() -> str:
    """The operating system's user name (who runs the command), or ``datdai``."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "datdai"


def log_cli_read(store, *, actor: str | None, action: str, resource: str, purpose: str,
                 subjects=(), on_failure: Callable[[], None] | None = None) -> None:
    """One access-log row for personal data a command prints or writes (Decree 13/2023), in its
    own transaction, committed before the data is shown: actor = ``--actor`` or the OS user,
    role ``dong_lenh``. Exits 2 if the row cannot be written (then nothing is shown;
    ``on_failure`` removes what was written)."""
    from datdai.access.access_log import CLI_ROLE, write_access_log

    try:
        with store.transaction() as conn:
            write_access_log(conn, username=actor or os_user(), role=CLI_ROLE, action=action,
                             resource=resource, purpose=purpose, subjects=[str(s) for s in subjects])
    except SQLAlchemyError as exc:
        if on_failure is not None:
            on_failure()
        fail(f"không ghi được nhật ký truy cập nên không hiển thị dữ liệu cá nhân / the access log "
             f"cannot be written, nothing shown: {type(exc).__name__}")


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]Lỗi / error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def open_store_or_fail(db: str | None):
    """The store at ``db`` (see :func:`datdai.db.store.open_store`), or exit 2 with why not."""
    from datdai.db.store import open_store

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


def figures_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]],
                  text_columns: Sequence[str] = ()) -> Table:
    """A table of figures whose numbers never break inside themselves at any terminal width
    ("1.16" over "4"): each figure column is at least as wide as its widest figure (headers fold);
    ``text_columns`` (names) fold freely."""
    from rich import box

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for j, h in enumerate(headers):
        text = h in text_columns
        widest = max((len(r[j]) for r in rows), default=1)
        table.add_column(h, justify="left" if text else "right", overflow="fold",
                         min_width=None if text else widest)
    for r in rows:
        table.add_row(*r)
    return table


def print_counts(title: str, counts: dict[str, int | str]) -> None:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(overflow="fold")
    table.add_column(overflow="fold")
    for key, value in counts.items():
        # a figure never breaks inside itself ("1.16" over "4"): kept whole; texts (paths) fold
        table.add_row(str(key), Text(vn_int(value), no_wrap=True) if isinstance(value, int) else str(value))
    out.print(table)


def serve_store(url: str, host: str, port: int, *, workers: int = 1, access_log: bool = True,
                dispatch: bool = True) -> None:
    """Serve the web app and the API on the store at ``url`` (``datdai serve``, ``datdai demo``);
    a store that cannot be opened, or a bad partner configuration, exits 2 here, once, before any
    worker starts."""
    from datdai.apps.web.serve import event_loop_and_parser, serve
    from datdai.dossiers.errors import InvalidInput
    from datdai.dossiers.partners import load_partners

    store = open_store_or_fail(url)
    display = store.display_url
    store.close()
    partners = {}
    if dispatch:
        try:
            partners = load_partners()
        except InvalidInput as exc:
            fail(str(exc))
    loop, http = event_loop_and_parser()
    err.print(f"Phục vụ tại / serving on http://{host}:{port} — cơ sở dữ liệu {display}, "
              f"{workers} tiến trình / workers, {loop} + {http}")
    if dispatch:
        err.print("Gửi tin nhắn đối tác / outbox: " + (", ".join(f"{n} → {c.describe()}" for n, c in partners.items())
                  or "chưa cấu hình đối tác nào, tin nhắn nằm chờ / no partner configured, messages wait"),
                  highlight=False)
    serve(url, host=host, port=port, workers=workers, access_log=access_log, dispatch=dispatch)
