"""The figures of the monthly Project 06 report — the one place the report and the dashboard
read them from.

:func:`month_figures` gives, for a month and a set of communes (None: the whole store):

* one :class:`ServiceRow` per stored service — dossiers received in the month, online, on time,
  overdue, digitized (the definitions of :mod:`datdai.dossiers.stats`), and whether the service is
  connected to the National Public Service Portal (``portal_connected`` of the service definition,
  see :mod:`datdai.dossiers.catalog`) — and their sum;
* one :class:`ProgressRow` per commune of the store — parcels; parcels checked by the latest
  quality run over the commune; parcels *standardised* on the spatial side (no open or
  accepted-as-is error of a map rule, :data:`SPATIAL_RULES`), on the attribute side (no such
  error of any other rule) and *clean* (no such error at all) — 0 until the commune is checked;
  findings open and fixed; land users, of them reconciled with the population register, matched,
  and updated from it (:mod:`datdai.matching.reconcile_progress`); and whether the commune's land data
  is connected with the population register (a reconciliation result is recorded for it) — and
  their sum, in which a land user holding land in several communes counts once.

:func:`monthly_series` gives the dossier figures of several months (the 12-month charts).

Dossier figures are counted for the month; the cleaning and reconciliation figures are the
store's state when they are read (the store keeps no month-end snapshot of them).

Roll-up file (``datdai report --format json``; :func:`to_json` / :func:`from_json`)
------------------------------------------------------------------------------------
UTF-8 JSON, one object::

    {"format": "datdai-bao-cao-thang", "version": 1,
     "office": {"code": "70", "name": "Văn phòng Đăng ký đất đai tỉnh …"},
     "month": "2025-10", "as_of": "2025-11-05", "scope": ["25195", …] | null,
     "services": [{"code", "name", "offices", "offices_connected", "total", "online",
                   "on_time", "overdue", "digitized"}, …],
     "service_totals": {same keys},
     "units": [{"code", "name", "district", "communes", "communes_connected", "parcels",
                "parcels_checked", "parcels_spatial_ok", "parcels_attribute_ok", "parcels_clean",
                "findings_open", "findings_fixed", "land_users", "land_users_reconciled",
                "land_users_matched", "land_users_updated"}, …],
     "unit_totals": {same keys},
     "series": [{"month", "total", "online", "on_time", "overdue", "digitized",
                 "by_service": {"CHUYEN_QUYEN": 12, …}}, …]}

Every count is a whole number ≥ 0; rates are not stored (they are recomputed from the counts).
``offices``/``offices_connected`` are 1 and 0/1 in one office's file and add up in a roll-up;
``communes``/``communes_connected`` are 1 and 0/1 for a commune row. ``district`` may be null.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import Connection, case, distinct, func, select

from datdai.cleaning.findings import Severity, Status
from datdai.cleaning.registry import all_rules
from datdai.cleaning.store_progress import BLOCKING, commune_progress
from datdai.db import schema as s
from datdai.dossiers.calendar import default_calendar
from datdai.dossiers.lifecycle import local_date
from datdai.dossiers.registry import list_services
from datdai.dossiers.stats import month_bounds, monthly_stats
from datdai.kernel.errors import InvalidInput
from datdai.land.places import commune_places
from datdai.matching.reconcile_progress import land_user_totals, reconcile_progress

FORMAT, VERSION = "datdai-bao-cao-thang", 1

# Rules about the map (geometry, the map's parcels; each says so: ``Rule.spatial``): the rest
# concern the attribute data.
SPATIAL_RULES = tuple(r.code for r in all_rules() if r.spatial)

TOTAL_CODE, TOTAL_NAME = "TONG", "Tổng cộng"


def pct(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` (None when ``whole`` is 0)."""
    return 100.0 * part / whole if whole else None


@dataclass(frozen=True)
class ServiceRow:
    """Dossiers of one service received in the month (or the sum, code ``TONG``)."""

    code: str
    name: str
    offices: int  # reporting offices (1 in one office's figures)
    offices_connected: int  # of them, with the service connected to the national portal
    total: int
    online: int
    on_time: int
    overdue: int
    digitized: int

    @property
    def portal_connected(self) -> bool:
        return self.offices > 0 and self.offices_connected == self.offices

    @property
    def online_pct(self) -> float | None:
        return pct(self.online, self.total)

    @property
    def on_time_pct(self) -> float | None:
        """On time, % of the dossiers with a verdict (on time + overdue)."""
        return pct(self.on_time, self.on_time + self.overdue)

    @property
    def digitized_pct(self) -> float | None:
        return pct(self.digitized, self.total)


@dataclass(frozen=True)
class ProgressRow:
    """Cleaning and reconciliation figures of a commune (or of an office in a roll-up, or the sum)."""

    code: str
    name: str
    district: str | None
    communes: int
    communes_connected: int
    parcels: int
    parcels_checked: int
    parcels_spatial_ok: int
    parcels_attribute_ok: int
    parcels_clean: int
    findings_open: int
    findings_fixed: int
    land_users: int
    land_users_reconciled: int
    land_users_matched: int
    land_users_updated: int

    @property
    def connected(self) -> bool:
        return self.communes > 0 and self.communes_connected == self.communes

    @property
    def spatial_pct(self) -> float | None:
        return pct(self.parcels_spatial_ok, self.parcels)

    @property
    def attribute_pct(self) -> float | None:
        return pct(self.parcels_attribute_ok, self.parcels)

    @property
    def clean_pct(self) -> float | None:
        return pct(self.parcels_clean, self.parcels)

    @property
    def reconciled_pct(self) -> float | None:
        return pct(self.land_users_reconciled, self.land_users)

    @property
    def updated_pct(self) -> float | None:
        return pct(self.land_users_updated, self.land_users)


@dataclass(frozen=True)
class SeriesPoint:
    """The dossier figures of one month (all services), and the total per service."""

    month: str
    total: int
    online: int
    on_time: int
    overdue: int
    digitized: int
    by_service: tuple[tuple[str, int], ...] = ()  # (service code, total), by code

    @property
    def online_pct(self) -> float | None:
        return pct(self.online, self.total)

    @property
    def on_time_pct(self) -> float | None:
        return pct(self.on_time, self.on_time + self.overdue)


@dataclass(frozen=True)
class MonthFigures:
    month: str  # YYYY-MM
    as_of: dt.date  # open dossiers are overdue as of this day; cleaning figures read then
    scope: tuple[str, ...] | None  # the communes counted; None = the whole store
    services: tuple[ServiceRow, ...]
    service_totals: ServiceRow
    units: tuple[ProgressRow, ...]  # communes (an office's figures) or offices (a roll-up)
    unit_totals: ProgressRow
    series: tuple[SeriesPoint, ...] = ()  # months before and including ``month`` (charts)

    @property
    def services_connected(self) -> int:
        return sum(r.portal_connected for r in self.services)

    def service(self, code: str) -> ServiceRow:
        for r in self.services:
            if r.code == code:
                return r
        raise KeyError(code)

    def unit(self, code: str) -> ProgressRow:
        for r in self.units:
            if r.code == code:
                return r
        raise KeyError(code)


# ------------------------------------------------------------------------------------ reading


def _service_rows(conn: Connection, month: str, communes, as_of, calendar) -> list[ServiceRow]:
    connected = {sv.code: sv.portal_connected for sv in list_services(conn)}
    return [ServiceRow(code=r.service_code, name=r.service_name, offices=1,
                       offices_connected=int(connected.get(r.service_code, False)), total=r.total,
                       online=r.online, on_time=r.on_time, overdue=r.overdue, digitized=r.digitized)
            for r in monthly_stats(conn, month, as_of=as_of, calendar=calendar, communes=communes)]


def sum_services(rows: Iterable[ServiceRow], *, code: str = TOTAL_CODE, name: str = TOTAL_NAME) -> ServiceRow:
    rows = list(rows)
    return ServiceRow(code=code, name=name, **{f: sum(getattr(r, f) for r in rows) for f in (
        "offices", "offices_connected", "total", "online", "on_time", "overdue", "digitized")})


_PROGRESS_COUNTS = tuple(f.name for f in fields(ProgressRow) if f.name not in ("code", "name", "district"))


def sum_units(rows: Iterable[ProgressRow], *, code: str = TOTAL_CODE, name: str = TOTAL_NAME,
              **override: int) -> ProgressRow:
    """The sum of the rows (``override`` replaces some sums, e.g. distinct land users)."""
    rows = list(rows)
    sums = {f: sum(getattr(r, f) for r in rows) for f in _PROGRESS_COUNTS}
    return ProgressRow(code=code, name=name, district=None, **{**sums, **override})


def _commune_name(code: str, name: str | None) -> str:
    """The name of the store or the old reference list, else of the 2025 list, else "Xã {code}"."""
    if name is None:
        from datdai.kernel.admin_units import new_commune  # the 2025 lists: loaded when needed

        name = new.name if (new := new_commune(code)) is not None else None
    return name or f"Xã {code}"


def _spatial_attribute_blocked(conn: Connection, communes) -> dict[str, tuple[int, int]]:
    """commune → (parcels blocked by a map rule's error, by another rule's error)."""
    f = s.findings
    spatial = f.c.rule_code.in_(SPATIAL_RULES)
    q = (select(f.c.commune_code,
                func.count(distinct(case((spatial, f.c.parcel_id)))),
                func.count(distinct(case((~spatial, f.c.parcel_id)))))
         .where(f.c.severity == Severity.ERROR.value, f.c.status.in_(BLOCKING), f.c.parcel_id.is_not(None))
         .group_by(f.c.commune_code))
    if communes is not None:
        q = q.where(f.c.commune_code.in_(sorted(communes)))
    return {code: (int(a), int(b)) for code, a, b in conn.execute(q) if code is not None}


def _connected(conn: Connection, communes) -> set[str]:
    r = s.reconcile_results
    q = select(r.c.commune_code).where(r.c.commune_code.is_not(None)).distinct()
    if communes is not None:
        q = q.where(r.c.commune_code.in_(sorted(communes)))
    return set(conn.execute(q).scalars())


def _progress_rows(conn: Connection, communes) -> tuple[list[ProgressRow], ProgressRow]:
    progress = {p.commune_code: p for p in commune_progress(conn)
                if communes is None or p.commune_code in communes}
    users = {f.code: f for f in reconcile_progress(conn).communes
             if communes is None or f.code in communes}
    blocked = _spatial_attribute_blocked(conn, communes)
    connected = _connected(conn, communes)
    codes = sorted(set(progress) | set(users))
    places = commune_places(conn, codes)
    rows = []
    for c in codes:
        p, u = progress.get(c), users.get(c)
        parcels = p.parcels if p else 0
        checked = bool(p and p.checked)
        spatial, attribute = blocked.get(c, (0, 0))
        rows.append(ProgressRow(
            code=c, name=_commune_name(c, places[c].name), district=places[c].district_name, communes=1, communes_connected=int(c in connected),
            parcels=parcels, parcels_checked=p.parcels_checked if p else 0,
            parcels_spatial_ok=max(parcels - spatial, 0) if checked else 0,
            parcels_attribute_ok=max(parcels - attribute, 0) if checked else 0,
            parcels_clean=max(parcels - p.parcels_blocked, 0) if checked else 0,
            findings_open=p.count(Status.OPEN.value) if p else 0,
            findings_fixed=(p.count(Status.AUTO_FIXED.value) + p.count(Status.FIXED.value)) if p else 0,
            land_users=u.land_users if u else 0,
            land_users_reconciled=(u.land_users - u.not_reconciled) if u else 0,
            land_users_matched=u.matched if u else 0, land_users_updated=u.enriched if u else 0))
    everyone = land_user_totals(conn, communes)
    totals = sum_units(rows, land_users=everyone.land_users,
                       land_users_reconciled=everyone.land_users - everyone.not_reconciled,
                       land_users_matched=everyone.matched, land_users_updated=everyone.enriched)
    return rows, totals


def _today() -> dt.date:
    return local_date(dt.datetime.now(dt.UTC))


def month_figures(conn: Connection, month: str, *, communes: Collection[str] | None = None,
                  as_of: dt.date | None = None, calendar=None, series_months: int = 0) -> MonthFigures:
    """The report's figures for ``month`` (YYYY-MM; a bad month raises
    :class:`~datdai.dossiers.errors.InvalidInput`) over ``communes`` (None: the whole store;
    otherwise every figure counts only those communes). ``as_of``: the day open dossiers are
    judged overdue (default today, Vietnam time). ``series_months`` > 0 adds the dossier figures
    of that many months up to ``month`` (:func:`monthly_series`)."""
    month_bounds(month)  # validates
    as_of = as_of or _today()
    if calendar is None:
        calendar = default_calendar()
    scope = None if communes is None else frozenset(communes)
    services = _service_rows(conn, month, scope, as_of, calendar)
    units, totals = _progress_rows(conn, scope)
    series = monthly_series(conn, last_months(month, series_months), communes=scope, as_of=as_of,
                            calendar=calendar) if series_months > 0 else ()
    return MonthFigures(month=month, as_of=as_of, scope=None if scope is None else tuple(sorted(scope)),
                        services=tuple(services), service_totals=sum_services(services),
                        units=tuple(units), unit_totals=totals, series=tuple(series))


def last_months(month: str, n: int = 12) -> list[str]:
    """The ``n`` months ending with ``month``, oldest first: ("2025-03", 3) → 2025-01 … 2025-03."""
    month_bounds(month)
    y, m = int(month[:4]), int(month[5:])
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def monthly_series(conn: Connection, months: Sequence[str], *, communes: Collection[str] | None = None,
                   as_of: dt.date | None = None, calendar=None) -> tuple[SeriesPoint, ...]:
    """The dossier figures of each month in ``months`` (in that order), over ``communes``."""
    as_of = as_of or _today()
    if calendar is None:
        calendar = default_calendar()
    out = []
    for m in months:
        rows = monthly_stats(conn, m, as_of=as_of, calendar=calendar, communes=communes)
        out.append(SeriesPoint(
            month=m, **{f: sum(getattr(r, f) for r in rows) for f in ("total", "online", "on_time", "overdue",
                                                                     "digitized")},
            by_service=tuple((r.service_code, r.total) for r in rows)))
    return tuple(out)


# ------------------------------------------------------------------------------------ JSON


class FiguresFileError(InvalidInput, ValueError):
    """A figure file that is not JSON or not in the roll-up format (the message names the field)."""


@dataclass(frozen=True)
class Office:
    code: str  # the office's scope: province or commune codes joined by ',', '' = the whole store
    name: str


@dataclass(frozen=True)
class FigureFile:
    """One office's figures as exchanged for a roll-up."""

    office: Office
    figures: MonthFigures


def to_json(figures: MonthFigures, office: Office) -> str:
    """The roll-up file of ``figures`` (format in the module doc)."""
    counts = asdict
    doc = {
        "format": FORMAT, "version": VERSION,
        "office": {"code": office.code, "name": office.name},
        "month": figures.month, "as_of": figures.as_of.isoformat(),
        "scope": list(figures.scope) if figures.scope is not None else None,
        "services": [counts(r) for r in figures.services],
        "service_totals": counts(figures.service_totals),
        "units": [counts(r) for r in figures.units],
        "unit_totals": counts(figures.unit_totals),
        "series": [{**{k: v for k, v in asdict(p).items() if k != "by_service"},
                    "by_service": dict(p.by_service)} for p in figures.series],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def _count(obj: Mapping, key: str, where: str) -> int:
    v = obj.get(key)
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise FiguresFileError(f"{where}.{key}: cần số nguyên ≥ 0, nhận được {v!r} / a whole number >= 0 expected")
    return v


def _text(obj: Mapping, key: str, where: str, *, optional: bool = False) -> str | None:
    v = obj.get(key)
    if v is None and optional:
        return None
    if not isinstance(v, str):
        raise FiguresFileError(f"{where}.{key}: cần chuỗi, nhận được {v!r} / a string expected")
    return v


def _obj(v: Any, where: str) -> Mapping:
    if not isinstance(v, dict):
        raise FiguresFileError(f"{where}: cần một đối tượng JSON / an object expected")
    return v


def _list(v: Any, where: str) -> list:
    if not isinstance(v, list):
        raise FiguresFileError(f"{where}: cần một danh sách / a list expected")
    return v


def _service(v: Any, where: str) -> ServiceRow:
    o = _obj(v, where)
    row = ServiceRow(code=_text(o, "code", where), name=_text(o, "name", where),
                     **{f: _count(o, f, where) for f in ("offices", "offices_connected", "total", "online",
                                                         "on_time", "overdue", "digitized")})
    if row.offices_connected > row.offices or row.online > row.total or row.digitized > row.total \
            or row.on_time + row.overdue > row.total:
        raise FiguresFileError(f"{where}: số liệu không nhất quán (thành phần lớn hơn tổng) / "
                               "inconsistent counts (a part exceeds its total)")
    return row


def _unit(v: Any, where: str) -> ProgressRow:
    o = _obj(v, where)
    row = ProgressRow(code=_text(o, "code", where), name=_text(o, "name", where),
                      district=_text(o, "district", where, optional=True),
                      **{f: _count(o, f, where) for f in _PROGRESS_COUNTS})
    parts = (("communes_connected", "communes"), ("parcels_checked", "parcels"),
             ("parcels_spatial_ok", "parcels"), ("parcels_attribute_ok", "parcels"), ("parcels_clean", "parcels"),
             ("land_users_reconciled", "land_users"), ("land_users_matched", "land_users"),
             ("land_users_updated", "land_users"))
    for part, whole in parts:
        if getattr(row, part) > getattr(row, whole):
            raise FiguresFileError(f"{where}.{part}: lớn hơn {whole} / exceeds {whole}")
    return row


def _month(value: str, where: str) -> str:
    try:
        month_bounds(value)
    except InvalidInput:
        raise FiguresFileError(f"{where}: tháng không hợp lệ {value!r} (YYYY-MM) / invalid month") from None
    return value


def from_json(text: str | bytes, *, source: str = "tệp số liệu") -> FigureFile:
    """Read a roll-up file; :class:`FiguresFileError` names ``source`` and the field at fault."""
    try:
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FiguresFileError(f"{source}: không phải JSON hợp lệ / not valid JSON ({exc})") from None
    try:
        doc = _obj(doc, "(gốc)")
        if doc.get("format") != FORMAT:
            raise FiguresFileError(f"format: cần '{FORMAT}', nhận được {doc.get('format')!r} / not a figure file")
        if doc.get("version") != VERSION:
            raise FiguresFileError(f"version: phiên bản {doc.get('version')!r} không được hỗ trợ (cần {VERSION})")
        office = _obj(doc.get("office"), "office")
        month = _text(doc, "month", "(gốc)")
        _month(month, "month")
        try:
            as_of = dt.date.fromisoformat(_text(doc, "as_of", "(gốc)"))
        except ValueError:
            raise FiguresFileError("as_of: ngày không hợp lệ (YYYY-MM-DD) / invalid date") from None
        scope = doc.get("scope")
        if scope is not None and not (isinstance(scope, list) and all(isinstance(c, str) for c in scope)):
            raise FiguresFileError("scope: cần danh sách mã xã hoặc null / a list of codes or null")
        services = [_service(v, f"services[{i}]") for i, v in enumerate(_list(doc.get("services"), "services"))]
        units = [_unit(v, f"units[{i}]") for i, v in enumerate(_list(doc.get("units"), "units"))]
        series = []
        for i, v in enumerate(_list(doc.get("series", []), "series")):
            where = f"series[{i}]"
            o = _obj(v, where)
            by = _obj(o.get("by_service", {}), f"{where}.by_service")
            series.append(SeriesPoint(
                month=_month(_text(o, "month", where), f"{where}.month"),
                **{f: _count(o, f, where) for f in ("total", "online", "on_time", "overdue", "digitized")},
                by_service=tuple(sorted((str(k), _count(by, k, f"{where}.by_service")) for k in by))))
        figures = MonthFigures(
            month=month, as_of=as_of, scope=tuple(scope) if scope is not None else None,
            services=tuple(services), service_totals=_service(doc.get("service_totals"), "service_totals"),
            units=tuple(units), unit_totals=_unit(doc.get("unit_totals"), "unit_totals"), series=tuple(series))
        return FigureFile(Office(_text(office, "code", "office"), _text(office, "name", "office")), figures)
    except FiguresFileError as exc:
        raise FiguresFileError(f"{source}: {exc}") from None


__all__ = [
    "SPATIAL_RULES", "FigureFile", "FiguresFileError", "MonthFigures", "Office", "ProgressRow", "SeriesPoint",
    "ServiceRow", "from_json", "last_months", "month_figures", "monthly_series", "pct", "sum_services",
    "sum_units", "to_json",
]
