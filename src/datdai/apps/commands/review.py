"""``datdai doi-soat …``: reconciliation results in the store — record, review, apply, undo, progress."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from datdai.apps.commands.common import (
    DbOption,
    app,
    err,
    fail,
    figures_table,
    log_cli_read,
    open_store_or_fail,
    out,
    print_counts,
    progress_bar,
    store_session,
)
from datdai.cleaning.readers.errors import DeliveryError
from datdai.db.engine import StoreError
from datdai.kernel.text import vn_int, vn_number, vn_percent

review_app = typer.Typer(
    help="Đối soát với CSDL quốc gia về dân cư: nạp kết quả, xác minh, áp dụng, tiến độ / "
         "reconciliation with the population register: record results, review, apply, progress.",
    no_args_is_help=True)
app.add_typer(review_app, name="doi-soat")

ActorOption = Annotated[str, typer.Option("--nguoi", "--actor", help="Người thực hiện / who acts.")]


def _errors():
    from datdai.db.audit import AuditError
    from datdai.matching.reconcile_results import ReconcileError

    return (ReconcileError, AuditError, DeliveryError, StoreError)


def _apply_counts(a) -> dict[str, int]:
    return {"đã cập nhật / applied": a.applied, "không đổi / unchanged": a.unchanged,
            "chuyển xác minh (xung đột) / sent to review": a.conflicts,
            "bỏ qua (tổ chức) / skipped": a.skipped, "người sử dụng đất thay đổi / parties changed":
            a.parties_changed, "giấy tờ CCCD thêm / CCCD documents added": a.documents_added,
            "lô nhật ký / audit batch": a.batch_id or 0}


@review_app.command("nap-ket-qua")
def record(
    result: Annotated[Path, typer.Option("--result", help="Tệp ket_qua_doi_soat.csv / result file.")],
    export_id: Annotated[int, typer.Option("--export", help="Mã lần xuất chủ sử dụng (datdai export-c06) / "
                                                            "export id.")],
    db: DbOption = None,
    c06: Annotated[bool, typer.Option("--c06", help="Kết quả do C06 trả về: nạp và áp dụng ngay / "
                                                     "returned by C06: record and apply.")] = False,
    actor: ActorOption = "datdai",
) -> None:
    """Nạp tệp kết quả đối soát vào cơ sở dữ liệu / record a reconciliation result file."""
    from datdai.matching.reconcile_apply import import_c06_results
    from datdai.matching.reconcile_results import record_result, run_counts

    store = open_store_or_fail(db)
    applied = None
    try:
        with store.transaction() as conn:
            if c06:
                run_id, applied = import_c06_results(conn, result, export_id=export_id, actor=actor)
            else:
                run_id = record_result(conn, result, export_id=export_id, source="DATDAI", actor=actor)
            counts = run_counts(conn, run_id)
    except _errors() as exc:
        fail(str(exc))
    finally:
        store.close()
    figures: dict[str, int] = {"lần đối soát / run": run_id, "số dòng / rows": counts.get("rows", 0),
                               "KHOP": counts.get("KHOP", 0), "CAN_XAC_MINH": counts.get("CAN_XAC_MINH", 0),
                               "KHONG_KHOP": counts.get("KHONG_KHOP", 0)}
    if applied is not None:
        figures.update(_apply_counts(applied))
    print_counts(f"Đã nạp kết quả đối soát / results recorded ← {result}", figures)


@review_app.command("hang-doi")
def queue(
    db: DbOption = None,
    run_id: Annotated[int | None, typer.Option("--run", help="Lần đối soát / run id.")] = None,
    commune: Annotated[str | None, typer.Option("--commune", help="Mã xã / commune code.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Số trường hợp tối đa (mặc định 20; với "
                                                                      "--xlsx: tất cả) / max cases.")] = None,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Bỏ qua / skip.")] = 0,
    show: Annotated[bool, typer.Option("--hien-so", help="Hiện đầy đủ số định danh và ngày sinh (dữ liệu cá "
                                                         "nhân) / show full numbers and dates.")] = False,
    reader: Annotated[str | None, typer.Option(
        "--nguoi", "--actor", help="Người xem, ghi vào nhật ký truy cập / who reads (default: the OS "
                                   "user).")] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Ghi ra tệp Excel (một dòng mỗi ứng viên) / write "
                                                             "an XLSX.")] = None,
) -> None:
    """Hàng đợi xác minh: hồ sơ đất đai bên cạnh các ứng viên dân cư (che số; ghi nhật ký truy
    cập) / the review queue (access-logged)."""
    from rich.table import Table

    from datdai.access import purposes
    from datdai.matching.reconcile_review import review_queue

    store = open_store_or_fail(db)
    try:
        with store.read() as conn:
            cases = review_queue(conn, run_id=run_id, commune_code=commune, limit=limit or (None if xlsx else 20),
                                 offset=offset, mask=not show)
        if cases:
            subjects = {str(c.land.party_id) for c in cases if c.land.party_id is not None}
            if show:  # the full numbers shown are personal data read too
                subjects |= {x.so_dinh_danh for c in cases for x in c.candidates if x.so_dinh_danh}
            log_cli_read(store, actor=reader,
                         action="xem hàng đợi đối soát (dòng lệnh" + (", số đầy đủ)" if show else ")"),
                         resource=f"cli: doi-soat hang-doi lan={run_id or '*'} xa={commune or '*'} "
                                  f"limit={limit} offset={offset}" + (f" xlsx={xlsx}" if xlsx else ""),
                         purpose=purposes.RECONCILE, subjects=sorted(subjects))
    finally:
        store.close()
    if xlsx is not None:
        from datdai.reporting.office_sheets import write_review_queue

        n = write_review_queue(xlsx, cases)
        out.print(f"Đã ghi {vn_int(len(cases))} trường hợp ({vn_int(n)} dòng) vào {xlsx} / queue written",
                  highlight=False)
        return
    if not cases:
        out.print("Không có trường hợp chờ xác minh / no open cases")
        return
    for c in cases:
        land = c.land
        docs = ", ".join(f"{t or '?'} {n}" for t, n in land.documents) or "—"
        title = (f"Kết quả #{c.result_id} · {c.ma_dong} · lần #{c.run_id} · {c.status}"
                 f"{' · ' + c.decision if c.decision else ''} · điểm {vn_number(c.diem, 4) if c.diem is not None else '—'}"
                 f" · lý do: {', '.join(c.reasons) or '—'}")
        if c.review_reason:
            title += f"\n{c.review_reason}"
        table = Table(title=title, title_justify="left")
        table.add_column("", no_wrap=True)
        table.add_column("Hồ sơ đất đai / land record", overflow="fold")
        for cand in c.candidates:
            table.add_column(f"Ứng viên {cand.rank} / candidate {cand.rank}", overflow="fold")

        def cells(get, land_value, cands=c.candidates):
            return [land_value, *[(get(x) or "—") if x.found else "(không có trong CSDL dân cư / not in "
                                  "the extract)" for x in cands]]

        table.add_row("Số định danh", land.personal_number or "—", *[x.so_dinh_danh for x in c.candidates])
        table.add_row("Họ tên", *cells(lambda x: x.ho_ten, land.full_name or "—"))
        table.add_row("Ngày sinh", *cells(lambda x: x.ngay_sinh, land.birth or "—"))
        table.add_row("Giới tính", *cells(lambda x: x.gioi_tinh, land.gender or "—"))
        table.add_row("Giấy tờ / CMND", *cells(lambda x: x.so_cmnd, docs))
        table.add_row("Địa chỉ / thường trú", *cells(lambda x: x.thuong_tru, land.address or "—"))
        table.add_row("Nơi ở hiện tại", *cells(lambda x: x.noi_o_hien_tai, ""))
        table.add_row("Thửa (xã/tờ/thửa)", f"{land.commune_code or '?'}/{land.sheet_no or '?'}/"
                      f"{land.parcel_no or '?'}", *["" for _ in c.candidates])
        _evidence_rows(table, c.candidates)
        out.print(table)
    out.print(f"Quyết định / decide: datdai doi-soat quyet-dinh KET_QUA --chon 1|SO --ly-do … --nguoi …"
              f" ({len(cases)} trường hợp / cases)", highlight=False)


def _evidence_rows(table, candidates) -> None:
    """Why each candidate was proposed: per field, the level reached and its bits; then the
    total and the probability (results returned by C06 carry none)."""
    from datdai.kernel.text import vn_number, vn_percent
    from datdai.matching.explain import describe

    described = [describe(x.evidence) for x in candidates]
    if not any(described):
        return
    for k, name in enumerate(e.field for e in next(d for d in described if d)):
        table.add_row(f"· {name} (bit)", "",
                      *[f"{d[k].level} {d[k].bits_text}" if d else "—" for d in described])
    table.add_row("Tổng điểm (bit)", "", *[
        vn_number(x.evidence.get("trong_so"), 1) if x.evidence else "—" for x in candidates])
    table.add_row("Xác suất là người này", "", *[
        vn_percent(100 * x.evidence["xac_suat"], 1)
        if x.evidence and x.evidence.get("xac_suat") is not None else "—" for x in candidates])


@review_app.command("quyet-dinh")
def decide_(
    result_id: Annotated[int, typer.Argument(help="Số kết quả / result id.")],
    db: DbOption = None,
    chon: Annotated[str | None, typer.Option("--chon", help="Chọn ứng viên: thứ tự (1, 2, …) hoặc số định "
                                                            "danh / choose a candidate.")] = None,
    khong_khop: Annotated[bool, typer.Option("--khong-khop", help="Không ứng viên nào đúng / none.")] = False,
    hoan: Annotated[bool, typer.Option("--hoan", help="Hoãn quyết định / postpone.")] = False,
    reason: Annotated[str | None, typer.Option("--ly-do", help="Lý do (bắt buộc) / reason (required).")] = None,
    actor: ActorOption = "datdai",
) -> None:
    """Ghi quyết định xác minh một trường hợp / record a decision on a case."""
    from datdai.matching.reconcile_review import decide

    given = [x for x in (chon is not None, khong_khop, hoan) if x]
    if len(given) != 1:
        fail("cần đúng một trong --chon, --khong-khop, --hoan / give exactly one of --chon, --khong-khop, --hoan")
    if not reason or not reason.strip():
        fail("cần --ly-do / a reason (--ly-do) is required")
    decision = "CHON" if chon is not None else "KHONG_KHOP" if khong_khop else "HOAN"
    with store_session(db, write=True, errors=_errors()) as conn:
        status = decide(conn, result_id, decision=decision, chosen_number=chon, reason=reason, actor=actor)
    out.print(f"Kết quả #{result_id}: {decision} → {status}", highlight=False)


@review_app.command("ap-dung")
def apply_(
    run_id: Annotated[int, typer.Argument(help="Số lần đối soát / run id.")],
    db: DbOption = None,
    actor: ActorOption = "datdai",
) -> None:
    """Cập nhật hồ sơ người sử dụng đất từ kết quả khớp (qua nhật ký) / apply the matches."""
    from datdai.matching.reconcile_apply import apply_results

    with store_session(db, write=True, errors=_errors()) as conn:
        result = apply_results(conn, run_id, actor=actor)
    print_counts(f"Áp dụng lần đối soát #{run_id} / applied", _apply_counts(result))


@review_app.command("hoan-tac")
def undo(
    run_id: Annotated[int, typer.Argument(help="Số lần đối soát / run id.")],
    db: DbOption = None,
    reason: Annotated[str | None, typer.Option("--ly-do", help="Lý do (bắt buộc) / reason (required).")] = None,
    actor: ActorOption = "datdai",
) -> None:
    """Hoàn tác việc áp dụng một lần đối soát / undo a run's application."""
    from datdai.matching.reconcile_apply import undo_apply

    if not reason or not reason.strip():
        fail("cần --ly-do / a reason (--ly-do) is required")
    with store_session(db, write=True, errors=_errors()) as conn:
        n = undo_apply(conn, run_id, actor=actor, reason=reason)
    out.print(f"Đã hoàn tác lần đối soát #{run_id}: {vn_int(n)} kết quả trở về chờ áp dụng / "
              "application undone", highlight=False)


@review_app.command("tien-do")
def progress(
    db: DbOption = None,
    commune: Annotated[str | None, typer.Option("--commune", help="Mã xã / commune code.")] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Ghi ra tệp Excel / write an XLSX.")] = None,
) -> None:
    """Tiến độ đối soát và cập nhật theo xã, tỉnh / reconciliation progress."""

    from datdai.matching.reconcile_progress import reconcile_progress

    with store_session(db) as conn:
        figures = reconcile_progress(conn, commune)
    if not figures.communes:
        out.print("Chưa có dữ liệu / no data yet")
        return
    rows = [*figures.communes, *figures.provinces]
    if not commune:
        rows.append(figures.overall)
    if xlsx is not None:
        from datdai.reporting.office_sheets import write_reconcile_progress

        write_reconcile_progress(xlsx, rows)
        out.print(f"Đã ghi tiến độ đối soát vào {xlsx} / progress written", highlight=False)
        return
    table = figures_table("Tiến độ đối soát dân cư / reconciliation progress", (
        "Mã", "Tên", "Người SDĐ", "Khớp", "Chờ\nxác minh", "Không\nkhớp", "Chưa\nđối soát", "Đã cập\nnhật",
        "Tỷ lệ"), [[f.code or "", f.name or "", vn_int(f.land_users), vn_int(f.matched), vn_int(f.in_review),
                    vn_int(f.unmatched), vn_int(f.not_reconciled), vn_int(f.enriched), vn_percent(f.enriched_pct)]
                   for f in rows], text_columns=("Tên",))
    out.print(table)
    target = figures.communes[0] if commune else figures.overall
    out.print(target.updated_text(), highlight=False)


@review_app.command("chay")
def run_(
    db: DbOption = None,
    population: Annotated[Path | None, typer.Option(
        "--dan-cu", help="Tệp dan_cu.csv; mặc định: bản trích đã nạp (datdai dan-cu nap) / extract file; default: "
                         "the stored extract.")] = None,
    communes: Annotated[list[str] | None, typer.Option("--commune", help="Mã xã (lặp lại được) / commune code.")] = None,
    workdir: Annotated[Path, typer.Option("--out", help="Thư mục ghi tệp xuất và kết quả / folder for the files.")]
    = Path("doi-soat"),
    apply: Annotated[bool, typer.Option("--ap-dung", help="Áp dụng ngay các kết quả khớp / apply the matches.")]
    = False,
    actor: ActorOption = "datdai",
) -> None:
    """Đối soát cơ sở dữ liệu với bản trích dân cư: xuất, khớp, ghi kết quả / reconcile the store."""
    from datdai.kernel.errors import DatdaiError
    from datdai.matching.reconcile_store import reconcile_store

    store = open_store_or_fail(db)
    try:
        with progress_bar() as update:
            done = reconcile_store(store, population, workdir, actor=actor, communes=communes or None,
                                   apply=apply, progress=update)
    except (DatdaiError, *_errors()) as exc:
        fail(str(exc))
    finally:
        store.close()
    for w in done.match.warnings:
        err.print(f"[yellow]Cảnh báo / warning:[/] {w}", highlight=False)
    counts: dict[str, int] = {"lần đối soát / run": done.run_id, "dòng chủ sử dụng / owner rows": done.rows,
                              "KHOP": done.counts.get("KHOP", 0), "CAN_XAC_MINH": done.counts.get("CAN_XAC_MINH", 0),
                              "KHONG_KHOP": done.counts.get("KHONG_KHOP", 0)}
    if done.applied is not None:
        counts.update(_apply_counts(done.applied))
    print_counts("Đối soát cơ sở dữ liệu / store reconciled", counts)
    out.print(f"Xác minh / review: datdai doi-soat hang-doi --run {done.run_id}", highlight=False)
