"""The whole land store read back as domain objects: the oracle of the round-trip and revert
tests (what was written is what is read; a reverted batch leaves the store as it was)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, select

from datdai.db import schema as s
from datdai.kernel.model import (
    CITIZEN_FIELDS,
    Asset,
    AssetKind,
    Certificate,
    CertificateForm,
    Citizen,
    Holding,
    LandDataset,
    Right,
    RightKind,
    SourceDocument,
)
from datdai.land.repository import parcel_from_row, read_parties, split_codes


def read_dataset(conn: Connection) -> LandDataset:
    """The whole land store as domain objects (for exports, tests and small stores)."""
    parcel_rows = conn.execute(select(s.parcels).order_by(s.parcels.c.id)).all()
    parcel_key = {r.id: (r.commune_code, r.sheet_no, r.parcel_no) for r in parcel_rows}
    holding_code = dict(conn.execute(select(s.holdings.c.id, s.holdings.c.code)).all())
    party_code = dict(conn.execute(select(s.parties.c.id, s.parties.c.code)).all())
    asset_rows = conn.execute(select(s.assets).order_by(s.assets.c.id)).all()
    asset_code = {a.id: a.code for a in asset_rows}
    links: dict[int, list] = defaultdict(list)
    for hp in conn.execute(select(s.holding_parcels).order_by(s.holding_parcels.c.id)):
        links[hp.holding_id].append(parcel_key[hp.parcel_id])
    return LandDataset(
        admin_units=[],
        parties=read_parties(conn),
        parcels=[parcel_from_row(r) for r in parcel_rows],
        holdings=[Holding(holding_id=code, parcel_keys=links[i]) for i, code in sorted(holding_code.items())],
        rights=[
            Right(right_id=r.code, holding_id=holding_code[r.holding_id], party_id=party_code[r.party_id],
                  kind=RightKind(r.kind), share=r.share, purpose_codes=split_codes(r.purpose_codes), term=r.term,
                  term_end=r.term_end, origin=r.origin, form_of_use=r.form_of_use,
                  asset_id=asset_code[r.asset_id] if r.asset_id else None)
            for r in conn.execute(select(s.rights).order_by(s.rights.c.id))
        ],
        assets=[
            Asset(asset_id=a.code, holding_id=holding_code[a.holding_id],
                  parcel_key=parcel_key[a.parcel_id] if a.parcel_id else None, kind=AssetKind(a.kind),
                  house_type=a.house_type, building_name=a.building_name, apartment_no=a.apartment_no,
                  floor_area=a.floor_area, construction_area=a.construction_area, floors=a.floors,
                  grade=a.grade, ownership_form=a.ownership_form, ownership_term=a.ownership_term,
                  shared_parts=a.shared_parts)
            for a in asset_rows
        ],
        certificates=[
            Certificate(serial=c.serial, form=CertificateForm(c.form), holding_id=holding_code[c.holding_id],
                        issue_date=c.issue_date, issuer=c.issuer, register_entry=c.register_entry)
            for c in conn.execute(select(s.certificates).order_by(s.certificates.c.id))
        ],
        sources=[
            SourceDocument(source_id=d.code, kind=d.kind, title=d.title,
                           holding_id=holding_code.get(d.holding_id), party_id=party_code.get(d.party_id),
                           doc_date=d.doc_date, reference=d.reference, digitized=d.digitized,
                           content_hash=d.content_hash)
            for d in conn.execute(select(s.source_documents).order_by(s.source_documents.c.id))
        ],
    )


def read_citizens(conn: Connection) -> list[Citizen]:
    cols = [s.citizens.c[f] for f in CITIZEN_FIELDS]
    return [Citizen(**r._mapping) for r in conn.execute(select(*cols).order_by(s.citizens.c.so_dinh_danh))]
