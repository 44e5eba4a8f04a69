"""The repository layer: domain objects in and out of the store. Everything above uses this.

Writes of land and owner data go through :class:`~datdai.db.audit.AuditTrail`; reference
data (admin units) and the population extract (evidence) are loaded directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import shapely
from sqlalchemy import Connection, delete, func, insert, select

from datdai.db import schema as s
from datdai.db.audit import AuditTrail
from datdai.kernel.model import (
    CITIZEN_FIELDS,
    AdminUnit,
    Citizen,
    DocumentType,
    Gender,
    IdentityDocument,
    LandDataset,
    Parcel,
    Party,
    PartyKind,
    PartyMember,
)

CHUNK = 5000


def chunks(rows: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    """Consecutive slices of at most ``size`` rows (bulk inserts, IN lists)."""
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _codes(codes: Sequence[str]) -> str | None:
    return "+".join(codes) if codes else None


def split_codes(text: str | None) -> tuple[str, ...]:
    """Land-use or purpose codes as stored ("ONT+CLN") → a tuple."""
    return tuple(text.split("+")) if text else ()


# ---------------------------------------------------------------- writing


def upsert_admin_units(conn: Connection, units: Sequence[AdminUnit]) -> int:
    """Reference data: insert the units not yet in the store (by era, level, code)."""
    have = {(r.era, r.level, r.code) for r in conn.execute(select(s.admin_units.c.era, s.admin_units.c.level, s.admin_units.c.code))}
    rows, seen = [], set()
    for u in units:
        key = (u.era.value, u.level.value, u.code)
        if key in have or key in seen:
            continue
        seen.add(key)
        rows.append({"code": u.code, "era": key[0], "level": key[1], "name": u.name,
                     "parent_code": u.parent_code, "successor_code": u.successor_code})
    for chunk in chunks(rows):
        conn.execute(insert(s.admin_units), list(chunk))
    return len(rows)


def parcel_row(p: Parcel) -> dict:
    """The parcels row of a domain parcel; geometry area and bbox are computed here."""
    geom = None
    bbox = (None, None, None, None)
    area = None
    if p.geometry_wkb is not None:
        geom = shapely.from_wkb(p.geometry_wkb)
        if p.srid is not None:
            geom = shapely.set_srid(geom, p.srid)
        if not geom.is_empty:
            bbox = tuple(float(v) for v in geom.bounds)
            area = float(geom.area)
    return {
        "commune_code": p.commune_code, "sheet_no": p.sheet_no, "parcel_no": p.parcel_no,
        "geom": geom, "srid": p.srid, "min_x": bbox[0], "min_y": bbox[1], "max_x": bbox[2], "max_y": bbox[3],
        "computed_area": area, "legal_area": p.legal_area, "land_use_codes": _codes(p.land_use_codes),
        "address": p.address, "map_scale": p.map_scale, "map_area_label": p.map_area_label,
        "map_land_use_label": p.map_land_use_label, "map_owner_label": p.map_owner_label,
        "identifier": p.identifier, "old_sheet_no": p.old_sheet_no, "old_parcel_no": p.old_parcel_no,
    }


def party_row(p: Party) -> dict:
    return {
        "code": p.party_id, "kind": p.kind.value, "full_name": p.full_name,
        "gender": p.gender.value if p.gender else None, "birth_date": p.birth_date,
        "birth_year": p.birth_year, "address": p.address, "nationality": p.nationality,
        "ethnicity": p.ethnicity, "tax_code": p.tax_code, "personal_number": p.personal_number,
    }


@dataclass(slots=True)
class LoadCounts:
    parties: int = 0
    identity_documents: int = 0
    party_members: int = 0
    parcels: int = 0
    holdings: int = 0
    assets: int = 0
    rights: int = 0
    certificates: int = 0
    sources: int = 0
    admin_units: int = 0
    batch_id: int | None = None


def load_dataset(conn: Connection, data: LandDataset, *, actor: str, source: str, reason: str,
                 progress=None) -> LoadCounts:
    """Insert a dataset in the caller's transaction, every row through one audit batch."""
    trail = AuditTrail(conn, actor=actor, source=source, reason=reason)
    counts = LoadCounts(batch_id=trail.batch_id)
    counts.admin_units = upsert_admin_units(conn, data.admin_units)

    def step(name: str, done: int, total: int) -> None:
        if progress:
            progress(name, done, total)

    party_ids: dict[str, int] = {}
    for chunk in chunks(data.parties):
        ids = trail.insert_many("parties", [party_row(p) for p in chunk])
        party_ids.update({p.party_id: i for p, i in zip(chunk, ids, strict=True)})
        step("parties", len(party_ids), len(data.parties))
    counts.parties = len(party_ids)
    docs = [
        {"party_id": party_ids[p.party_id], "doc_type": d.doc_type.value if d.doc_type else None,
         "number": d.number, "issue_date": d.issue_date, "issue_place": d.issue_place}
        for p in data.parties for d in p.documents
    ]
    members = [
        {"group_id": party_ids[p.party_id], "member_id": party_ids[m.member_id], "share": m.share, "role": m.role}
        for p in data.parties for m in p.members
    ]
    for chunk in chunks(docs):
        counts.identity_documents += len(trail.insert_many("identity_documents", list(chunk)))
    for chunk in chunks(members):
        counts.party_members += len(trail.insert_many("party_members", list(chunk)))

    parcel_ids: dict[tuple[str, int, int], int] = {}
    for chunk in chunks(data.parcels):
        ids = trail.insert_many("parcels", [parcel_row(p) for p in chunk])
        for p, i in zip(chunk, ids, strict=True):
            parcel_ids.setdefault(p.key, i)  # a duplicated key links holdings to its first polygon
        counts.parcels += len(ids)
        step("parcels", counts.parcels, len(data.parcels))

    holding_ids: dict[str, int] = {}
    for chunk in chunks(data.holdings):
        ids = trail.insert_many("holdings", [{"code": h.holding_id} for h in chunk])
        holding_ids.update({h.holding_id: i for h, i in zip(chunk, ids, strict=True)})
    counts.holdings = len(holding_ids)
    links = [
        {"holding_id": holding_ids[h.holding_id], "parcel_id": parcel_ids[k]}
        for h in data.holdings for k in h.parcel_keys if k in parcel_ids
    ]
    for chunk in chunks(links):
        trail.insert_many("holding_parcels", list(chunk))

    asset_ids: dict[str, int] = {}
    for chunk in chunks(data.assets):
        ids = trail.insert_many("assets", [
            {"code": a.asset_id, "holding_id": holding_ids[a.holding_id],
             "parcel_id": parcel_ids.get(a.parcel_key) if a.parcel_key else None, "kind": a.kind.value,
             "house_type": a.house_type, "building_name": a.building_name, "apartment_no": a.apartment_no,
             "floor_area": a.floor_area, "construction_area": a.construction_area, "floors": a.floors,
             "grade": a.grade, "ownership_form": a.ownership_form, "ownership_term": a.ownership_term,
             "shared_parts": a.shared_parts}
            for a in chunk
        ])
        asset_ids.update({a.asset_id: i for a, i in zip(chunk, ids, strict=True)})
    counts.assets = len(asset_ids)

    for chunk in chunks(data.rights):
        counts.rights += len(trail.insert_many("rights", [
            {"code": r.right_id, "holding_id": holding_ids[r.holding_id], "party_id": party_ids[r.party_id],
             "kind": r.kind.value, "share": r.share, "purpose_codes": _codes(r.purpose_codes), "term": r.term,
             "term_end": r.term_end, "origin": r.origin, "form_of_use": r.form_of_use,
             "asset_id": asset_ids[r.asset_id] if r.asset_id else None}
            for r in chunk
        ]))
    for chunk in chunks(data.certificates):
        counts.certificates += len(trail.insert_many("certificates", [
            {"serial": c.serial, "form": c.form.value, "holding_id": holding_ids[c.holding_id],
             "issue_date": c.issue_date, "issuer": c.issuer, "register_entry": c.register_entry}
            for c in chunk
        ]))
    for chunk in chunks(data.sources):
        counts.sources += len(trail.insert_many("source_documents", [
            {"code": d.source_id, "kind": d.kind, "title": d.title,
             "holding_id": holding_ids.get(d.holding_id) if d.holding_id else None,
             "party_id": party_ids.get(d.party_id) if d.party_id else None, "doc_date": d.doc_date,
             "reference": d.reference, "digitized": d.digitized, "content_hash": d.content_hash}
            for d in chunk
        ]))
    return counts


def replace_citizens(conn: Connection, citizens: Sequence[Citizen], *, source: str) -> int:
    """Load a population extract, replacing the previous one (the register is evidence, not ours)."""
    extract_id = conn.execute(
        insert(s.citizen_extracts).returning(s.citizen_extracts.c.id),
        {"source": source, "loaded_at": dt.datetime.now(dt.UTC), "row_count": len(citizens)},
    ).scalar_one()
    conn.execute(delete(s.citizens))
    for chunk in chunks(citizens):
        conn.execute(insert(s.citizens), [
            {**{f: getattr(c, f) for f in CITIZEN_FIELDS}, "extract_id": extract_id} for c in chunk
        ])
    return len(citizens)


# ---------------------------------------------------------------- reading


def _party_from_row(r) -> Party:
    return Party(
        party_id=r.code, kind=PartyKind(r.kind), full_name=r.full_name,
        gender=Gender(r.gender) if r.gender else None, birth_date=r.birth_date, birth_year=r.birth_year,
        address=r.address, nationality=r.nationality, ethnicity=r.ethnicity, tax_code=r.tax_code,
        personal_number=r.personal_number,
    )


def parcel_from_row(r) -> Parcel:
    geom = r.geom
    return Parcel(
        commune_code=r.commune_code, sheet_no=r.sheet_no, parcel_no=r.parcel_no,
        geometry_wkb=shapely.to_wkb(geom) if geom is not None else None, srid=r.srid,
        legal_area=r.legal_area, land_use_codes=split_codes(r.land_use_codes), address=r.address,
        map_scale=r.map_scale, map_area_label=r.map_area_label, map_land_use_label=r.map_land_use_label,
        map_owner_label=r.map_owner_label, identifier=r.identifier, old_sheet_no=r.old_sheet_no,
        old_parcel_no=r.old_parcel_no,
    )


def read_parties(conn: Connection, where=None) -> list[Party]:
    q = select(s.parties).order_by(s.parties.c.id)
    if where is not None:
        q = q.where(where)
    rows = conn.execute(q).all()
    by_id = {r.id: _party_from_row(r) for r in rows}
    member = s.parties.alias("member")
    ids = list(by_id)
    for chunk in chunks(ids):
        for d in conn.execute(select(s.identity_documents).where(s.identity_documents.c.party_id.in_(chunk))
                              .order_by(s.identity_documents.c.id)):
            by_id[d.party_id].documents.append(IdentityDocument(
                doc_type=DocumentType(d.doc_type) if d.doc_type else None, number=d.number,
                issue_date=d.issue_date, issue_place=d.issue_place))
        for m in conn.execute(select(s.party_members, member.c.code.label("member_code"))
                              .join(member, member.c.id == s.party_members.c.member_id)
                              .where(s.party_members.c.group_id.in_(chunk))
                              .order_by(s.party_members.c.id)):
            by_id[m.group_id].members.append(PartyMember(member_id=m.member_code, share=m.share, role=m.role))
    return list(by_id.values())


def counts(conn: Connection) -> dict[str, int]:
    """Row counts of the main tables (for summaries and the health endpoint)."""
    tables = [s.admin_units, s.parties, s.parcels, s.holdings, s.rights, s.assets, s.certificates,
              s.citizens, s.audit_batches, s.audit_changes]
    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}

