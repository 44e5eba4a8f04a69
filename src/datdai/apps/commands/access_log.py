"""``datdai access-log verify``: check the access log's hash chain (auth/access_log.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from datdai.apps.commands.common import DbOption, app, err, open_store_or_fail, out, print_counts
from datdai.kernel.text import vn_int

access_log_app = typer.Typer(help="Nhật ký truy cập dữ liệu cá nhân / the personal data access log.",
                             no_args_is_help=True)
app.add_typer(access_log_app, name="access-log")

BROKEN_EXIT = 3  # the chain is broken: the log was edited, or rows deleted or inserted
SHOWN = 50


@access_log_app.command("verify")
def verify(
    db: DbOption = None,
    expect_head: Annotated[str | None, typer.Option(
        "--expect-head", help="Đầu chuỗi đã ghi lại trước đó, dạng SO_THU_TU:MA_BAM — báo nếu chuỗi không "
                              "còn chứa nó / a head written down earlier (SEQ:HASH).")] = None,
) -> None:
    """Kiểm tra chuỗi băm của nhật ký truy cập: báo dòng bị sửa, bị xóa, bị chèn (mã thoát 3) /
    verify the access log's hash chain (exit 3 when broken)."""
    from sqlalchemy import select

    from datdai.access.access_log import DELETED, KIND_TEXT, ChainProblem, verify_access_log
    from datdai.db.schema import access_log

    store = open_store_or_fail(db)
    try:
        with store.read() as conn:
            report = verify_access_log(conn)
            if expect_head:
                seq_text, _, hash_text = expect_head.partition(":")
                if not seq_text.isdigit() or len(hash_text) != 64:
                    err.print("[bold red]Lỗi / error:[/] --expect-head phải có dạng SO_THU_TU:MA_BAM "
                              "(64 ký tự hex)", highlight=False)
                    raise typer.Exit(2)
                found = conn.execute(select(access_log.c.row_hash, access_log.c.id)
                                     .where(access_log.c.seq == int(seq_text))).first()
                if found is None or found.row_hash != hash_text.lower():
                    report.problems.append(ChainProblem(
                        DELETED, int(seq_text), found.id if found else None,
                        "đầu chuỗi đã ghi lại không còn trong nhật ký: các dòng từ đó trở đi bị xóa hoặc "
                        "chuỗi bị viết lại / the recorded head is gone"))
    finally:
        store.close()
    print_counts("Nhật ký truy cập / access log", {
        "số dòng / rows": vn_int(report.rows),
        "trong chuỗi băm / chained": vn_int(report.chained),
        "ghi trước khi có chuỗi (0009) / before the chain": vn_int(report.before_chain),
    })
    out.print(f"Đầu chuỗi / head: {report.head_seq}:{report.head_hash}", highlight=False, soft_wrap=True)
    if report.ok:
        out.print("Chuỗi băm nguyên vẹn / the chain is intact. Ghi lại đầu chuỗi ở nơi khác để phát hiện "
                  "việc xóa các dòng mới nhất / write the head down elsewhere.", highlight=False)
        return
    err.print(f"[bold red]Nhật ký truy cập đã bị can thiệp / the access log was tampered with:[/] "
              f"{vn_int(len(report.problems))} vấn đề / problems", highlight=False)
    for p in report.problems[:SHOWN]:
        where = f"dòng số {p.seq}" if p.seq is not None else "ngoài chuỗi"
        err.print(f"  - {KIND_TEXT[p.kind]}: {where} (id {p.log_id if p.log_id is not None else '?'}): "
                  f"{p.detail}", highlight=False, markup=False)
    if len(report.problems) > SHOWN:
        err.print(f"  … và {vn_int(len(report.problems) - SHOWN)} vấn đề khác / more", highlight=False)
    raise typer.Exit(BROKEN_EXIT)
