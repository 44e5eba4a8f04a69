"""The reports page: choose a month, download the monthly Project 06 report of the officer's scope
as DOCX, XLSX or PDF (``GET /api/v1/reports/{month}?format=…``, ``web/api/reports.py``, with the
session cookie), and write the month's sections II–IV (problems, next month's tasks, proposals) and
the document's details (number, date, signer, recipients) — the same texts and rules as
``GET``/``PUT /api/v1/reports/{month}/texts``: managers and admin write, data officers read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse

from datdai.access.roles import ADMIN, MANAGER
from datdai.apps.web.ui.common import REPORT_ROLES, Principal, page_role, render, store_of
from datdai.apps.web.ui.dashboard import MONTH_NAMES, _month_or_now, this_month
from datdai.dossiers.calendar import parse_vn_date
from datdai.dossiers.errors import InvalidInput
from datdai.dossiers.stats import month_bounds
from datdai.reporting.figures import last_months
from datdai.reporting.scope import report_scope
from datdai.reporting.texts import get_texts, save_texts

router = APIRouter(include_in_schema=False)
READERS = page_role(*REPORT_ROLES)
WRITER_ROLES = (MANAGER, ADMIN)
WRITERS = page_role(*WRITER_ROLES)
FORMATS = (("docx", "Word (DOCX)", "văn bản để chỉnh sửa, ký và gửi"),
           ("xlsx", "Excel (XLSX)", "các biểu số liệu"),
           ("pdf", "PDF", "bản in"))
SECTIONS = (("problems", "II. Khó khăn, vướng mắc"),
            ("tasks", "III. Nhiệm vụ trọng tâm tháng tới"),
            ("proposals", "IV. Đề xuất, kiến nghị"))
DETAILS = (("number", "Số văn bản", 20), ("report_date", "Ngày ban hành (dd/mm/yyyy)", 10),
           ("signer_title", "Chức vụ người ký", 200), ("signer_name", "Người ký", 200),
           ("recipients", "Nơi nhận (mỗi nơi một dòng)", 2000))


def _page(request: Request, principal: Principal, month: str, *, status_code: int = 200,
          problem: str | None = None, entered: dict[str, str] | None = None, saved: bool = False):
    current = this_month()
    key, _ = report_scope(principal)
    with store_of(request).read() as conn:
        texts = get_texts(conn, key, month)
    values = {name: getattr(texts, name) or "" for name, _ in SECTIONS}
    values.update({name: getattr(texts, name) or "" for name, _, _ in DETAILS})
    if texts.report_date:
        values["report_date"] = texts.report_date.strftime("%d/%m/%Y")
    values.update(entered or {})
    return render(request, "reports.html", principal, status_code=status_code, active="bao-cao",
                  title="Báo cáo tháng", month=month, month_label=f"{MONTH_NAMES[int(month[5:])]}/{month[:4]}",
                  months=last_months(current, 24)[::-1], formats=FORMATS, sections=SECTIONS, details=DETAILS,
                  values=values, texts=texts, can_write=principal.role in WRITER_ROLES, problem=problem,
                  saved=saved)


@router.get("/ui/bao-cao")
def reports_page(request: Request, principal: Annotated[Principal, Depends(READERS)],
                 thang: Annotated[str | None, Query(max_length=7)] = None,
                 da_luu: Annotated[int, Query(ge=0, le=1)] = 0):
    # the report of a month is usually made early in the next one
    month = _month_or_now(thang) if thang else last_months(this_month(), 2)[0]
    return _page(request, principal, month, saved=bool(da_luu))


@router.post("/ui/bao-cao/noi-dung")
def save_report_texts(
    request: Request,
    principal: Annotated[Principal, Depends(WRITERS)],
    thang: Annotated[str, Form(max_length=7)],
    problems: Annotated[str, Form(max_length=20000)] = "",
    tasks: Annotated[str, Form(max_length=20000)] = "",
    proposals: Annotated[str, Form(max_length=20000)] = "",
    number: Annotated[str, Form(max_length=20)] = "",
    report_date: Annotated[str, Form(max_length=10)] = "",
    signer_title: Annotated[str, Form(max_length=200)] = "",
    signer_name: Annotated[str, Form(max_length=200)] = "",
    recipients: Annotated[str, Form(max_length=2000)] = "",
):
    try:
        month_bounds(thang)
    except InvalidInput:
        return _page(request, principal, this_month(), status_code=422,
                     problem=f"Tháng không hợp lệ: {thang!r} (YYYY-MM); chưa lưu gì.")
    month = thang
    entered = {"problems": problems, "tasks": tasks, "proposals": proposals, "number": number,
               "report_date": report_date, "signer_title": signer_title, "signer_name": signer_name,
               "recipients": recipients}
    values: dict = {k: v.strip() or None for k, v in entered.items() if k not in ("problems", "tasks", "proposals")}
    values.update({k: entered[k].strip() for k in ("problems", "tasks", "proposals")})
    key, _ = report_scope(principal)
    try:
        values["report_date"] = parse_vn_date(values["report_date"]) if values["report_date"] else None
        with store_of(request).transaction() as conn:
            save_texts(conn, key, month, values, actor=principal.username)
    except ValueError as exc:
        return _page(request, principal, month, status_code=422, entered=entered,
                     problem=f"Ngày ban hành không hợp lệ: {exc}")
    except InvalidInput as exc:
        return _page(request, principal, month, status_code=422, entered=entered, problem=str(exc))
    return RedirectResponse(f"/ui/bao-cao?thang={month}&da_luu=1", status_code=303)
