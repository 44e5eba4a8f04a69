"""Whose land is it: the parties a citizen acts as, and the parcels they hold rights on.

A citizen (a personal number, ``so_dinh_danh``) is linked to a land-user record in two ways:

* **confirmed** — the number is the party's ``parties.personal_number``. Only an applied
  reconciliation result writes it (``store/reconcile_apply.py``): a ``KHOP`` of the matcher (whose
  evidence includes a CCCD chip/QR code read at the desk, stage ``CMND_TO_CCCD_QR``) or a person's
  decision in the review queue (``CHON``); undoing the application removes it;
* **recorded** — only an identity document of the party carries the number
  (``identity_documents.number``, as the register wrote it, maybe by mistake).

A link is **disputed** while an open quality finding on an identity rule (``ID_*``) or an open or
postponed reconciliation review (status ``MO`` / ``HOAN``, e.g. a ``CAN_XAC_MINH`` result) is about
that party. A link is **verified** when confirmed and not disputed. Rights held through a household,
a married couple or a group the citizen is a member of (``party_members``) are the citizen's too,
``via`` ``THANH_VIEN`` (with the member link's verification); their own ``TRUC_TIEP``.

Used by C06's ``land-by-citizen`` (``web/api/exchange_c06.py``: every undisputed link, each marked
verified or not; a disputed one is never presented as the citizen's), by a citizen's access to
their own parcels (``web/api/parcels.py``: verified links only) and by the dossiers a citizen may
file (``services/dossiers.py``). The statements take the number as the bind parameter ``number``;
every step is an index lookup (``parties.personal_number``, ``identity_documents.number``,
``party_members.member_id``, ``findings.party_id``, ``reconcile_results.party_id``, ``rights.party_id``,
``holding_parcels.holding_id``).
"""

from __future__ import annotations

from sqlalchemy import (
    BindParameter,
    Connection,
    Subquery,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)

from datdai.db import schema as s

# Stored values this module reads but does not own (land sits below cleaning and matching): an
# open finding (cleaning.findings.Status.OPEN) and a review still open or postponed
# (matching.reconcile_results.IN_REVIEW). tests/land/test_ownership.py checks they agree.
FINDING_OPEN = "MO"
REVIEW_OPEN = ("MO", "HOAN")

DIRECT = "TRUC_TIEP"
MEMBER = "THANH_VIEN"


def number_param(name: str = "number") -> BindParameter:
    return bindparam(name, type_=s.parties.c.personal_number.type)


def disputed(party_id) -> object:
    """1 when an open identity finding or an open review is about the party, else 0."""
    f, rr = s.findings, s.reconcile_results
    finding = exists(select(f.c.id).where(f.c.party_id == party_id, f.c.status == FINDING_OPEN,
                                          f.c.rule_code.like("ID\\_%", escape="\\")))
    # an OR of plain comparisons, not an expanding IN: the raw reads of web/reads.py bind it once
    review = exists(select(rr.c.id).where(rr.c.party_id == party_id,
                                          or_(*(rr.c.status == st for st in REVIEW_OPEN))))
    return case((finding | review, 1), else_=0)


def citizen_parties(number: BindParameter) -> Subquery:
    """``(id, via, verified, disputed)``: one row per party the citizen is (``TRUC_TIEP``) or is a
    member of (``THANH_VIEN``); a party the citizen both is and is a member of counts as
    ``TRUC_TIEP``. ``verified`` (1/0): some link to it is confirmed and undisputed; ``disputed``
    (1/0): every link to it is disputed."""
    p, d, m = s.parties, s.identity_documents, s.party_members
    # a UNION of two index lookups (an OR of the two lets PostgreSQL fall back to scanning ``parties``)
    found = union_all(select(p.c.id.label("id"), literal(1).label("confirmed")).where(p.c.personal_number == number),
                      select(d.c.party_id, literal(0)).where(d.c.number == number)).subquery("found")
    own = select(found.c.id, func.max(found.c.confirmed).label("confirmed")).group_by(found.c.id).subquery("own")
    links = select(own.c.id, own.c.confirmed, disputed(own.c.id).label("disputed")).subquery("links")
    verified = case(((links.c.confirmed == 1) & (links.c.disputed == 0), 1), else_=0)
    rows = union_all(
        select(links.c.id, literal(DIRECT).label("via"), verified.label("verified"), links.c.disputed),
        select(m.c.group_id, literal(MEMBER), verified, links.c.disputed)
        .select_from(links.join(m, m.c.member_id == links.c.id))).subquery()
    # "TRUC_TIEP" > "THANH_VIEN"
    return (select(rows.c.id, func.max(rows.c.via).label("via"), func.max(rows.c.verified).label("verified"),
                   func.min(rows.c.disputed).label("disputed"))
            .group_by(rows.c.id).subquery("holders"))


def citizen_parcel_ids(number: BindParameter, *, verified_only: bool = True):
    """The ids of the parcels on which the citizen holds a right (land use, or ownership of a house
    or asset registered with the parcel), directly or through a group they are a member of —
    through verified links only (default), else through every undisputed link."""
    holders = citizen_parties(number)
    r, hp = s.rights, s.holding_parcels
    keep = holders.c.verified == 1 if verified_only else holders.c.disputed == 0
    return (select(hp.c.parcel_id)
            .select_from(holders.join(r, r.c.party_id == holders.c.id)
                         .join(hp, hp.c.holding_id == r.c.holding_id))
            .where(keep)
            .distinct())


def citizen_parcels(conn: Connection, number: str | None) -> list[int]:
    """The ids of the parcels held through ``number`` (:func:`citizen_parcel_ids`), sorted."""
    if not number:
        return []
    return sorted(conn.execute(citizen_parcel_ids(number_param()), {"number": number}).scalars())
