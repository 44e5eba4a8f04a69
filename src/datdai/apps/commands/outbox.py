"""``datdai outbox …``: the messages to partners (tax, notaries, citizens): list them, send them
(``chay``: the dispatcher as a separate worker), put a given-up one back in the queue."""

from __future__ import annotations

import datetime as dt
import signal
import threading
from typing import Annotated

import typer

from datdai.apps.commands.common import (
    DbOption,
    app,
    err,
    fail,
    open_store_or_fail,
    out,
    store_session,
)
from datdai.kernel.text import vn_int

outbox_app = typer.Typer(help="Hộp thư đi: tin nhắn gửi đối tác (thuế, công chứng, công dân) / the outbox.",
                         invoke_without_command=True)
app.add_typer(outbox_app, name="outbox")

STATUSES = ("CHO_GUI", "DA_GUI", "LOI")


def _when(value: dt.datetime | None) -> str:
    from datdai.dossiers.lifecycle import VN_TZ

    return value.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") if value is not None else "—"


@outbox_app.callback()
def list_(
    ctx: typer.Context,
    db: DbOption = None,
    status: Annotated[str | None, typer.Option("--trang-thai", help="CHO_GUI, DA_GUI hoặc LOI.")] = None,
    partner: Annotated[str | None, typer.Option("--doi-tac", help="THUE, CONG_CHUNG, EMAIL, SMS…")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Số dòng tối đa / max rows.")] = 50,
) -> None:
    """Liệt kê tin nhắn trong hộp thư đi (mới nhất trước) / list the outbox (newest first)."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table

    from datdai.dossiers import outbox as ob
    from datdai.dossiers.errors import InvalidInput
    from datdai.dossiers.partners import load_partners

    if status is not None and status not in STATUSES:
        fail(f"trạng thái không hợp lệ '{status}' ({', '.join(STATUSES)})")
    with store_session(db) as conn:
        rows = ob.messages(conn, status=status, partner=partner.upper() if partner else None)
    counts = {s: sum(1 for m in rows if m.status == s) for s in STATUSES}
    table = Table(title=f"Hộp thư đi / outbox ({vn_int(len(rows))}: " + ", ".join(
        f"{s} {vn_int(n)}" for s, n in counts.items()) + ")", title_justify="left")
    for col in ("#", "Đối tác", "Chủ đề", "Khóa", "Trạng thái", "Lần gửi", "Gửi lúc / lần tới", "Lỗi gần nhất"):
        table.add_column(col, overflow="fold")
    for m in sorted(rows, key=lambda m: -m.id)[:limit]:
        when = _when(m.sent_at) if m.status == ob.Status.SENT else _when(m.next_attempt_at)
        table.add_row(str(m.id), m.partner, m.topic, m.idempotency_key, m.status, str(m.attempts), when,
                      m.last_error or "")
    out.print(table)
    try:
        configured = load_partners()
    except InvalidInput as exc:
        fail(str(exc))
    waiting = sorted({m.partner for m in rows if m.status == ob.Status.PENDING} - set(configured))
    if waiting:
        err.print(f"[yellow]Chưa cấu hình đối tác / no endpoint for:[/] {', '.join(waiting)} — tin nhắn của họ "
                  "nằm chờ (DATDAI_PARTNERS, DATDAI_PARTNER_<TEN>_URL; xem docs/cli.md)", highlight=False)


@outbox_app.command("chay")
def run_(
    db: DbOption = None,
    partners: Annotated[str | None, typer.Option(
        "--partners", help="Tệp TOML cấu hình đối tác (mặc định: biến DATDAI_PARTNERS) / partners file.")] = None,
    once: Annotated[bool, typer.Option("--once", help="Gửi những gì đến hạn rồi dừng / send what is due, then stop.")
                    ] = False,
    interval: Annotated[float, typer.Option("--interval", min=0.05, help="Giây giữa các lượt / seconds between rounds.")
                        ] = 5.0,
    lease: Annotated[float, typer.Option(
        "--lease", min=1.0, help="Giây giữ một tin nhắn khi gửi (> 2 × thời gian chờ của đối tác) / "
        "seconds a message is held while sent.")] = 300.0,
    max_attempts: Annotated[int, typer.Option("--max-attempts", min=1, help="Số lần gửi trước khi bỏ (LOI).")] = 8,
    base_delay: Annotated[float, typer.Option("--base-delay", min=0.0, help="Giây chờ sau lần lỗi đầu (gấp đôi mỗi lần).")
                          ] = 60.0,
) -> None:
    """Chạy bộ gửi tin nhắn đối tác (tiến trình riêng) / run the outbox dispatcher as a worker."""
    from datdai.dossiers import outbox_worker as ow
    from datdai.dossiers.errors import InvalidInput
    from datdai.dossiers.partners import load_partners
    from datdai.dossiers.senders import close_senders, senders_for

    lease_td = dt.timedelta(seconds=lease)
    try:
        configs = load_partners(partners)
        ow.check_lease(configs, lease_td)
    except InvalidInput as exc:
        fail(str(exc))
    if not configs:
        fail("chưa cấu hình đối tác nào: cho tệp --partners hoặc DATDAI_PARTNERS, DATDAI_PARTNER_<TEN>_URL / "
             "no partner configured")
    store = open_store_or_fail(db)
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    senders = senders_for(configs)
    err.print("Gửi tin nhắn / dispatching: " + ", ".join(f"{c.name} → {c.describe()}" for c in configs.values()),
              highlight=False)

    def said(report) -> None:
        for key in report.sent:
            err.print(f"đã gửi / sent {key}", highlight=False)
        for key in report.retried:
            err.print(f"[yellow]lỗi, gửi lại sau / failed, will retry[/] {key}", highlight=False)
        for key in report.dead:
            err.print(f"[red]bỏ sau nhiều lần lỗi (LOI) / dead letter[/] {key}", highlight=False)

    try:
        total = ow.run(store, senders, stop=stop, once=once, interval=interval, lease=lease_td,
                       max_attempts=max_attempts, base_delay=dt.timedelta(seconds=base_delay), on_round=said)
    finally:
        close_senders(senders)
        store.close()
    out.print(f"Đã gửi / sent {vn_int(len(total.sent))}, lỗi chờ gửi lại / retried {vn_int(len(total.retried))}, "
              f"bỏ / dead {vn_int(len(total.dead))}")


@outbox_app.command("gui-lai")
def requeue_(
    message_id: Annotated[int, typer.Argument(help="Số tin nhắn (cột #) / message id.")],
    db: DbOption = None,
) -> None:
    """Đưa tin nhắn bị bỏ (LOI) trở lại hàng gửi / requeue a dead letter."""
    from datdai.dossiers import outbox as ob
    from datdai.dossiers.errors import Conflict, NotFound

    with store_session(db, write=True, errors=(Conflict, NotFound)) as conn:
        m = ob.requeue(conn, message_id)
    out.print(f"Tin nhắn #{m.id} ({m.idempotency_key}) trở lại hàng gửi / requeued")
