"""The reports page: choose a month, download the monthly Project 06 report of the officer's scope
as DOCX, XLSX or PDF (``GET /api/v1/reports/{month}?format=…``, ``web/api/reports.py``, with the
session cookie)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from datdai.report.figures import last_months
from datdai.web.ui.common import REPORT_ROLES, Principal, page_role, render
from datdai.web.ui.dashboard import MONTH_NAMES, _month_or_now, this_month

router = APIRouter(include_in_schema=False)
READERS = page_role(*REPORT_ROLES)
FORMATS = (("docx", "Word (DOCX)", "văn bản để chỉnh sửa, ký và gửi"),
           ("xlsx", "Excel (XLSX)", "các biểu số liệu"),
           ("pdf", "PDF", "bản in"))


@router.get("/ui/bao-cao")
def reports_page(request: Request, principal: Annotated[Principal, Depends(READERS)],
                 thang: Annotated[str | None, Query(max_length=7)] = None):
    current = this_month()
    # the report of a month is usually made early in the next one
    default = last_months(current, 2)[0]
    month = _month_or_now(thang) if thang else default
    months = last_months(current, 24)[::-1]
    return render(request, "reports.html", principal, active="bao-cao", title="Báo cáo tháng", month=month,
                  month_label=f"{MONTH_NAMES[int(month[5:])]}/{month[:4]}", months=months, formats=FORMATS)
