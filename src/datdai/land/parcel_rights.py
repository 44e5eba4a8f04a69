"""The parcel read shared by the API (``web/api/parcels.py``), the map page
(``reporting/parcel_map.py``) and the GIS layers (``reporting/gis_layers.py``): a parcel's rights on its holdings, their holders, a group holder's
members and the holders' documents, read in one statement and shaped per caller — personal
numbers masked and birth dates shown as a year unless the role needs them (a citizen sees their
own in full) — with the access-log subjects the answer touched.

The statements are built once: their construction is a measurable part of a lookup (the parcel
lookup by key is a load-benchmark target).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, literal, select

from datdai.access.masking import mask_number
from datdai.access.principal import Principal
from datdai.access.roles import CITIZEN
from datdai.db import schema as s
from datdai.db.fast_reads import Read, as_float, iso_date
from datdai.land.ownership import citizen_parcel_ids, number_param

STAFF_READERS = ("admin", "can_bo_du_lieu", "mot_cua", "lanh_dao", "kiem_toan")

_P = s.parcels
PARCEL_COLUMNS = (_P.c.id, _P.c.commune_code, _P.c.sheet_no, _P.c.parcel_no, _P.c.legal_area,
                  _P.c.computed_area, _P.c.land_use_codes, _P.c.address, _P.c.srid, _P.c.min_x, _P.c.min_y,
                  _P.c.max_x, _P.c.max_y, _P.c.identifier, _P.c.old_sheet_no, _P.c.old_parcel_no)


_M = s.party_members
_MP = s.parties.alias("member")


def _rights_columns(hp, r, h, p, d) -> tuple:
    return (hp.c.parcel_id, r.c.id.label("r_id"), r.c.code.label("r_code"), r.c.kind.label("r_kind"),
            r.c.share, r.c.purpose_codes, r.c.term, r.c.term_end, r.c.origin, r.c.form_of_use,
            h.c.code.label("h_code"), p.c.id.label("p_id"), p.c.code.label("p_code"),
            p.c.kind.label("p_kind"), p.c.full_name, p.c.gender, p.c.birth_date, p.c.birth_year,
            p.c.personal_number, p.c.address.label("p_address"), d.c.id.label("d_id"),
            d.c.doc_type, d.c.number, _M.c.id.label("m_row"), _M.c.role.label("m_role"),
            _M.c.share.label("m_share"), _MP.c.id.label("m_id"), _MP.c.code.label("m_code"),
            _MP.c.full_name.label("m_name"), _MP.c.gender.label("m_gender"),
            _MP.c.birth_date.label("m_birth_date"), _MP.c.birth_year.label("m_birth_year"),
            _MP.c.personal_number.label("m_number"))


def _with_members(joined, p):
    """A holder's members (household, couple, group) joined flat: a row per (document, member)."""
    return joined.outerjoin(_M, _M.c.group_id == p.c.id).outerjoin(_MP, _MP.c.id == _M.c.member_id)


def _rights_query():
    hp, r, p, d, h = s.holding_parcels, s.rights, s.parties, s.identity_documents, s.holdings
    return (select(*_rights_columns(hp, r, h, p, d))
            .select_from(_with_members(
                hp.join(r, r.c.holding_id == hp.c.holding_id).join(h, h.c.id == hp.c.holding_id)
                .join(p, p.c.id == r.c.party_id).outerjoin(d, d.c.party_id == p.c.id), p))
            .where(hp.c.parcel_id.in_(bindparam("parcel_ids", expanding=True)))
            .order_by(hp.c.parcel_id, r.c.id, d.c.id, _M.c.id))


def _key_with_rights_query():
    """The page of parcels with that key and, in the same statement, their rights, holders and
    holders' documents (one row each; a parcel without rights once, with NULL right columns): one
    round trip and one snapshot."""
    hp, r, p, d, h = s.holding_parcels, s.rights, s.parties, s.identity_documents, s.holdings
    page = (select(*PARCEL_COLUMNS)
            .where(_P.c.commune_code == bindparam("ma_xa"), _P.c.sheet_no == bindparam("so_to"),
                   _P.c.parcel_no == bindparam("so_thua"))
            .order_by(_P.c.id).limit(bindparam("limit")).offset(bindparam("offset")).subquery("page"))
    # flat LEFT JOINs, not "page LEFT JOIN (holding_parcels JOIN rights …)": SQLite materialises such
    # a parenthesised join in full (every right of the store) for each lookup. A holding without
    # rights gives a row with NULL right columns, which fill_rights skips.
    return (select(*page.c, *_rights_columns(hp, r, h, p, d))
            .select_from(_with_members(page.outerjoin(hp, hp.c.parcel_id == page.c.id)
                                       .outerjoin(r, r.c.holding_id == hp.c.holding_id)
                                       .outerjoin(h, h.c.id == hp.c.holding_id)
                                       .outerjoin(p, p.c.id == r.c.party_id)
                                       .outerjoin(d, d.c.party_id == p.c.id), p))
            .order_by(page.c.id, r.c.id, d.c.id, _M.c.id))


# built once: statement construction is a measurable part of a lookup (a load-benchmark target)
RIGHTS_QUERY = _rights_query()
KEY_READ = Read(_key_with_rights_query())
ID_READ = Read(select(*PARCEL_COLUMNS).where(_P.c.id == bindparam("parcel_id")))
OWNED = select(literal(1)).where(bindparam("parcel_id").in_(citizen_parcel_ids(number_param())))
OWNED_READ = Read(OWNED)
RIGHTS_READ = Read(RIGHTS_QUERY, expanding="parcel_ids")
_AD = s.parcel_addresses
ADDRESS_QUERY = (select(_AD.c.asset_id, _AD.c.house_number, _AD.c.street, _AD.c.commune_code,
                        _AD.c.commune_name_old, _AD.c.commune_name_new)
                 .where(_AD.c.parcel_id == bindparam("parcel_id")).order_by(_AD.c.id))
ADDRESS_READ = Read(ADDRESS_QUERY)


def addresses_out(rows) -> list[dict[str, Any]]:
    """The addresses of a parcel (its own, then per house or apartment: ``asset_id``), with the
    commune's names before and after 1/7/2025 and the address as one line in the 2025 names."""
    out = []
    for r in rows:
        line = ", ".join(p for p in (r.house_number and f"Số {r.house_number}", r.street,
                                     r.commune_name_new or r.commune_name_old) if p)
        out.append({"asset_id": r.asset_id, "house_number": r.house_number, "street": r.street,
                    "commune_code": r.commune_code, "commune_name_old": r.commune_name_old,
                    "commune_name_new": r.commune_name_new, "text": line})
    return out


def birth_text(birth_date: dt.date | str | None, birth_year: int | None, full: bool) -> str | None:
    """``dd/mm/yyyy`` (``full``) or the year; ``birth_date`` as a date or ISO text (raw SQLite)."""
    if birth_date is not None:
        if isinstance(birth_date, str):
            birth_date = dt.date.fromisoformat(birth_date[:10])
        return birth_date.strftime("%d/%m/%Y") if full else f"{birth_date.year:04d}"
    return None if birth_year is None else f"{birth_year:04d}"


def fill_rights(parcels_out: list[dict[str, Any]], rows, principal: Principal) -> list[str]:
    """:func:`shape_rights` as ``principal`` may see the holders: numbers and birth dates in full
    when the role needs them, a citizen's own in full."""
    mine = principal.personal_number if principal.role == CITIZEN else None
    return shape_rights(parcels_out, rows, everyone=principal.needs_full_personal_data(), mine=mine)


def shape_rights(parcels_out: list[dict[str, Any]], rows, *, everyone: bool,
                 mine: str | None = None) -> list[str]:
    """Fill each parcel's ``rights`` from the rows of :data:`RIGHTS_QUERY`; returns the access-log
    subjects touched (personal numbers, else document numbers, else party codes). Personal and
    document numbers and birth dates are in full when ``everyone`` (the reader's role needs them)
    or when they are ``mine`` (a citizen's own number), else masked."""
    by_id = {x["id"]: x for x in parcels_out}

    def full(number: str | None) -> bool:  # a citizen sees their own numbers and birth date in full
        return everyone or (mine is not None and number == mine)

    rights_seen: dict[tuple[int, int], tuple[dict[str, Any], set, set]] = {}
    subjects: set[str] = set()
    for x in rows:
        if x.r_id is None or x.parcel_id not in by_id:  # a parcel without rights; one beyond the page
            continue
        key = (x.parcel_id, x.r_id)
        seen = rights_seen.get(key)
        if seen is None:
            own = full(x.personal_number)
            owner = {"party_id": x.p_id, "code": x.p_code, "kind": x.p_kind, "full_name": x.full_name,
                     "gender": x.gender, "birth": birth_text(x.birth_date, x.birth_year, own),
                     "personal_number": x.personal_number if own else mask_number(x.personal_number),
                     "documents": [], "address": x.p_address, "members": []}
            right = {"code": x.r_code, "kind": x.r_kind, "share": as_float(x.share),
                     "purpose_codes": x.purpose_codes.split("+") if x.purpose_codes else [],
                     "term": x.term, "term_end": iso_date(x.term_end), "origin": x.origin,
                     "form_of_use": x.form_of_use, "holding_code": x.h_code, "owner": owner}
            seen = rights_seen[key] = (right, set(), set())
            by_id[x.parcel_id]["rights"].append(right)
            subjects.add(x.personal_number or x.p_code)
        right, docs_seen, members_seen = seen
        owner = right["owner"]
        if x.d_id is not None and x.d_id not in docs_seen:  # rows repeat per (document, member)
            docs_seen.add(x.d_id)
            shown = full(x.personal_number) or full(x.number)
            owner["documents"].append({"doc_type": x.doc_type,
                                       "number": x.number if shown else mask_number(x.number)})
            if not x.personal_number:
                subjects.add(x.number)
        if x.m_row is not None and x.m_row not in members_seen:
            members_seen.add(x.m_row)
            own = full(x.m_number)
            owner["members"].append({
                "party_id": x.m_id, "code": x.m_code, "full_name": x.m_name, "gender": x.m_gender,
                "birth": birth_text(x.m_birth_date, x.m_birth_year, own),
                "personal_number": x.m_number if own else mask_number(x.m_number),
                "role": x.m_role, "share": as_float(x.m_share)})
            subjects.add(x.m_number or x.m_code)
    return sorted(subjects)


def attach_rights(conn: Connection, parcels_out: list[dict[str, Any]], principal: Principal) -> list[str]:
    """:func:`fill_rights` with the rows read on ``conn``."""
    if not parcels_out:
        return []
    return fill_rights(parcels_out, conn.execute(RIGHTS_QUERY, {"parcel_ids": [x["id"] for x in parcels_out]}),
                       principal)


def parcels_by_ids(conn: Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The parcels ``ids`` (:data:`PARCEL_COLUMNS`), by commune, sheet and number."""
    if not ids:
        return []
    rows = conn.execute(select(*PARCEL_COLUMNS).where(_P.c.id.in_(list(ids)))
                        .order_by(_P.c.commune_code, _P.c.sheet_no, _P.c.parcel_no)).all()
    return [dict(r._mapping) for r in rows]


def certificates_and_assets(conn: Connection, parcel_id: int) -> tuple[list, list]:
    """(certificates with their holding's code, assets on the parcel or on its whole holding) of
    the holdings that cover the parcel."""
    hp, c, a, h = s.holding_parcels, s.certificates, s.assets, s.holdings
    holding_ids = list(conn.execute(select(hp.c.holding_id).where(hp.c.parcel_id == parcel_id)).scalars())
    if not holding_ids:
        return [], []
    certificates = conn.execute(select(c, h.c.code.label("holding_code")).join(h, h.c.id == c.c.holding_id)
                                .where(c.c.holding_id.in_(holding_ids)).order_by(c.c.id)).all()
    assets = conn.execute(select(a).where(a.c.holding_id.in_(holding_ids),
                                          (a.c.parcel_id == parcel_id) | a.c.parcel_id.is_(None))
                          .order_by(a.c.id)).all()
    return list(certificates), list(assets)
