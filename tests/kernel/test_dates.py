"""The accepted range of dates and months (1900–2200), one place for all readers of dates."""

from __future__ import annotations

import datetime as dt

import pytest

from datdai.kernel.dates import DateOutOfRange, check_date, parse_month
from datdai.kernel.errors import InvalidInput


def test_months():
    assert parse_month("2025-06") == (2025, 6)
    assert parse_month(" 1900-01 ") == (1900, 1) and parse_month("2200-12") == (2200, 12)
    for bad in ("0000-01", "0001-01", "9999-12", "1899-12", "2201-01"):
        with pytest.raises(DateOutOfRange, match="1900–2200"):
            parse_month(bad)
    for bad in ("2025-13", "2025-00", "2025-6", "06/2025", "", None, "２０２５-06"):
        with pytest.raises(InvalidInput, match="YYYY-MM"):
            parse_month(bad)


def test_dates():
    assert check_date(dt.date(2200, 12, 31)) == dt.date(2200, 12, 31)
    with pytest.raises(ValueError, match="năm 9999"):  # a ValueError too, for the old callers
        check_date(dt.date(9999, 12, 31), "ngày bắt đầu")
    with pytest.raises(InvalidInput) as info:
        check_date(dt.date(1, 1, 1), field="since")
    assert info.value.field == "since" and info.value.http_status == 422
