"""Cleaning progress per commune: the figures of the monthly report and the dashboard.

Four grouped queries, whatever the size of the store: parcels per commune (index-only on the
parcel key index), the latest run per commune, findings by rule and status, and the parcels
still blocked by an error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, case, distinct, func, select

from datdai.cleaning.findings import Severity, Status
from datdai.db import schema as s

# An error blocks its parcel while open or accepted as it is.
BLOCKING = (Status.OPEN.value, Status.ACCEPTED.value)


@dataclass(slots=True)
class CommuneProgress:
    commune_code: str
    parcels: int = 0  # parcels in the store
    parcels_checked: int = 0  # parcel keys covered by the latest run over the commune
    last_checked_at: dt.datetime | None = None
    findings: dict[str, dict[str, int]] = field(default_factory=dict)  # rule → status → n
    parcels_open_errors: int = 0  # parcels with an open LOI finding
    parcels_blocked: int = 0  # parcels with an open or accepted-as-is LOI finding
    auto_fixed: int = 0  # findings fixed automatically (TU_SUA)

    @property
    def checked(self) -> bool:
        return self.last_checked_at is not None

    @property
    def clean_pct(self) -> float | None:
        """Parcels without any open or accepted LOI finding, % of the parcels (None: never checked)."""
        if not self.checked or not self.parcels:
            return None
        return 100.0 * (self.parcels - self.parcels_blocked) / self.parcels

    def count(self, status: str | None = None, rule: str | None = None) -> int:
        return sum(n for r, by in self.findings.items() if rule in (None, r)
                   for st, n in by.items() if status in (None, st))


def commune_progress(conn: Connection, commune_code: str | None = None) -> list[CommuneProgress]:
    p, f, rc, r = s.parcels, s.findings, s.quality_run_communes, s.quality_runs
    out: dict[str, CommuneProgress] = {}

    def get(code: str) -> CommuneProgress:
        if code not in out:
            out[code] = CommuneProgress(code)
        return out[code]

    q = select(p.c.commune_code, func.count()).group_by(p.c.commune_code)
    if commune_code:
        q = q.where(p.c.commune_code == commune_code)
    for code, n in conn.execute(q):
        get(code).parcels = n

    latest = select(rc.c.commune_code, func.max(rc.c.run_id).label("run_id")).group_by(rc.c.commune_code)
    if commune_code:
        latest = latest.where(rc.c.commune_code == commune_code)
    latest = latest.subquery()
    q = (select(rc.c.commune_code, rc.c.parcels, r.c.finished_at, r.c.started_at)
         .join(latest, and_(latest.c.commune_code == rc.c.commune_code, latest.c.run_id == rc.c.run_id))
         .join(r, r.c.id == rc.c.run_id))
    for code, n, finished, started in conn.execute(q):
        c = get(code)
        c.parcels_checked, c.last_checked_at = n, finished or started

    q = select(f.c.commune_code, f.c.rule_code, f.c.status, func.count()).group_by(
        f.c.commune_code, f.c.rule_code, f.c.status)
    if commune_code:
        q = q.where(f.c.commune_code == commune_code)
    for code, rule, status, n in conn.execute(q):
        if code is None:
            continue
        c = get(code)
        c.findings.setdefault(rule, {})[status] = n
        if status == Status.AUTO_FIXED.value:
            c.auto_fixed += n

    q = (select(f.c.commune_code,
                func.count(distinct(case((f.c.status == Status.OPEN.value, f.c.parcel_id)))),
                func.count(distinct(f.c.parcel_id)))
         .where(f.c.severity == Severity.ERROR.value, f.c.status.in_(BLOCKING), f.c.parcel_id.is_not(None))
         .group_by(f.c.commune_code))
    if commune_code:
        q = q.where(f.c.commune_code == commune_code)
    for code, open_, blocked in conn.execute(q):
        if code is None:
            continue
        c = get(code)
        c.parcels_open_errors, c.parcels_blocked = open_, blocked
    return [out[k] for k in sorted(out)]
