"""A delivery as a land dataset: parcels, parties (deduplicated), holdings by serial, rights."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from datdai.cleaning.to_dataset import delivery_to_dataset
from datdai.kernel.model import CertificateForm, DocumentType, PartyKind, RightKind
from tests.cleaning.deliveries import SRID, hand_parcels, hand_register


def _convert():
    return delivery_to_dataset(hand_parcels(), hand_register(), SRID)


def test_parcels_one_per_feature_then_register_only_keys():
    data, links = _convert()
    keys = [p.key for p in data.parcels]
    assert keys == [("25195", 1, 1), ("25195", 1, 2), ("25195", 1, 3), ("25195", 1, 5), ("25195", 1, 6),
                    ("25195", 1, 7), ("25198", 2, 1), ("25198", 2, 2), ("25195", 1, 4)]
    first = data.parcels[0]
    assert first.geometry_wkb is not None and first.srid == SRID
    assert (first.map_area_label, first.map_land_use_label, first.map_owner_label) == (400.0, "ONT+CLN", "Nguyễn Văn An")
    assert (first.legal_area, first.land_use_codes, first.address, first.map_scale) == (400.0, ("ONT", "CLN"), "Ấp 3", 1000)
    only_register = data.parcels[-1]
    assert only_register.geometry_wkb is None and only_register.srid is None
    assert (only_register.legal_area, only_register.map_area_label) == (120.0, None)
    # recorded values are kept as recorded (fixes come later through the audit trail)
    assert data.parcels[2].land_use_codes == ("BHK",)
    assert data.parcels[5].map_owner_label == "Mai V¨n C\u00adêng"
    assert links.feature_parcel == {i: i - 1 for i in range(1, 9)}
    assert links.register_parcel[6] == 8 and links.register_parcel[3] == 0
    assert links.skipped_features == [] and links.skipped_register_rows == []


def test_parties_deduplicated_persons_and_organisations():
    data, links = _convert()
    by_code = {p.party_id: p for p in data.parties}
    assert len(data.parties) == 8
    # rows 2 and 4: same normalised number, same name key → one party, recorded as on row 2
    assert links.register_party[2] == links.register_party[4]
    an = by_code[links.register_party[2]]
    assert an.full_name == "Nguyễn Văn An" and an.kind == PartyKind.PERSON and an.birth_year == 1965
    assert [(d.doc_type, d.number) for d in an.documents] == [(DocumentType.CCCD, "070065001234")]
    # without a number: same name + year + address → one party; another year → another party
    assert links.register_party[6] == links.register_party[7] != links.register_party[8]
    org = by_code[links.register_party[5]]
    assert org.kind == PartyKind.ORGANISATION and org.nationality is None
    assert [(d.doc_type, d.number) for d in org.documents] == [(DocumentType.BUSINESS, "3800123456")]
    binh = by_code[links.register_party[3]]
    assert binh.birth_date is not None and binh.birth_date.isoformat() == "1968-03-02"
    # a number that lost its leading zero is kept as recorded
    dung = by_code[links.register_party[10]]
    assert dung.documents[0].number == "70072001111"
    assert by_code[links.register_party[6]].documents == []
    # deterministic codes, per commune in file order
    assert links.register_party[2] == "P25195-000001" and links.register_party[10] == "P25198-000001"
    again, links2 = _convert()
    assert [p.party_id for p in again.parties] == [p.party_id for p in data.parties]
    assert links2.register_party == links.register_party


def test_holdings_by_serial_rights_and_certificates():
    data, links = _convert()
    assert len(data.holdings) == 8
    shared = data.holdings[0]
    assert shared.parcel_keys == [("25195", 1, 1), ("25195", 1, 2)]  # "BV 123456" and "BV123456"
    rights = [r for r in data.rights if r.holding_id == shared.holding_id]
    assert sorted(r.party_id for r in rights) == sorted({links.register_party[2], links.register_party[3]})
    assert all(r.share == Decimal("0.5") and r.kind == RightKind.LAND_USE for r in rights)
    assert rights[0].form_of_use == "Sử dụng chung"
    assert len(data.rights) == 9
    assert all(r.share == Decimal(1) for r in data.rights if r.holding_id != shared.holding_id)
    assert [(c.serial, c.form) for c in data.certificates] == [("BV123456", CertificateForm.OLD),
                                                                ("CH900895", CertificateForm.OLD)]
    assert data.certificates[0].holding_id == shared.holding_id


def test_rows_without_a_parcel_number_are_skipped_and_reported():
    parcels = hand_parcels()
    so_thua = parcels["so_thua"].to_pylist()
    so_thua[1] = None
    parcels = parcels.set_column(parcels.schema.get_field_index("so_thua"), "so_thua", pa.array(so_thua))
    data, links = delivery_to_dataset(parcels, hand_register(), SRID)
    assert links.skipped_features == [2]
    assert 2 not in links.feature_parcel
    # the register row of that key still gets its parcel (without geometry)
    assert data.parcels[links.register_parcel[4]].geometry_wkb is None


def test_unreadable_geometry_is_stored_without_geometry():
    parcels = hand_parcels()
    geoms = parcels["geometry"].to_pylist()
    geoms[0] = b"\x01\x03garbage"
    parcels = parcels.set_column(parcels.schema.get_field_index("geometry"), "geometry",
                                 pa.array(geoms, pa.binary()))
    data, _ = delivery_to_dataset(parcels, hand_register(), SRID)
    assert data.parcels[0].geometry_wkb is None and data.parcels[0].map_area_label == 400.0
