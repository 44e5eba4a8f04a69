"""``datdai survey …``: the field survey — the form for the apps, reading submissions back as
proposals, review, apply, undo, progress (docs/survey.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from datdai.apps.commands.common import DbOption, app, err, fail, out, print_counts, store_session
from datdai.kernel.errors import DatdaiError
from datdai.kernel.text import vn_int, vn_percent

survey_app = typer.Typer(
    help="Điều tra thực địa: biểu mẫu cho ODK Collect/Kobo/QField, nạp phiếu về thành đề xuất, duyệt, "
         "áp dụng, tiến độ / field survey: forms, submissions → proposals, review, apply, progress.",
    no_args_is_help=True)
app.add_typer(survey_app, name="survey")

ActorOption = Annotated[str, typer.Option("--nguoi", "--actor", help="Người thực hiện / who acts.")]
CommuneOption = Annotated[str | None, typer.Option("--commune", help="Mã xã / commune code.")]


@survey_app.command("form")
def form(
    commune: Annotated[str, typer.Option("--commune", help="Mã xã (5 chữ số) / commune code.")],
    out_path: Annotated[Path, typer.Option("--out", help="Tệp XLSForm (.xlsx) hoặc GeoPackage (.gpkg) / "
                                                          "output file.")],
    db: DbOption = None,
    actor: ActorOption = "datdai",
) -> None:
    """Viết phiếu điều tra của một xã: XLSForm (kèm parcels.csv) hoặc GeoPackage cho QField /
    write the commune's survey form."""
    from datdai.access.access_log import write_access_log
    from datdai.access.purposes import SURVEY
    from datdai.cleaning.survey_form import write_geopackage, write_xlsform

    suffix = out_path.suffix.lower()
    if suffix not in (".xlsx", ".gpkg"):
        fail(f"--out {out_path}: dùng đuôi .xlsx (XLSForm) hoặc .gpkg (GeoPackage) / use .xlsx or .gpkg")
    with store_session(db, write=True, errors=DatdaiError) as conn:
        if suffix == ".xlsx":
            result = write_xlsform(conn, commune, out_path)
            files = f"{result.form} + {result.entities}"
        else:
            result = write_geopackage(conn, commune, out_path)
            files = str(result.form)
        # the entity list carries the holders' names (personal data handed to the field team)
        write_access_log(conn, username=actor, role="cli", action="survey.form", resource=f"xa/{commune}",
                         purpose=SURVEY)
    print_counts(f"Phiếu điều tra xã {commune} / survey form → {files}",
                 {"thửa đất / parcels": result.parcels,
                  "cảnh báo pyxform / pyxform warnings": len(result.warnings)})


@survey_app.command("nap")
def load(
    file: Annotated[Path, typer.Option("--file", help="Tệp xuất CSV zip của ODK Central, hoặc GeoPackage đã "
                                                      "điền (.gpkg) / Central export or edited GeoPackage.")],
    db: DbOption = None,
    actor: ActorOption = "datdai",
    photo_max_mb: Annotated[float | None, typer.Option(
        "--anh-toi-da", min=0.1, help="Giới hạn mỗi ảnh, MB (mặc định DATDAI_SURVEY_PHOTO_MAX_MB hoặc 10) / "
                                      "photo size cap.")] = None,
) -> None:
    """Nạp phiếu điều tra trả về thành đề xuất bổ sung, chỉnh lý / record submissions as proposals."""
    from datdai.cleaning.readers.survey_gpkg import read_geopackage
    from datdai.cleaning.readers.survey_odk import read_central_export
    from datdai.cleaning.survey import record_submissions
    from datdai.db.engine import resolve_url
    from datdai.db.files import FileStore, default_root

    try:
        if file.suffix.lower() == ".gpkg":
            subs, source = read_geopackage(file), "GEOPACKAGE"
        else:
            subs, source = read_central_export(file), "ODK_CENTRAL"
    except DatdaiError as exc:
        fail(str(exc))
    files = FileStore(default_root(resolve_url(db)))
    cap = int(photo_max_mb * 1024 * 1024) if photo_max_mb else None
    with store_session(db, write=True, errors=DatdaiError) as conn:
        r = record_submissions(conn, subs, source=source, file_name=file.name, files=files, actor=actor,
                               photo_max_bytes=cap)
    for instance_id, why in r.refused:
        err.print(f"[yellow]Từ chối / refused[/] {instance_id}: {why}", highlight=False)
    print_counts(f"Đã nạp phiếu điều tra / submissions recorded ← {file}", {
        "phiếu đã nhận / recorded": r.recorded, "đã nạp trước đó (bỏ qua) / already recorded": r.skipped,
        "phiếu bị từ chối / refused": len(r.refused), "đề xuất / proposals": r.proposals,
        "đề xuất có xung đột / with a conflict": r.conflicts,
        "QR mâu thuẫn số gõ tay / QR contradicts the typed number": r.qr_contradictions})


@survey_app.command("de-xuat")
def list_(
    db: DbOption = None,
    commune: CommuneOption = None,
    status: Annotated[str | None, typer.Option("--trang-thai", help="CHO_DUYET, CHAP_NHAN, TU_CHOI, "
                                                                    "DA_AP_DUNG.")] = "CHO_DUYET",
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
) -> None:
    """Các đề xuất từ điều tra (số định danh được che) / the survey's proposals."""
    from rich.table import Table

    from datdai.access.masking import mask_number
    from datdai.cleaning.survey import proposals

    with store_session(db) as conn:
        rows = proposals(conn, communes=[commune] if commune else None, status=status or None, limit=limit)
    if not rows:
        out.print("Không có đề xuất / no proposals")
        return
    table = Table(title="Đề xuất từ điều tra thực địa / survey proposals", title_justify="left")
    for col in ("#", "thửa", "trường", "đang ghi", "đề xuất", "xung đột", "trạng thái", "người điều tra"):
        table.add_column(col, overflow="fold")
    for p in rows:
        show = mask_number if p.field == "so_dinh_danh" else (lambda v: v)
        table.add_row(str(p.id), p.parcel_key or "", p.label, show(p.old_value) or "—", show(p.new_value),
                      f"{p.conflict}: {p.conflict_note}" if p.conflict else "", p.status, p.surveyor or "")
    out.print(table)


@survey_app.command("duyet")
def decide(
    ids: Annotated[list[int] | None, typer.Argument(help="Mã đề xuất; bỏ trống với --tat-ca / proposal ids.")] = None,
    accept: Annotated[bool, typer.Option("--chap-nhan/--tu-choi", help="Chấp nhận hoặc từ chối.")] = True,
    all_: Annotated[bool, typer.Option("--tat-ca", help="Mọi đề xuất đang chờ không có xung đột (trong "
                                                        "--commune) / all pending without a conflict.")] = False,
    commune: CommuneOption = None,
    reason: Annotated[str | None, typer.Option("--ly-do", help="Lý do / reason.")] = None,
    db: DbOption = None,
    actor: ActorOption = "datdai",
) -> None:
    """Duyệt đề xuất: từng trường hoặc tất cả / accept or reject proposals."""
    from datdai.cleaning.survey import ACCEPTED, REJECTED
    from datdai.cleaning.survey import decide as decide_

    if bool(ids) == all_:
        fail("cho mã đề xuất hoặc --tat-ca (một trong hai) / give ids or --tat-ca")
    with store_session(db, write=True, errors=DatdaiError) as conn:
        n = decide_(conn, decision=ACCEPTED if accept else REJECTED, by=actor, reason=reason,
                    proposal_ids=ids or None, communes=[commune] if commune else None)
    out.print(f"{'Chấp nhận' if accept else 'Từ chối'} {vn_int(n)} đề xuất / proposals decided")


@survey_app.command("ap-dung")
def apply_(commune: CommuneOption = None, db: DbOption = None, actor: ActorOption = "datdai") -> None:
    """Áp dụng các đề xuất đã chấp nhận: một lô nhật ký (hoàn tác được) / apply accepted proposals."""
    from datdai.cleaning.survey import apply_accepted

    with store_session(db, write=True, errors=DatdaiError) as conn:
        r = apply_accepted(conn, actor=actor, communes=[commune] if commune else None)
    if r.batch_id is None:
        out.print("Không có đề xuất đã chấp nhận để áp dụng / nothing to apply")
        return
    print_counts("Đã áp dụng / applied", {"đề xuất / proposals": r.applied, "lô nhật ký / audit batch": r.batch_id})


@survey_app.command("hoan-tac")
def undo(batch: Annotated[int, typer.Argument(help="Lô nhật ký đã áp dụng / audit batch.")],
         reason: Annotated[str, typer.Option("--ly-do", help="Lý do / reason.")],
         db: DbOption = None, actor: ActorOption = "datdai") -> None:
    """Hoàn tác một lần áp dụng / revert an application."""
    from datdai.cleaning.survey import revert_applied

    with store_session(db, write=True, errors=DatdaiError) as conn:
        revert_id = revert_applied(conn, batch, actor=actor, reason=reason)
    out.print(f"Đã hoàn tác lô #{batch} bằng lô #{revert_id} / reverted")


@survey_app.command("tien-do")
def progress(commune: CommuneOption = None, db: DbOption = None) -> None:
    """Tiến độ điều tra theo xã / survey progress per commune."""
    from rich.table import Table

    from datdai.cleaning.survey import progress as progress_

    with store_session(db) as conn:
        rows = progress_(conn, [commune] if commune else None)
    table = Table(title="Tiến độ điều tra thực địa / survey progress", title_justify="left")
    for col in ("xã", "thửa", "đã điều tra", "tỷ lệ", "đề xuất", "chờ duyệt", "đã áp dụng", "phiếu bị từ chối"):
        table.add_column(col, justify="right" if col != "xã" else "left")
    for r in rows:
        table.add_row(r.commune_code, vn_int(r.parcels), vn_int(r.surveyed),
                      vn_percent(r.surveyed / r.parcels * 100 if r.parcels else None), vn_int(r.proposals),
                      vn_int(r.pending), vn_int(r.applied), vn_int(r.refused_submissions))
    out.print(table)
