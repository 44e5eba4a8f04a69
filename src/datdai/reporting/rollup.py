"""Roll-up: a province's or the ministry's report adds up its offices' figures, read from their
figure files (``datdai report --format json``) or straight from their stores, without retyping.

The rolled-up :class:`~datdai.reporting.figures.MonthFigures` has one row per office in ``units``
(the office's totals) and their sum in ``unit_totals``; services are added up by code (an office
whose file lacks a service does not offer it: it adds nothing to ``offices``); the 12-month series
is added up month by month. A land user holding land with two offices counts twice: the offices'
figures carry no identities to tell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path

from datdai.db.engine import resolve_url
from datdai.db.store import open_store
from datdai.reporting.build import store_source
from datdai.reporting.content import in_text, province_of
from datdai.reporting.figures import (
    FigureFile,
    FiguresFileError,
    MonthFigures,
    Office,
    ProgressRow,
    SeriesPoint,
    ServiceRow,
    from_json,
    sum_services,
    sum_units,
)

_SERVICE_COUNTS = ("offices", "offices_connected", "total", "online", "on_time", "overdue", "digitized")
_SERIES_COUNTS = ("total", "online", "on_time", "overdue", "digitized")


def _office_row(part: FigureFile) -> ProgressRow:
    t = part.figures.unit_totals
    counts = {f.name: getattr(t, f.name) for f in fields(ProgressRow) if f.name not in ("code", "name", "district")}
    return ProgressRow(code=part.office.code, name=part.office.name, district=None, **counts)


def _services(parts: Sequence[FigureFile]) -> list[ServiceRow]:
    names: dict[str, str] = {}
    sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_SERVICE_COUNTS, 0))
    for part in parts:
        for r in part.figures.services:
            names.setdefault(r.code, r.name)
            for k in _SERVICE_COUNTS:
                sums[r.code][k] += getattr(r, k)
    return [ServiceRow(code=c, name=names[c], **sums[c]) for c in sorted(sums)]


def _series(parts: Sequence[FigureFile]) -> list[SeriesPoint]:
    months = sorted({p.month for part in parts for p in part.figures.series})
    out = []
    for m in months:
        points = [p for part in parts for p in part.figures.series if p.month == m]
        by: dict[str, int] = defaultdict(int)
        for p in points:
            for code, n in p.by_service:
                by[code] += n
        out.append(SeriesPoint(month=m, **{k: sum(getattr(p, k) for p in points) for k in _SERIES_COUNTS},
                               by_service=tuple(sorted(by.items()))))
    return out


def rollup(parts: Sequence[FigureFile], office: Office) -> FigureFile:
    """The figures of ``office`` as the sum of ``parts`` (all of one month)."""
    if not parts:
        raise FiguresFileError("không có số liệu đơn vị nào để tổng hợp / nothing to add up")
    months = {p.figures.month for p in parts}
    if len(months) > 1:
        raise FiguresFileError("các tệp số liệu không cùng tháng / the figure files are of different months: "
                               + ", ".join(sorted(months)))
    codes = [p.office.code for p in parts]
    dup = sorted({c for c in codes if codes.count(c) > 1 and c})
    if dup:
        raise FiguresFileError(f"đơn vị bị tổng hợp hai lần / an office is counted twice: {', '.join(dup)}")
    services = _services(parts)
    units = [_office_row(p) for p in parts]
    scopes = [p.figures.scope for p in parts]
    scope = None if any(s is None for s in scopes) else tuple(sorted({c for s in scopes for c in s}))
    figures = MonthFigures(month=months.pop(), as_of=max(p.figures.as_of for p in parts), scope=scope,
                           services=tuple(services), service_totals=sum_services(services), units=tuple(units),
                           unit_totals=sum_units(units), series=tuple(_series(parts)))
    return FigureFile(office, figures)


def rollup_office_name(texts, parts: Sequence[FigureFile]) -> str:
    """The body that adds the offices up: the issuing body entered, else the province's
    Department of Agriculture and Environment (Sở Nông nghiệp và Môi trường)."""

    if texts.issuer:
        return texts.issuer
    codes = [c for p in parts for c in (*(p.figures.scope or ()), *(u.code for u in p.figures.units))]
    province = province_of(codes)
    return f"Sở Nông nghiệp và Môi trường {in_text(province)}" if province else "Sở Nông nghiệp và Môi trường"


def read_source(source: str, month: str, *, as_of=None) -> FigureFile:
    """One office's figures: a figure file (``*.json``), or a store (URL or SQLite path) read now
    for ``month`` (the whole store; the office named by its texts, else by its province)."""
    path = Path(source)
    if source.lower().endswith(".json"):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FiguresFileError(f"{source}: không đọc được tệp / cannot read ({exc.strerror})") from None
        part = from_json(data, source=source)
        if part.figures.month != month:
            raise FiguresFileError(f"{source}: số liệu tháng {part.figures.month}, không phải {month} / "
                                   "figures of another month")
        return part

    store = open_store(resolve_url(source))
    try:
        with store.read() as conn:
            part, _ = store_source(conn, month, as_of=as_of)
    finally:
        store.close()
    return part


__all__ = ["read_source", "rollup", "rollup_office_name"]
