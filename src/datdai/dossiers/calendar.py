"""The working-day calendar (lịch ngày làm việc) for legal time limits of land procedures.

Working days exclude Saturdays, Sundays and public holidays (Labour Code 2019 art. 112). The base
is PyPI ``holidays`` (Vietnam: Tết, Giỗ Tổ Hùng Vương, 30/4, 1/5, 2/9 plus one day, days off in
lieu and the swaps it knows); the yearly arrangements it lacks live as data in
``data/calendar_overrides.toml`` (extra days off, Saturdays worked), each with its legal source.

Counting follows the procedures' rule: the day of receipt does not count, the deadline is the
N-th working day after it, and it always lands on a working day (Civil Code 2015 art. 148). Time
waiting for the applicant (supplementing documents, paying taxes) is given as pauses to
:meth:`WorkingCalendar.due_date` and does not count.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import holidays

from datdai.dossiers.data_files import read_toml
from datdai.kernel.dates import check_date
from datdai.kernel.errors import InvalidInput

__all__ = [
    "CalendarDataError",
    "CalendarOverrides",
    "OverrideEntry",
    "WorkingCalendar",
    "default_calendar",
    "format_vn_date",
    "load_calendar_overrides",
    "parse_vn_date",
]

# The years the library computes Vietnamese holidays for (observed-day rules start in 1995,
# its lunar tables end in 2100). Dates outside raise ValueError rather than guess.
MIN_YEAR = 1995
MAX_YEAR = 2100

_WEEKEND_NAMES = {5: "Thứ Bảy", 6: "Chủ Nhật"}
_ONE_DAY = datetime.timedelta(days=1)


class CalendarDataError(InvalidInput, ValueError):
    """The overrides file is missing, not TOML, or has an invalid entry."""


@dataclass(frozen=True, slots=True)
class OverrideEntry:
    date: datetime.date
    reason: str
    source: str
    note: str = ""


@dataclass(frozen=True)
class CalendarOverrides:
    """Days off and days worked that the ``holidays`` library does not know."""

    days_off: Mapping[datetime.date, OverrideEntry] = field(
        default_factory=lambda: MappingProxyType({}))
    working_days: Mapping[datetime.date, OverrideEntry] = field(
        default_factory=lambda: MappingProxyType({}))
    path: str | None = None


# ---------------------------------------------------------------------------------------------
# dd/mm/yyyy

_VN_DATE = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*")


def parse_vn_date(text: str) -> datetime.date:
    """Parse ``dd/mm/yyyy`` (one-digit day or month accepted); ValueError in Vietnamese, also
    for a year outside the accepted range (:mod:`datdai.kernel.dates`)."""
    m = _VN_DATE.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"Ngày '{text}' không đúng dạng dd/mm/yyyy (ví dụ 25/01/2025) / "
                         "date must be dd/mm/yyyy")
    day, month, year = (int(g) for g in m.groups())
    try:
        parsed = datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"Ngày '{text.strip()}' không tồn tại / no such date") from None
    return check_date(parsed, f"Ngày '{text.strip()}'")  # DateOutOfRange is a ValueError too


def format_vn_date(d: datetime.date) -> str:
    return d.strftime("%d/%m/%Y")


# ---------------------------------------------------------------------------------------------
# overrides file

_TOP_KEYS = {"checked_with_holidays", "day_off", "working_day"}
_ENTRY_KEYS = {"date", "reason", "source", "note"}


def load_calendar_overrides(path: str | Path | None = None) -> CalendarOverrides:
    """Read and validate an overrides file (None → the bundled one). Errors name file and entry."""
    data, name = read_toml(path, "calendar_overrides.toml", CalendarDataError)
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise CalendarDataError(f"{name}: khóa không hợp lệ / unknown keys: "
                                f"{', '.join(sorted(unknown))} (có: {', '.join(sorted(_TOP_KEYS))})")
    if not isinstance(data.get("checked_with_holidays", ""), str):
        raise CalendarDataError(f"{name}: checked_with_holidays phải là chuỗi / must be a string")
    seen: dict[datetime.date, str] = {}
    days_off = _entries(name, data, "day_off", seen)
    working = _entries(name, data, "working_day", seen)
    for d in days_off:
        if d.weekday() >= 5:
            raise CalendarDataError(
                f"{name}: [[day_off]] {d.isoformat()}: là {_WEEKEND_NAMES[d.weekday()]}, vốn đã "
                "là ngày nghỉ / falls on a weekend (a typo?)")
    return CalendarOverrides(MappingProxyType(days_off), MappingProxyType(working), name)


def _entries(name: str, data: dict, key: str, seen: dict[datetime.date, str],
             ) -> dict[datetime.date, OverrideEntry]:
    raw = data.get(key, [])
    if not isinstance(raw, list):
        raise CalendarDataError(f"{name}: '{key}' phải là mảng bảng [[{key}]] / "
                                "must be an array of tables")
    out: dict[datetime.date, OverrideEntry] = {}
    for i, item in enumerate(raw, start=1):
        where = f"{name}: [[{key}]] mục thứ {i} / entry {i}"
        if not isinstance(item, dict):
            raise CalendarDataError(f"{where}: phải là một bảng / must be a table")
        d = item.get("date")
        if isinstance(d, datetime.date) and not isinstance(d, datetime.datetime):
            where = f"{name}: [[{key}]] {d.isoformat()}"
        unknown = set(item) - _ENTRY_KEYS
        if unknown:
            raise CalendarDataError(f"{where}: khóa không hợp lệ / unknown keys: "
                                    f"{', '.join(sorted(unknown))}")
        if not isinstance(d, datetime.date) or isinstance(d, datetime.datetime):
            raise CalendarDataError(f"{where}: 'date' phải là ngày TOML dạng yyyy-mm-dd / "
                                    "date must be a TOML local date")
        for k in ("reason", "source"):
            if not isinstance(item.get(k), str) or not item[k].strip():
                raise CalendarDataError(f"{where}: thiếu '{k}' / '{k}' missing or empty")
        if not isinstance(item.get("note", ""), str):
            raise CalendarDataError(f"{where}: 'note' phải là chuỗi / must be a string")
        if d in seen:
            raise CalendarDataError(f"{where}: ngày bị khai trùng (đã có trong [[{seen[d]}]]) / "
                                    "duplicate date")
        seen[d] = key
        out[d] = OverrideEntry(d, item["reason"].strip(), item["source"].strip(),
                               item.get("note", "").strip())
    return out


# ---------------------------------------------------------------------------------------------
# the calendar

class WorkingCalendar:
    """Working days of Vietnamese state agencies: ``holidays`` (VN) plus yearly overrides.

    ``WorkingCalendar()`` uses the library alone; :func:`default_calendar` adds the bundled
    overrides and is what the application should use.
    """

    def __init__(self, overrides: CalendarOverrides | None = None):
        self.overrides = overrides if overrides is not None else CalendarOverrides()
        # year -> (holiday names by date, Saturdays/Sundays the library says are worked)
        self._years: dict[int, tuple[dict[datetime.date, str], frozenset[datetime.date]]] = {}

    def _year(self, year: int) -> tuple[dict[datetime.date, str], frozenset[datetime.date]]:
        table = self._years.get(year)
        if table is None:
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise ValueError(f"Năm {year} nằm ngoài phạm vi lịch ({MIN_YEAR}–{MAX_YEAR}) / "
                                 "year outside the supported calendar")
            h = holidays.country_holidays("VN", years=year, language="vi")
            table = (dict(h), frozenset(d for d in h.weekend_workdays if d.year == year))
            self._years[year] = table
        return table

    def day_off_reason(self, d: datetime.date) -> str | None:
        """Why ``d`` is not a working day ("Thứ Bảy", "Tết Nguyên Đán", …); None if it is one."""
        names, worked = self._year(d.year)
        if d in self.overrides.working_days:
            return None
        entry = self.overrides.days_off.get(d)
        if entry is not None:
            return entry.reason
        if d in worked:
            return None
        if d in names:
            return names[d]
        return _WEEKEND_NAMES.get(d.weekday())

    def is_working_day(self, d: datetime.date) -> bool:
        return self.day_off_reason(d) is None

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """The n-th working day after ``start`` (``start`` does not count).

        n = 0 → ``start`` if it is a working day, else the next working day.
        """
        return self._walk(start, _check_count(n, "n"), ())

    def working_days_between(self, a: datetime.date, b: datetime.date) -> int:
        """The number of working days d with a < d <= b (0 if b <= a)."""
        count = 0
        d = a + _ONE_DAY
        while d <= b:
            count += self.is_working_day(d)
            d += _ONE_DAY
        return count

    def days_off_between(self, a: datetime.date, b: datetime.date,
                         ) -> list[tuple[datetime.date, str]]:
        """The days off d with a < d <= b, with their reasons."""
        out = []
        d = a + _ONE_DAY
        while d <= b:
            reason = self.day_off_reason(d)
            if reason is not None:
                out.append((d, reason))
            d += _ONE_DAY
        return out

    def due_date(self, received: datetime.date, limit_days: int,
                 pauses: Sequence[tuple[datetime.date, datetime.date]] = ()) -> datetime.date:
        """Deadline of a dossier received on ``received`` with ``limit_days`` working days.

        Each pause ``(first_day, last_day)``, both inclusive — documents to supplement, waiting
        for tax payment — does not count: working days inside a pause are skipped, so the
        deadline moves by the working days paused before it (overlapping pauses count once; a
        pause that starts after the deadline has passed does not move it).
        """
        spans = _merge_pauses(pauses)
        return self._walk(received, _check_count(limit_days, "limit_days"), spans)

    def _walk(self, start: datetime.date, n: int,
              spans: Sequence[tuple[datetime.date, datetime.date]]) -> datetime.date:
        def counts(d: datetime.date) -> bool:
            return self.is_working_day(d) and not any(a <= d <= b for a, b in spans)

        d = start
        if n == 0:
            while not counts(d):
                d += _ONE_DAY
            return d
        done = 0
        while done < n:
            d += _ONE_DAY
            if counts(d):
                done += 1
        return d


def _check_count(n: int, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{name} phải là số nguyên / must be an int, not {type(n).__name__}")
    if n < 0:
        raise ValueError(f"{name} không được âm / must not be negative: {n}")
    return n


def _merge_pauses(pauses: Iterable[tuple[datetime.date, datetime.date]],
                  ) -> list[tuple[datetime.date, datetime.date]]:
    spans = []
    for first, last in pauses:
        if last < first:
            raise ValueError(f"Khoảng tạm dừng {format_vn_date(first)}–{format_vn_date(last)}: "
                             "ngày kết thúc trước ngày bắt đầu / pause ends before it starts")
        spans.append((first, last))
    spans.sort()
    merged: list[tuple[datetime.date, datetime.date]] = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + _ONE_DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


@functools.cache
def default_calendar() -> WorkingCalendar:
    """The calendar in force: ``holidays`` (VN) plus the bundled overrides (cached)."""
    return WorkingCalendar(load_calendar_overrides())
