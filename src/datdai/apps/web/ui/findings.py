"""Quality findings: the list (commune, rule, severity, status), one finding with the map's and
the register's values side by side and the parcel drawn among its neighbours, and the officer's
decisions — fixed (with the corrected value, written through the audit trail), accepted as it is,
dismissed, reopened — or the proposed fix applied, each with a reason
(``datdai.cleaning.store_findings.set_status``, as ``datdai findings status``).

Who: data staff (``can_bo_du_lieu`` within their communes, ``admin``), as ``GET /api/v1/findings``.
Identity numbers in values and messages are masked unless the role needs them; pages of findings
are access-logged.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import numpy as np
import shapely
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from starlette.datastructures import UploadFile

from datdai.access import purposes
from datdai.access.masking import mask_id_numbers
from datdai.access.visibility import visible_communes
from datdai.apps.web.auth import log_access
from datdai.apps.web.protection import DECISIONS_UPLOAD_PATH
from datdai.apps.web.ui.common import (
    DATA_ROLES,
    PageNotFound,
    Principal,
    check_commune,
    page_role,
    render,
    store_of,
)
from datdai.cleaning.findings import STATUS_LABELS as FINDING_STATUS_LABELS
from datdai.cleaning.findings import Severity, Status
from datdai.cleaning.registry import all_rules
from datdai.cleaning.store_findings import FindingError, finding_events, set_status
from datdai.cleaning.store_progress import commune_progress
from datdai.db import schema as s
from datdai.kernel.errors import InvalidInput
from datdai.land.places import commune_choices, unit_names
from datdai.reporting.office_sheets import (
    XLSX,
    apply_decisions,
    write_cleaning_progress,
    write_findings,
)

router = APIRouter(include_in_schema=False)
DATA_STAFF = page_role(*DATA_ROLES)
PAGE_SIZE = 50
FIXED_ANY = "DA_KHAC_PHUC"  # fixed automatically or by a person: the report's "findings fixed"
MASKED = ("map_value", "register_value", "proposed_fix", "message")
DECISIONS = {
    Status.FIXED.value: "Đã sửa",
    Status.ACCEPTED.value: "Chấp nhận như hiện trạng",
    Status.DISMISSED.value: "Bác bỏ (không phải lỗi)",
    Status.OPEN.value: "Mở lại (chờ xử lý)",
}
NOTICES = {
    "da-luu": "Đã ghi quyết định.",
    "da-ap-dung": "Đã áp dụng đề xuất sửa và ghi vào nhật ký thay đổi.",
}


def _rules() -> dict[str, str]:
    return {r.code: r.title for r in all_rules()}


def finding_out(r, full: bool) -> dict[str, Any]:
    out = dict(r._mapping)
    if not full:
        for k in MASKED:
            out[k] = mask_id_numbers(out[k])
    return out


def _visible_communes(conn, principal: Principal) -> list[str] | None:
    """None: every commune; else the findings' communes in the officer's scope."""
    return visible_communes(conn, principal, s.findings.c.commune_code)


def query_findings(conn, principal: Principal, *, commune: str | None, rule: str | None, severity: str | None,
                   status: str | None, limit: int, offset: int):
    """(total, rows) of the findings matching the filters, in the officer's scope."""
    f = s.findings
    cond = []
    if commune:
        cond.append(f.c.commune_code == commune)
    else:
        visible = _visible_communes(conn, principal)
        if visible is not None:
            cond.append(f.c.commune_code.in_(visible))
    if rule:
        cond.append(f.c.rule_code == rule)
    if severity:
        cond.append(f.c.severity == severity)
    if status == FIXED_ANY:
        cond.append(f.c.status.in_([Status.AUTO_FIXED.value, Status.FIXED.value]))
    elif status:
        cond.append(f.c.status == status)
    total = conn.execute(select(func.count()).select_from(f).where(*cond)).scalar_one()
    rows = conn.execute(select(f).where(*cond).order_by(f.c.commune_code, f.c.id).limit(limit).offset(offset)).all()
    return total, rows


@router.get("/ui/loi-du-lieu")
def findings_page(
    request: Request,
    principal: Annotated[Principal, Depends(DATA_STAFF)],
    ma_xa: Annotated[str | None, Query(max_length=5)] = None,
    ma_loi: Annotated[str | None, Query(max_length=40)] = None,
    muc_do: Annotated[str | None, Query(max_length=10)] = None,
    trang_thai: Annotated[str | None, Query(max_length=12)] = Status.OPEN.value,
    trang: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    ma_xa = ma_xa or None
    ma_loi = ma_loi or None
    muc_do = muc_do if muc_do in {x.value for x in Severity} else None
    trang_thai = trang_thai if trang_thai in {x.value for x in Status} | {FIXED_ANY} else None
    if ma_xa is not None:
        check_commune(principal, ma_xa)
    full = principal.needs_full_personal_data()
    with store_of(request).transaction() as conn:
        communes = commune_choices(conn, principal)
        total, rows = query_findings(conn, principal, commune=ma_xa, rule=ma_loi, severity=muc_do,
                                     status=trang_thai, limit=PAGE_SIZE, offset=(trang - 1) * PAGE_SIZE)
        names = unit_names(conn, {r.commune_code for r in rows})
        if rows:
            log_access(conn, principal, action="xem phát hiện chất lượng dữ liệu",
                       resource=f"ui/loi-du-lieu?{request.url.query}"[:500], purpose=purposes.FINDINGS,
                       subjects=sorted({str(r.party_id) for r in rows if r.party_id is not None}))
    filters = {"ma_xa": ma_xa or "", "ma_loi": ma_loi or "", "muc_do": muc_do or "", "trang_thai": trang_thai or ""}
    pages = max(1, -(-total // PAGE_SIZE))

    def page_url(n: int) -> str:
        return "/ui/loi-du-lieu?" + urlencode({**filters, "trang": n})

    return render(request, "findings.html", principal, active="loi", title="Lỗi dữ liệu",
                  items=[finding_out(r, full) for r in rows], total=total, page=trang, pages=pages,
                  prev_url=page_url(trang - 1) if trang > 1 else None,
                  next_url=page_url(trang + 1) if trang < pages else None,
                  filters=filters, communes=communes, rules=_rules(), names=names,
                  statuses=[(x.value, FINDING_STATUS_LABELS[x]) for x in Status]
                  + [(FIXED_ANY, "Đã khắc phục (tự sửa và cán bộ sửa)")], severities=[x.value for x in Severity],
                  notice=NOTICES.get(request.query_params.get("tb", "")))


def minimap(conn, parcel_id: int | None) -> dict[str, Any] | None:
    """The parcel and its neighbours as SVG paths in the zone's metres (y flipped)."""
    if parcel_id is None:
        return None
    p = s.parcels
    me = conn.execute(select(p.c.commune_code, p.c.srid, p.c.min_x, p.c.min_y, p.c.max_x, p.c.max_y, p.c.geom)
                      .where(p.c.id == parcel_id)).first()
    if me is None or me.geom is None or me.min_x is None:
        return None
    pad = max(20.0, 0.6 * max(me.max_x - me.min_x, me.max_y - me.min_y))
    x0, y0, x1, y1 = me.min_x - pad, me.min_y - pad, me.max_x + pad, me.max_y + pad
    rows = conn.execute(select(p.c.id, p.c.geom).where(
        p.c.commune_code == me.commune_code, p.c.srid == me.srid, p.c.id != parcel_id, p.c.geom.is_not(None),
        p.c.max_x >= x0, p.c.min_x <= x1, p.c.max_y >= y0, p.c.min_y <= y1).limit(300)).all()

    def path(g) -> str:
        parts = []
        for ring in shapely.get_rings(g):
            xy = shapely.get_coordinates(ring)
            pts = " ".join(f"{x - x0:.2f},{y1 - y:.2f}" for x, y in np.asarray(xy))
            parts.append(f"M{pts}Z")
        return " ".join(parts)

    return {"view": f"0 0 {x1 - x0:.2f} {y1 - y0:.2f}", "me": path(me.geom),
            "neighbours": [path(r.geom) for r in rows]}


def _finding(conn, finding_id: int, principal: Principal):
    row = conn.execute(select(s.findings).where(s.findings.c.id == finding_id)).first()
    if row is None:
        raise PageNotFound(f"Không có phát hiện #{finding_id}.")
    if row.commune_code is not None:
        check_commune(principal, row.commune_code)
    elif principal.role != "admin":
        check_commune(principal, "")
    return row


# ---------------------------------------------------------------- Excel: the list out, decisions in

EXPORT_LIMIT = 200_000


def _xlsx(data: bytes, name: str) -> Response:
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                    "Cache-Control": "no-store"})


@router.get("/ui/loi-du-lieu/tai-ve.xlsx")
def findings_xlsx(
    request: Request,
    principal: Annotated[Principal, Depends(DATA_STAFF)],
    ma_xa: Annotated[str | None, Query(max_length=5)] = None,
    ma_loi: Annotated[str | None, Query(max_length=40)] = None,
    muc_do: Annotated[str | None, Query(max_length=10)] = None,
    trang_thai: Annotated[str | None, Query(max_length=12)] = None,
):
    """The findings of the page's filters (all pages), with the decision column to fill."""
    ma_xa = ma_xa or None
    if ma_xa is not None:
        check_commune(principal, ma_xa)
    trang_thai = trang_thai if trang_thai in {x.value for x in Status} | {FIXED_ANY} else None
    muc_do = muc_do if muc_do in {x.value for x in Severity} else None
    with store_of(request).transaction() as conn:
        _total, rows = query_findings(conn, principal, commune=ma_xa, rule=ma_loi or None, severity=muc_do,
                                      status=trang_thai, limit=EXPORT_LIMIT, offset=0)
        if rows:
            log_access(conn, principal, action="tải về phát hiện chất lượng dữ liệu (Excel)",
                       resource=f"ui/loi-du-lieu/tai-ve.xlsx?{request.url.query}"[:500], purpose=purposes.FINDINGS,
                       subjects=sorted({str(r.party_id) for r in rows if r.party_id is not None}))
    buf = io.BytesIO()
    write_findings(buf, rows)
    return _xlsx(buf.getvalue(), "phat-hien.xlsx")


@router.get("/ui/loi-du-lieu/tien-do.xlsx")
def progress_xlsx(request: Request, principal: Annotated[Principal, Depends(DATA_STAFF)]):
    with store_of(request).read() as conn:
        figures = [c for c in commune_progress(conn) if principal.can_see_commune(c.commune_code)]
    buf = io.BytesIO()
    write_cleaning_progress(buf, figures)
    return _xlsx(buf.getvalue(), "tien-do-lam-sach.xlsx")


@router.post(DECISIONS_UPLOAD_PATH)
async def decisions_upload(request: Request, principal: Annotated[Principal, Depends(DATA_STAFF)]):
    """A findings workbook with its decision column filled: applied row by row through the single
    decision's function (in one transaction; rows outside the officer's communes refused)."""
    async with request.form(max_files=1, max_fields=5) as form:
        upload = form.get("tep")
        if not isinstance(upload, UploadFile) or not (upload.filename or "").lower().endswith(".xlsx"):
            raise InvalidInput("Hãy chọn tệp Excel (.xlsx) đã xuất từ trang này và điền cột quyet_dinh.")
        with tempfile.TemporaryDirectory(prefix="datdai-quyet-dinh-") as tmp:
            path = Path(tmp) / Path(upload.filename).name
            with open(path, "wb") as f:
                while chunk := await upload.read(1 << 20):
                    f.write(chunk)
            store = store_of(request)
            with store.read() as conn:
                communes = visible_communes(conn, principal, s.findings.c.commune_code)
            with store.transaction() as conn:
                result = apply_decisions(conn, path, actor=principal.username,
                                         communes=None if communes is None else set(communes))
    return render(request, "findings_decisions.html", principal, active="loi", title="Quyết định hàng loạt",
                  result=result, file_name=upload.filename)


@router.get("/ui/loi-du-lieu/{finding_id}")
def finding_page(request: Request, principal: Annotated[Principal, Depends(DATA_STAFF)], finding_id: int):
    full = principal.needs_full_personal_data()
    f = s.findings
    with store_of(request).transaction() as conn:
        row = _finding(conn, finding_id, principal)
        events = [{"at": e.at, "actor": e.actor, "from_status": e.from_status, "to_status": e.to_status,
                   "note": e.note if full else mask_id_numbers(e.note)} for e in finding_events(conn, finding_id)]
        drawing = minimap(conn, row.parcel_id)
        following = conn.execute(select(f.c.id).where(f.c.commune_code == row.commune_code, f.c.id > finding_id,
                                                      f.c.status == Status.OPEN.value)
                                 .order_by(f.c.id).limit(1)).scalar()
        names = unit_names(conn, [row.commune_code])
        party = None
        if row.party_id is not None:
            party = conn.execute(select(s.parties.c.code, s.parties.c.full_name)
                                 .where(s.parties.c.id == row.party_id)).first()
        log_access(conn, principal, action="xem phát hiện chất lượng dữ liệu", resource=f"ui/loi-du-lieu/{finding_id}",
                   purpose=purposes.FINDINGS, subjects=[str(row.party_id)] if row.party_id is not None else [])
    item = finding_out(row, full)
    differs = (item["map_value"] or "") != (item["register_value"] or "")
    return render(request, "finding.html", principal, active="loi", title=f"Lỗi #{finding_id}",
                  f=item, events=events, drawing=drawing, next_id=following, party=party,
                  commune_name=names.get(row.commune_code, row.commune_code), rule_title=_rules().get(row.rule_code),
                  differs=differs, decisions=DECISIONS, notice=NOTICES.get(request.query_params.get("tb", "")))


def _decide(request: Request, principal: Principal, finding_id: int, status: str, note: str,
            value: str | None, notice: str):
    note = (note or "").strip()
    problem = None
    if not note:
        problem = "Cần ghi lý do của quyết định."
    elif status not in DECISIONS:
        problem = "Quyết định không hợp lệ."
    else:
        try:
            with store_of(request).transaction() as conn:
                _finding(conn, finding_id, principal)
                set_status(conn, finding_id, status, actor=principal.username, note=note, value=value)
        except FindingError as exc:
            problem = str(exc).split(" / ")[0]
    if problem is None:
        return RedirectResponse(f"/ui/loi-du-lieu/{finding_id}?tb={notice}", status_code=303)
    return _refuse(request, principal, finding_id, problem)


@router.post("/ui/loi-du-lieu/{finding_id}/xu-ly")
def decide_finding(
    request: Request,
    principal: Annotated[Principal, Depends(DATA_STAFF)],
    finding_id: int,
    quyet_dinh: Annotated[str, Form(max_length=12)],
    ly_do: Annotated[str, Form(max_length=2000)] = "",
    gia_tri: Annotated[str, Form(max_length=500)] = "",
):
    value = gia_tri.strip() or None
    if quyet_dinh != Status.FIXED.value:
        value = None
    return _decide(request, principal, finding_id, quyet_dinh, ly_do, value, "da-luu")


@router.post("/ui/loi-du-lieu/{finding_id}/ap-dung-de-xuat")
def apply_proposal(
    request: Request,
    principal: Annotated[Principal, Depends(DATA_STAFF)],
    finding_id: int,
    ly_do: Annotated[str, Form(max_length=2000)] = "",
):
    with store_of(request).read() as conn:
        row = _finding(conn, finding_id, principal)
    if not row.proposed_fix:
        return _refuse(request, principal, finding_id, "Phát hiện này không có đề xuất sửa.")
    return _decide(request, principal, finding_id, Status.FIXED.value, ly_do, row.proposed_fix, "da-ap-dung")


def _refuse(request: Request, principal: Principal, finding_id: int, problem: str):
    """The finding's page again, with the reason the decision was refused (422)."""
    page = finding_page(request, principal, finding_id)
    context = {k: v for k, v in page.context.items() if k not in ("request", "nav", "account", "csrf", "vendor_ok")}
    context["problem"] = problem
    return render(request, "finding.html", principal, status_code=422, **context)
