"""The range of dates and months the product accepts from users: years 1900 to 2200.

A date outside it is no land record's, no dossier's and no report's, and the arithmetic done on
it (a deadline N working days later, a month's end, a day's end) would leave what Python's dates
can hold (years 1 to 9999). One place to say so: readers of dates from the API, the pages and the
command line call :func:`check_date` / :func:`parse_month`, and the refusal is a Vietnamese
:class:`~datdai.kernel.errors.InvalidInput` (HTTP 422, exit code 2).
"""

from __future__ import annotations

import datetime as dt
import re

from datdai.kernel.errors import InvalidInput

MIN_YEAR = 1900
MAX_YEAR = 2200

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


class DateOutOfRange(InvalidInput, ValueError):
    """A date or month outside :data:`MIN_YEAR`..:data:`MAX_YEAR` (also a ValueError, so that
    callers catching a bad date's ValueError catch it too)."""


def check_year(year: int, what: str = "ngày", field: str | None = None) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        err = DateOutOfRange(f"{what}: năm {year} ngoài khoảng cho phép {MIN_YEAR}–{MAX_YEAR} / "
                             f"year outside {MIN_YEAR}–{MAX_YEAR}")
        err.field = field
        raise err
    return year


def check_date(day: dt.date, what: str = "ngày", field: str | None = None) -> dt.date:
    """``day`` if its year is in range; else :class:`DateOutOfRange` naming ``what``."""
    check_year(day.year, what, field)
    return day


def parse_month(text: str | None, field: str | None = "month") -> tuple[int, int]:
    """``"2025-06"`` → ``(2025, 6)``; InvalidInput in Vietnamese for anything else (a month
    outside 01–12, a year outside the range)."""
    m = _MONTH.fullmatch(text.strip()) if isinstance(text, str) else None
    if not m or not 1 <= int(m.group(2)) <= 12:
        err = InvalidInput(f"tháng không hợp lệ: {text!r} (YYYY-MM) / invalid month")
        err.field = field
        raise err
    year = check_year(int(m.group(1)), f"tháng {text.strip()}", field)
    return year, int(m.group(2))


__all__ = ["MAX_YEAR", "MIN_YEAR", "DateOutOfRange", "check_date", "check_year", "parse_month"]
