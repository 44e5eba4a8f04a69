"""Monthly dossier statistics: the table of the monthly report, per service.

Definitions (for ``month`` = YYYY-MM, days in Vietnam time, UTC+7):

* **total** — dossiers *received* (``received_at``, state DA_TIEP_NHAN reached) in the month.
  Dossiers submitted but never received (still DA_NOP, or rejected / withdrawn before receipt) are
  not counted in any month.
* **online** — of those, submitted through the portal (channel ONLINE).
* **online_rate** — online / total, a ratio 0..1 (0.0 when total is 0).
* **on_time** — of those, finished (result returned or rejected after receipt) on or before
  their due date (returned early included).
* **overdue** — of those, finished after their due date, plus those still open that are past
  their due date on ``as_of`` (default today; time in a running pause not counted). Withdrawn
  dossiers are neither on time nor overdue.
* **digitized** — of those, dossiers with at least one stored document, all flagged digitized.

Figures reflect the dossiers' current state: a past month's "overdue" grows while its dossiers
stay open. ``communes`` restricts the count to dossiers on parcels of those communes (a dossier
with no commune is then left out); None counts every dossier.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, case, func, select

from datdai.db.schema import dossier_documents, dossier_pauses, dossiers
from datdai.dossiers import lifecycle as lc
from datdai.dossiers.calendar import default_calendar
from datdai.dossiers.catalog import service_limit
from datdai.dossiers.registry import list_services
from datdai.kernel.dates import parse_month


@dataclass(frozen=True)
class ServiceStats:
    service_code: str
    service_name: str
    total: int
    online: int
    online_rate: float
    on_time: int
    overdue: int
    digitized: int


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a month in Vietnam time, as UTC instants."""
    y, mo = parse_month(month)  # InvalidInput: not YYYY-MM, or a year out of range
    start = dt.datetime(y, mo, 1, tzinfo=lc.VN_TZ)
    end = dt.datetime(y + (mo == 12), mo % 12 + 1, 1, tzinfo=lc.VN_TZ)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def monthly_stats(conn: Connection, month: str, *, as_of: dt.date | None = None,
                  calendar=None, communes: Collection[str] | None = None) -> list[ServiceStats]:
    """One row per stored service (zero rows included), by service code; see the module doc."""
    start, end = month_bounds(month)
    as_of = as_of or lc.local_date(dt.datetime.now(dt.UTC))
    if calendar is None:
        calendar = default_calendar()
    catalog = {s.code: s for s in list_services(conn)}
    docs = (select(dossier_documents.c.dossier_id,
                   func.count().label("n"),
                   func.sum(case((dossier_documents.c.digitized.is_(True), 1), else_=0)).label("nd"))
            .group_by(dossier_documents.c.dossier_id).subquery())
    q = (select(dossiers.c.id, dossiers.c.service_code, dossiers.c.channel, dossiers.c.state,
                dossiers.c.timeliness, dossiers.c.received_at, dossiers.c.disadvantaged, docs.c.n, docs.c.nd)
         .outerjoin(docs, docs.c.dossier_id == dossiers.c.id)
         .where(dossiers.c.received_at >= start, dossiers.c.received_at < end))
    if communes is not None:
        q = q.where(dossiers.c.commune_code.in_(sorted(set(communes))))
    rows = conn.execute(q).all()
    open_ids = [r.id for r in rows if r.state not in lc.FINAL_STATES]
    stops: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for i in range(0, len(open_ids), 1000):
        for p in conn.execute(select(dossier_pauses.c.dossier_id, dossier_pauses.c.paused_from,
                                     dossier_pauses.c.paused_to)
                              .where(dossier_pauses.c.dossier_id.in_(open_ids[i:i + 1000]))
                              .order_by(dossier_pauses.c.id)):
            stops[p.dossier_id].append((p.paused_from, p.paused_to))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        c = counts[r.service_code]
        c["total"] += 1
        c["online"] += r.channel == lc.Channel.ONLINE
        c["digitized"] += bool(r.n) and r.n == r.nd
        if r.timeliness in (lc.Timeliness.SOM_HAN, lc.Timeliness.DUNG_HAN):
            c["on_time"] += 1
        elif r.timeliness == lc.Timeliness.QUA_HAN:
            c["overdue"] += 1
        elif r.state not in lc.FINAL_STATES and r.service_code in catalog:
            limit = service_limit(catalog[r.service_code], r.disadvantaged)
            c["overdue"] += lc.overdue_now(calendar, state=lc.State(r.state), received=lc.local_date(r.received_at),
                                           limit_days=limit, pauses=stops[r.id], today=as_of)
    out = []
    for code in sorted(set(catalog) | set(counts)):
        c = counts.get(code, {})
        total = c.get("total", 0)
        out.append(ServiceStats(
            service_code=code, service_name=catalog[code].name if code in catalog else code, total=total,
            online=c.get("online", 0), online_rate=(c.get("online", 0) / total) if total else 0.0,
            on_time=c.get("on_time", 0), overdue=c.get("overdue", 0), digitized=c.get("digitized", 0)))
    return out
