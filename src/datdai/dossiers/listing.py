"""Lists of dossiers: the API's list and the one-stop desk's, with their filters, scope and order.

Who sees which dossier: a citizen their own (by personal number); staff the dossiers of their
communes and the dossiers without a parcel (no commune), which every commune sees. A caller that
filters by one commune has checked the commune is the officer's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection, and_, func, or_, select, true

from datdai.access.principal import Principal
from datdai.access.visibility import scope_clause
from datdai.db.schema import dossiers
from datdai.dossiers import lifecycle as lc
from datdai.dossiers.dossiers import Dossier
from datdai.dossiers.lifecycle import Role

OPEN = "DANG_MO"  # every state that is not final


class Deadline(StrEnum):
    LATE = "qua-han"  # finished late, or open and past the due date (the API's overdue_now)
    ON_TIME = "dung-han"  # finished on or before the due date


class Order(StrEnum):
    NEWEST = "moi-nhat"
    DUE = "han"  # nearest due date first, dossiers without one last


@dataclass(frozen=True)
class DossierFilter:
    state: str | None = None  # a State, OPEN, or None for all
    service_code: str | None = None
    commune_code: str | None = None
    channel: str | None = None
    received: tuple[dt.datetime, dt.datetime] | None = None  # [from, to)
    deadline: Deadline | None = None
    today: dt.date | None = None  # for Deadline.LATE
    order: Order = Order.NEWEST


def _visible(conn: Connection, principal: Principal):
    if principal.role == Role.CITIZEN:
        return dossiers.c.applicant_personal_number == (principal.personal_number or "\x00")
    return scope_clause(conn, principal, dossiers.c.commune_code, unplaced=True)


def _conditions(conn: Connection, principal: Principal, f: DossierFilter) -> list:
    t = dossiers
    final = [str(x) for x in lc.FINAL_STATES]
    cond = [_visible(conn, principal)]
    if f.state == OPEN:
        cond.append(t.c.state.not_in(final))
    elif f.state is not None:
        cond.append(t.c.state == str(f.state))
    if f.received is not None:
        cond += [t.c.received_at >= f.received[0], t.c.received_at < f.received[1]]
    if f.channel:
        cond.append(t.c.channel == f.channel)
    if f.service_code:
        cond.append(t.c.service_code == f.service_code)
    if f.commune_code:
        cond.append(t.c.commune_code == f.commune_code)
    if f.deadline == Deadline.LATE:
        cond.append(or_(t.c.timeliness == lc.Timeliness.QUA_HAN.value,
                        and_(t.c.state.not_in(final), t.c.due_date < (f.today or dt.date.today()))))
    elif f.deadline == Deadline.ON_TIME:
        cond.append(t.c.timeliness.in_([lc.Timeliness.SOM_HAN.value, lc.Timeliness.DUNG_HAN.value]))
    return cond or [true()]


def find_dossiers(conn: Connection, principal: Principal, f: DossierFilter, *, limit: int = 100,
                  offset: int = 0) -> tuple[int, list[Dossier]]:
    """(how many match, one page of them in ``f.order``) among the dossiers ``principal`` sees."""
    t = dossiers
    where = _conditions(conn, principal, f)
    order = (t.c.due_date.is_(None), t.c.due_date, t.c.id) if f.order == Order.DUE else (t.c.id.desc(),)
    total = conn.execute(select(func.count()).select_from(t).where(*where)).scalar_one()
    rows = conn.execute(select(t).where(*where).order_by(*order).limit(limit).offset(offset)).all()
    return total, [Dossier.from_row(r) for r in rows]


def count_by_state(conn: Connection, principal: Principal) -> dict[str, int]:
    """state → number of the dossiers ``principal`` sees."""
    t = dossiers
    return dict(conn.execute(select(t.c.state, func.count()).where(_visible(conn, principal))
                             .group_by(t.c.state)).all())
