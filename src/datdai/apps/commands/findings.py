"""``datdai findings …``: the review queue of the quality findings stored in the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from datdai.access.masking import mask_id_numbers
from datdai.apps.commands.common import (
    ActorReadOption,
    DbOption,
    app,
    fail,
    figures_table,
    log_cli_read,
    open_store_or_fail,
    out,
    store_session,
)
from datdai.kernel.errors import DatdaiError
from datdai.kernel.text import vn_decimals_in, vn_int, vn_percent

findings_app = typer.Typer(help="Các phát hiện kiểm tra chất lượng / quality findings.",
                           no_args_is_help=True)
app.add_typer(findings_app, name="findings")

ActorOption = Annotated[str, typer.Option("--actor", help="Người thực hiện / who decides.")]


@findings_app.command("list")
def list_(
    db: DbOption = None,
    commune: Annotated[str | None, typer.Option("--commune", help="Mã xã / commune code.")] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Mã quy tắc, ví dụ AREA_MISMATCH.")] = None,
    status: Annotated[str | None, typer.Option(
        "--status", help="MO, TU_SUA, DA_SUA, CHAP_NHAN, BAC_BO.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Số dòng tối đa (mặc định 50; với --xlsx: "
                                                                      "tất cả) / max rows.")] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Ghi ra tệp Excel có cột quyết định (nạp lại bằng "
                                                             "`findings decide --from`) / write an XLSX.")] = None,
    actor: ActorReadOption = None,
) -> None:
    """Liệt kê phát hiện (số giấy tờ được che; ghi nhật ký truy cập) / list findings (ID numbers
    masked; access-logged)."""
    from rich.table import Table

    from datdai.access import purposes
    from datdai.cleaning.findings import Status
    from datdai.cleaning.store_findings import list_findings

    if status is not None and status not in {x.value for x in Status}:
        fail(f"trạng thái không hợp lệ '{status}' (MO, TU_SUA, DA_SUA, CHAP_NHAN, BAC_BO)")
    store = open_store_or_fail(db)
    try:
        with store.read() as conn:
            rows = list_findings(conn, commune_code=commune, rule_code=rule.upper() if rule else None,
                                 status=status, limit=limit or (None if xlsx else 50))
        log_cli_read(store, actor=actor, action="xem phát hiện chất lượng dữ liệu (dòng lệnh)",
                     resource=f"cli: findings list xa={commune or '*'} quy_tac={rule or '*'} "
                              f"trang_thai={status or '*'} limit={limit}" + (f" xlsx={xlsx}" if xlsx else ""),
                     purpose=purposes.FINDINGS,
                     subjects=sorted({str(r.party_id) for r in rows if r.party_id is not None}))
    finally:
        store.close()
    if xlsx is not None:
        from datdai.reporting.office_sheets import write_findings

        n = write_findings(xlsx, rows)
        out.print(f"Đã ghi {vn_int(n)} phát hiện vào {xlsx} / findings written", highlight=False)
        return
    table = Table(title=f"Phát hiện / findings ({len(rows)})", title_justify="left")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Xã/tờ/thửa", no_wrap=True)
    table.add_column("Quy tắc · mức · trạng thái", no_wrap=True)
    table.add_column("Mô tả → đề xuất", overflow="fold", ratio=1)
    for r in rows:
        text = vn_decimals_in(mask_id_numbers(r.message)) or ""
        if r.proposed_fix:
            text += f" → {vn_decimals_in(mask_id_numbers(r.proposed_fix))}"
        table.add_row(str(r.id), f"{r.commune_code or '?'}/{r.sheet_no or '?'}/{r.parcel_no or '?'}",
                      f"{r.rule_code}\n{r.severity} · {r.status}", text)
    out.print(table)


@findings_app.command("status")
def status_(
    finding_id: Annotated[int, typer.Argument(help="Số phát hiện / finding id.")],
    status: Annotated[str, typer.Argument(help="DA_SUA, CHAP_NHAN, BAC_BO hoặc MO.")],
    db: DbOption = None,
    note: Annotated[str | None, typer.Option("--note", help="Ghi chú, lý do / note.")] = None,
    value: Annotated[str | None, typer.Option(
        "--value", help="Giá trị đúng, ghi vào dữ liệu qua nhật ký (chỉ với DA_SUA) / corrected value.")] = None,
    actor: ActorOption = "datdai",
) -> None:
    """Ghi quyết định xử lý một phát hiện / record a decision on a finding."""
    from datdai.cleaning.store_findings import FindingError, set_status

    with store_session(db, write=True, errors=FindingError) as conn:
        batch = set_status(conn, finding_id, status.upper(), actor=actor, note=note, value=value)
    extra = f"; giá trị ghi qua nhật ký, lô #{batch}" if batch else ""
    out.print(f"Phát hiện #{finding_id} → {status.upper()}{extra}", highlight=False)


@findings_app.command("decide")
def decide(
    source: Annotated[Path, typer.Option("--from", help="Tệp Excel xuất bởi `findings list --xlsx`, đã điền cột "
                                                        "quyet_dinh / the filled findings workbook.")],
    db: DbOption = None,
    actor: ActorOption = "datdai",
) -> None:
    """Áp dụng hàng loạt quyết định từ tệp Excel (qua nhật ký) / apply the decisions of a workbook."""
    from rich.table import Table

    from datdai.reporting.office_sheets import apply_decisions

    with store_session(db, write=True, errors=DatdaiError) as conn:
        result = apply_decisions(conn, source, actor=actor)
    if not result.outcomes:
        out.print("Tệp không có dòng nào điền quyết định / no decision in the workbook; không thay đổi gì",
                  highlight=False)
        return
    table = Table(title=f"Quyết định từ {source.name}: {vn_int(result.applied)} áp dụng, "
                        f"{vn_int(result.refused)} từ chối", title_justify="left")
    table.add_column("Dòng", justify="right", no_wrap=True)
    table.add_column("Phát hiện", justify="right", no_wrap=True)
    table.add_column("Quyết định", no_wrap=True)
    table.add_column("Kết quả", overflow="fold")
    for o in result.outcomes:
        table.add_row(str(o.row), f"#{o.finding_id}" if o.finding_id else "—", o.decision,
                      ("[green]áp dụng[/]: " if o.applied else "[red]từ chối[/]: ") + o.message)
    out.print(table)


@findings_app.command("undo-fixes")
def undo_fixes(
    run_id: Annotated[int, typer.Argument(help="Số lần kiểm tra / quality run id.")],
    db: DbOption = None,
    reason: Annotated[str, typer.Option("--reason", help="Lý do hoàn tác / why.")] = "hoàn tác sửa tự động",
    actor: ActorOption = "datdai",
) -> None:
    """Hoàn tác các sửa tự động của một lần kiểm tra / revert a run's automatic fixes."""
    from datdai.cleaning.store_findings import FindingError, undo_auto_fixes
    from datdai.db.audit import AuditError

    with store_session(db, write=True, errors=(FindingError, AuditError)) as conn:
        n = undo_auto_fixes(conn, run_id, actor=actor, reason=reason)
    out.print(f"Đã hoàn tác sửa tự động của lần kiểm tra #{run_id}: {vn_int(n)} phát hiện mở lại"
              " / automatic fixes reverted, findings reopened", highlight=False)


@findings_app.command("progress")
def progress(
    db: DbOption = None,
    commune: Annotated[str | None, typer.Option("--commune", help="Mã xã / commune code.")] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Ghi ra tệp Excel / write an XLSX.")] = None,
) -> None:
    """Tiến độ làm sạch theo xã / cleaning progress per commune."""

    from datdai.cleaning.findings import Status
    from datdai.cleaning.store_progress import commune_progress

    with store_session(db) as conn:
        figures = commune_progress(conn, commune)
    if xlsx is not None:
        from datdai.reporting.office_sheets import write_cleaning_progress

        n = write_cleaning_progress(xlsx, figures)
        out.print(f"Đã ghi tiến độ {vn_int(n)} xã vào {xlsx} / progress written", highlight=False)
        return
    rows = [[c.commune_code, vn_int(c.parcels), vn_int(c.parcels_checked), vn_int(c.count()),
             vn_int(c.count(Status.OPEN)), vn_int(c.auto_fixed), vn_int(c.count(Status.FIXED)),
             vn_int(c.count(Status.ACCEPTED)), vn_int(c.count(Status.DISMISSED)), vn_int(c.parcels_open_errors),
             vn_percent(c.clean_pct)] for c in figures]
    table = figures_table("Tiến độ làm sạch theo xã / cleaning progress", (
        "Mã xã", "Số thửa", "Đã kiểm\ntra", "Phát\nhiện", "Chờ\nxử lý", "Tự sửa", "Đã sửa", "Chấp\nnhận",
        "Bác bỏ", "Thửa\ncòn lỗi", "Tỷ lệ\nsạch"), rows)
    out.print(table)
    if not figures:
        out.print("Chưa có dữ liệu / no data yet")
