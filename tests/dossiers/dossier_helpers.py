"""Helpers for the dossier tests: a store with the small land dataset and the population extract."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from datdai.db.schema import audit_batches, dossier_events, dossiers, holdings, parcels, parties
from datdai.dossiers import dossiers as ds
from datdai.land import repository
from tests.land.factories import citizens, small_dataset

VN = dt.timezone(dt.timedelta(hours=7))
AN = "070065001234"  # Nguyễn Văn An: in the population extract, party P1
BINH = "070168009876"  # Trần Thị Bình: in the extract, party P2


def at(day: str, hour: int = 9) -> dt.datetime:
    """A Vietnam-time instant on ``day`` (YYYY-MM-DD)."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=VN)


def load_land(store) -> None:
    with store.transaction() as conn:
        repository.load_dataset(conn, small_dataset(), actor="t", source="t", reason="t")
        repository.replace_citizens(conn, citizens(), source="t")


def confirm_number(conn, code: str, number: str) -> None:
    """What an applied reconciliation writes: the personal number confirmed on the party (a
    verified link, store/ownership.py)."""
    conn.execute(parties.update().where(parties.c.code == code).values(personal_number=number))


def parcel_id(conn, no: int) -> int:
    return conn.execute(select(parcels.c.id).where(parcels.c.sheet_no == 12, parcels.c.parcel_no == no)).scalar_one()


def party_id(conn, code: str) -> int:
    return conn.execute(select(parties.c.id).where(parties.c.code == code)).scalar_one()


def holding_id(conn, code: str) -> int:
    return conn.execute(select(holdings.c.id).where(holdings.c.code == code)).scalar_one()


def go(conn, d, to: str, role: str, day: str, **kw):
    """Transition ``d`` on ``day`` (09:00 Vietnam time unless ``hour``)."""
    hour = kw.pop("hour", 9)
    return ds.transition(conn, d.id if hasattr(d, "id") else d, to, actor=f"u-{role}", role=role,
                         at=at(day, hour), **kw)


def counts(conn) -> tuple[int, int, int]:
    """(dossiers, dossier events, audit batches): what a refused request must leave unchanged."""
    return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()
                 for t in (dossiers, dossier_events, audit_batches))
