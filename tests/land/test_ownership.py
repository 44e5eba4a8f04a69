"""Whose land it is: only a confirmed, undisputed personal number is a verified link. A family's
record carrying the citizen's number by mistake (a CCCD typed into Bình's record) is at most an
unverified link, and none at all while an ID_DUPLICATE finding or a CAN_XAC_MINH review disputes it
(SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select, update

from datdai.db import schema as s
from datdai.land.ownership import citizen_parcel_ids, citizen_parties, number_param
from tests.dossiers.dossier_helpers import AN, load_land, party_id

NOW = dt.datetime(2025, 6, 5, tzinfo=dt.UTC)


def parcels_of(conn, number: str, *, verified_only: bool = True) -> list[int]:
    q = (select(s.parcels.c.parcel_no).where(s.parcels.c.id.in_(citizen_parcel_ids(number_param(),
                                                                                 verified_only=verified_only)))
         .order_by(s.parcels.c.parcel_no))
    return list(conn.execute(q, {"number": number}).scalars())


def links_of(conn, number: str) -> dict[str, tuple]:
    h = citizen_parties(number_param())
    q = select(s.parties.c.code, h.c.via, h.c.verified, h.c.disputed).join(h, h.c.id == s.parties.c.id)
    return {r.code: (r.via, r.verified, r.disputed) for r in conn.execute(q, {"number": number})}


def open_finding(conn, party: int, rule: str = "ID_DUPLICATE", status: str = "MO") -> int:
    run = conn.execute(insert(s.quality_runs).returning(s.quality_runs.c.id),
                       {"source": "t", "started_at": NOW, "actor": "t"}).scalar_one()
    return conn.execute(insert(s.findings).returning(s.findings.c.id), {
        "run_id": run, "last_run_id": run, "rule_code": rule, "severity": "LOI", "target": "GIAY_TO",
        "party_id": party, "message": "Số giấy tờ được ghi cho 2 người khác nhau", "status": status,
        "fingerprint": f"{rule}-{party}-{run}", "created_at": NOW, "updated_at": NOW}).scalar_one()


def review(conn, party: int, status: str = "MO") -> int:
    export = conn.execute(insert(s.c06_exports).returning(s.c06_exports.c.id), {
        "created_at": NOW, "actor": "t", "file_name": "chu_su_dung.csv", "sha256": "0" * 64, "row_count": 1}
    ).scalar_one()
    run = conn.execute(insert(s.reconcile_runs).returning(s.reconcile_runs.c.id), {
        "export_id": export, "source": "DATDAI", "file_name": "kq.csv", "sha256": f"{party:064d}",
        "created_at": NOW, "actor": "t"}).scalar_one()
    return conn.execute(insert(s.reconcile_results).returning(s.reconcile_results.c.id), {
        "run_id": run, "ma_dong": "1", "party_id": party, "ket_qua": "CAN_XAC_MINH", "candidates": AN,
        "status": status}).scalar_one()


@pytest.fixture
def land(store):
    load_land(store)
    with store.transaction() as conn:  # reconciliation confirmed An's number on his record P1
        conn.execute(update(s.parties).where(s.parties.c.code == "P1").values(personal_number=AN))
        # Bình's record (another person, holding R4 on parcels 2 and 3) carries An's number by mistake
        conn.execute(insert(s.identity_documents).values(party_id=party_id(conn, "P2"), doc_type="CCCD", number=AN))
    return store


def test_a_mistaken_number_is_never_a_verified_link(land):
    with land.read() as conn:
        assert links_of(conn, AN) == {"P1": ("TRUC_TIEP", 1, 0), "P2": ("TRUC_TIEP", 0, 0),
                                      "H1": ("THANH_VIEN", 1, 0)}
        assert parcels_of(conn, AN) == [1]  # his household's parcel, not Bình's
        assert parcels_of(conn, AN, verified_only=False) == [1, 2, 3]  # undisputed, unverified: shown as such
        p2 = party_id(conn, "P2")
    with land.transaction() as conn:
        finding = open_finding(conn, p2)
    with land.read() as conn:
        assert links_of(conn, AN)["P2"] == ("TRUC_TIEP", 0, 1)  # disputed
        assert parcels_of(conn, AN, verified_only=False) == [1]
    with land.transaction() as conn:  # the officer fixed the record: no longer disputed
        conn.execute(update(s.findings).where(s.findings.c.id == finding).values(status="DA_SUA"))
        result = review(conn, p2)  # but a reconciliation result waits for a person
    with land.read() as conn:
        assert links_of(conn, AN)["P2"][2] == 1 and parcels_of(conn, AN, verified_only=False) == [1]
    with land.transaction() as conn:
        conn.execute(update(s.reconcile_results).where(s.reconcile_results.c.id == result).values(status="DONG"))
        other_rule = open_finding(conn, p2, rule="AREA_MISMATCH")  # not about identity: no dispute
    with land.read() as conn:
        assert links_of(conn, AN)["P2"] == ("TRUC_TIEP", 0, 0) and other_rule


def test_a_confirmed_number_under_review_is_not_verified(land):
    with land.transaction() as conn:
        review(conn, party_id(conn, "P1"), status="HOAN")  # postponed: still disputed
    with land.read() as conn:
        links = links_of(conn, AN)
        assert links["P1"] == ("TRUC_TIEP", 0, 1)
        assert links["H1"] == ("THANH_VIEN", 0, 0)  # reached through Bình's mistaken record too: unverified
        assert parcels_of(conn, AN) == []


def test_the_stored_statuses_it_reads_are_those_of_their_owners():
    from datdai.cleaning.findings import Status
    from datdai.land.ownership import FINDING_OPEN, REVIEW_OPEN
    from datdai.matching.reconcile_results import IN_REVIEW

    assert FINDING_OPEN == Status.OPEN.value
    assert set(REVIEW_OPEN) == {str(x) for x in IN_REVIEW}
