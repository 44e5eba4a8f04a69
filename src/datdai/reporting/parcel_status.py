"""Where a parcel stands in the office's work — the one definition the map page colours by and
the GIS layers (export, OGC API – Features) carry. First that applies:

* ``1`` **có lỗi** — an open quality finding (``MO``) on the parcel;
* ``2`` **đang xem xét** — an open reconciliation case (``MO``/``HOAN`` in its party's latest run)
  or a dossier being processed (not finished) on the parcel;
* ``0`` **sạch** — neither.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, and_, select

from datdai.cleaning.findings import Status
from datdai.db import schema as s
from datdai.dossiers import lifecycle as lc
from datdai.matching.reconcile_results import IN_REVIEW
from datdai.matching.reconcile_review import latest_runs_by_party

CLEAN, HAS_FINDINGS, IN_REVIEW_STATUS = 0, 1, 2
STATUS_LABELS = {CLEAN: "Sạch", HAS_FINDINGS: "Có lỗi dữ liệu", IN_REVIEW_STATUS: "Đang xem xét"}
STATUS_CODES = {CLEAN: "SACH", HAS_FINDINGS: "CO_LOI", IN_REVIEW_STATUS: "DANG_XEM_XET"}


def parcel_statuses(conn: Connection, commune: str | None = None, parcel_id: int | None = None, *,
                    parcel_ids: Sequence[int] | None = None) -> dict[int, int]:
    """parcel id → status, only for the parcels that are not clean: of a commune (``commune``), of
    one parcel (``parcel_id``) or of a list of parcels (``parcel_ids``), or of the whole store."""
    f, r, d = s.findings, s.reconcile_results, s.dossiers
    out: dict[int, int] = {}
    latest = latest_runs_by_party()

    def where(table) -> list:
        conds = [table.c.parcel_id.is_not(None)]
        if commune is not None:
            conds.append(table.c.commune_code == commune)
        if parcel_id is not None:
            conds.append(table.c.parcel_id == parcel_id)
        if parcel_ids is not None:
            conds.append(table.c.parcel_id.in_(list(parcel_ids)))
        return conds

    if parcel_ids is not None and not parcel_ids:
        return out
    reviews = conn.execute(
        select(r.c.parcel_id).distinct()
        .join(latest, and_(latest.c.party_id == r.c.party_id, latest.c.run_id == r.c.run_id))
        .where(r.c.status.in_(IN_REVIEW), *where(r))).scalars()
    for pid in reviews:
        out[pid] = IN_REVIEW_STATUS
    open_dossiers = conn.execute(
        select(d.c.parcel_id).distinct().where(d.c.state.not_in([str(x) for x in lc.FINAL_STATES]),
                                              *where(d))).scalars()
    for pid in open_dossiers:
        out[pid] = IN_REVIEW_STATUS
    for pid in conn.execute(select(f.c.parcel_id).distinct().where(f.c.status == Status.OPEN.value,
                                                                   *where(f))).scalars():
        out[pid] = HAS_FINDINGS
    return out
