"""GET /api/v1/calendar/deadline — the N-th working day after a date (anyone may call it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from datdai.dossiers.calendar import (
    WorkingCalendar,
    default_calendar,
    format_vn_date,
    parse_vn_date,
)

router = APIRouter(prefix="/calendar", tags=["lịch làm việc / working calendar"])

MAX_WORKING_DAYS = 3650


class SkippedDay(BaseModel):
    ngay: str = Field(description="ngày nghỉ, dạng dd/mm/yyyy")
    ly_do: str = Field(description="lý do nghỉ: Thứ Bảy, Chủ Nhật, tên ngày lễ, nghỉ bù, hoán đổi")


class Deadline(BaseModel):
    deadline: str = Field(description="hạn giải quyết: ngày làm việc thứ N sau ngày bắt đầu, "
                          "dạng dd/mm/yyyy")
    start: str = Field(description="ngày bắt đầu (ngày tiếp nhận, không tính), dạng dd/mm/yyyy")
    working_days: int = Field(description="số ngày làm việc N")
    ngay_nghi_bo_qua: list[SkippedDay] = Field(
        description="các ngày nghỉ (cuối tuần, lễ, Tết, nghỉ bù) nằm giữa ngày bắt đầu và hạn, "
        "không được tính")


def _unprocessable(detail: str) -> HTTPException:
    return HTTPException(status_code=422, detail=detail)


def _calendar(request: Request) -> WorkingCalendar:
    return getattr(request.app.state, "calendar", None) or default_calendar()


@router.get(
    "/deadline",
    response_model=Deadline,
    summary="Tính hạn theo ngày làm việc / deadline in working days",
    description="Trả về ngày làm việc thứ N sau ngày `start` (ngày tiếp nhận không tính), theo "
    "lịch đang áp dụng: trừ thứ Bảy, Chủ Nhật, ngày lễ, Tết (Bộ luật Lao động 2019 Điều 112), "
    "ngày nghỉ bù, và theo các quyết định hoán đổi ngày làm việc (một thứ Bảy thành ngày làm "
    "việc, một ngày thường thành ngày nghỉ). Hạn luôn rơi vào ngày làm việc (Bộ luật Dân sự "
    "2015 Điều 148). Không cần đăng nhập.",
    responses={422: {"description": "ngày hoặc số ngày không hợp lệ (`detail` nêu lý do)"}},
)
def deadline(
    request: Request,
    start: Annotated[str | None, Query(
        description="ngày bắt đầu (ngày tiếp nhận hồ sơ), dạng dd/mm/yyyy",
        examples=["24/01/2025"])] = None,
    working_days: Annotated[str | None, Query(
        description=f"số ngày làm việc N: số nguyên từ 0 đến {MAX_WORKING_DAYS} (0: chính ngày "
        "bắt đầu nếu là ngày làm việc, nếu không thì ngày làm việc kế tiếp)",
        examples=["8"])] = None,
) -> Deadline:
    if start is None or not start.strip():
        raise _unprocessable("Thiếu tham số 'start' (ngày dạng dd/mm/yyyy) / missing 'start'")
    if working_days is None or not working_days.strip():
        raise _unprocessable("Thiếu tham số 'working_days' (số ngày làm việc) / "
                             "missing 'working_days'")
    try:
        day = parse_vn_date(start)
    except ValueError as exc:
        raise _unprocessable(f"Tham số 'start': {exc}") from None
    text = working_days.strip()
    if not text.isascii() or not text.isdigit():
        raise _unprocessable(f"Tham số 'working_days' phải là số nguyên từ 0 đến "
                             f"{MAX_WORKING_DAYS}, nhận được '{working_days}' / "
                             "must be an integer 0–3650")
    n = int(text)
    if n > MAX_WORKING_DAYS:
        raise _unprocessable(f"Tham số 'working_days' tối đa là {MAX_WORKING_DAYS}, nhận được "
                             f"{n} / at most {MAX_WORKING_DAYS}")
    cal = _calendar(request)
    try:
        due = cal.add_working_days(day, n)
        skipped = cal.days_off_between(day, due)
    except ValueError as exc:  # a year the calendar does not cover
        raise _unprocessable(str(exc)) from None
    return Deadline(
        deadline=format_vn_date(due),
        start=format_vn_date(day),
        working_days=n,
        ngay_nghi_bo_qua=[SkippedDay(ngay=format_vn_date(d), ly_do=r) for d, r in skipped],
    )
