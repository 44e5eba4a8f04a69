"""Whose land is it: the parties a citizen acts as, and the parcels they hold rights on.

A citizen (a personal number, ``so_dinh_danh``) is found as a land user by the number confirmed
on a party (``parties.personal_number``, set by reconciliation) or by an identity document
carrying it (a CCCD recorded before reconciliation). Rights held through a household, a married
couple or a group the citizen is a member of (``party_members``) are the citizen's too, ``via``
``THANH_VIEN``; their own ``TRUC_TIEP``.

Used by C06's ``land-by-citizen`` (``web/api/exchange_c06.py``) and by a citizen's access to their
own parcels (``web/api/parcels.py``): one definition of ownership for both. The statements take the
number as the bind parameter ``number``; every step is an index lookup (``parties.personal_number``,
``identity_documents.number``, ``party_members.member_id``, ``rights.party_id``,
``holding_parcels.holding_id``).
"""

from __future__ import annotations

from sqlalchemy import (
    BindParameter,
    Connection,
    Subquery,
    bindparam,
    func,
    literal,
    select,
    union,
    union_all,
)

from datdai.db import schema as s

DIRECT = "TRUC_TIEP"
MEMBER = "THANH_VIEN"


def number_param(name: str = "number") -> BindParameter:
    return bindparam(name, type_=s.parties.c.personal_number.type)


def citizen_parties(number: BindParameter) -> Subquery:
    """``(id, via)``: one row per party the citizen is (``TRUC_TIEP``) or is a member of
    (``THANH_VIEN``); a party the citizen both is and is a member of counts as ``TRUC_TIEP``."""
    p, d, m = s.parties, s.identity_documents, s.party_members
    # a UNION of two index lookups (an OR of the two lets PostgreSQL fall back to scanning ``parties``)
    own = union(select(p.c.id).where(p.c.personal_number == number),
                select(d.c.party_id).where(d.c.number == number))
    groups = select(m.c.group_id).where(m.c.member_id.in_(own))
    found = union_all(select(p.c.id, literal(DIRECT).label("via")).where(p.c.id.in_(own)),
                      select(p.c.id, literal(MEMBER).label("via")).where(p.c.id.in_(groups))).subquery()
    # "TRUC_TIEP" > "THANH_VIEN"
    return select(found.c.id, func.max(found.c.via).label("via")).group_by(found.c.id).subquery("holders")


def citizen_parcel_ids(number: BindParameter):
    """The ids of the parcels on which the citizen holds a right (land use, or ownership of a house
    or asset registered with the parcel), directly or through a group they are a member of."""
    holders = citizen_parties(number)
    r, hp = s.rights, s.holding_parcels
    return (select(hp.c.parcel_id)
            .select_from(holders.join(r, r.c.party_id == holders.c.id)
                         .join(hp, hp.c.holding_id == r.c.holding_id))
            .distinct())


def citizen_parcels(conn: Connection, number: str | None) -> list[int]:
    """The ids of the parcels held through ``number`` (:func:`citizen_parcel_ids`), sorted."""
    if not number:
        return []
    return sorted(conn.execute(citizen_parcel_ids(number_param()), {"number": number}).scalars())
