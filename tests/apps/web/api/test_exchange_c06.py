"""GET /api/v1/exchange/c06/land-by-citizen/{so_dinh_danh}: credentials, roles, masking, the
access log (purpose "thủ tục cư trú"), 422 and 404."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, update

from datdai.db.schema import findings, identity_documents, parties, quality_runs
from tests.apps.web.api.dossier_api_helpers import is_masked, make_api
from tests.dossiers.dossier_helpers import AN, BINH, party_id

URL = "/api/v1/exchange/c06/land-by-citizen/"
NOW = dt.datetime(2025, 6, 5, tzinfo=dt.UTC)


@pytest.fixture
def api(store):
    with make_api(store) as a:
        yield a


def test_needs_credentials_and_the_c06_role(api):
    assert api.client.get(URL + AN).status_code == 401
    assert api.client.get(URL + AN, headers={"X-API-Key": "dd_sai"}).status_code == 401
    for user in ("dulieu", "motcua", "lanhdao", "kiemtoan", "congchung", "thue", "an"):
        assert api.client.get(URL + AN, headers=api.h(user)).status_code == 403, user
    assert api.client.get(URL + AN, headers=api.key("thue")).status_code == 403


def test_land_and_houses_of_a_member_of_a_household(api):
    r = api.client.get(URL + AN, headers=api.key("c06"))  # by API key, the way C06 connects
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["so_dinh_danh"] == AN  # the C06 system needs the number in full
    # An is found by his CCCD (no confirmed number yet) and holds through household H1
    assert [x["right_code"] for x in out["land_rights"]] == ["R1"]
    r1 = out["land_rights"][0]
    assert r1["holder"] == {"party_code": "H1", "kind": "HO_GIA_DINH", "full_name": "Hộ ông Nguyễn Văn An",
                            "via": "THANH_VIEN", "verified": False}
    assert [(p["commune_code"], p["sheet_no"], p["parcel_no"]) for p in r1["parcels"]] == [("25216", 12, 1)]
    assert [(h["asset_code"], h["kind"], h["floors"]) for h in out["houses"]] == [("A1", "NHA_O", 2)]
    assert out["houses"][0]["parcel"]["parcel_no"] == 1
    log = api.access_log("c06")
    assert len(log) == 1 and log[0].purpose == "thủ tục cư trú" and log[0].subjects == (AN,)
    assert AN not in log[0].resource


def test_direct_holder_and_admin_sees_masked(api):
    out = api.client.get(URL + BINH, headers=api.h("c06")).json()
    codes = {(x["right_code"], x["holder"]["via"]) for x in out["land_rights"]}
    assert codes == {("R1", "THANH_VIEN"), ("R4", "TRUC_TIEP")}
    r4 = next(x for x in out["land_rights"] if x["right_code"] == "R4")
    assert r4["share"] == 0.25 and [p["parcel_no"] for p in r4["parcels"]] == [2, 3]
    r = api.client.get(URL + BINH, headers=api.h("admin"))
    assert r.status_code == 200 and is_masked(r.json()["so_dinh_danh"], BINH) and BINH not in r.text
    assert len(api.access_log("admin")) == 1


def test_bad_number_422_unknown_404_and_logged(api):
    for bad in ("12345", "07006500123x", "0700650012345", "%20070065001234", "abc"):
        r = api.client.get(URL + bad, headers=api.h("c06"))
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["detail"]
    assert api.access_log("c06") == []
    r = api.client.get(URL + "079000000001", headers=api.h("c06"))
    assert r.status_code == 404 and r.json()["detail"]
    log = api.access_log("c06")
    assert len(log) == 1 and log[0].subjects == ("079000000001",)


def test_a_family_record_carrying_the_number_by_mistake(api):
    """Bình's record carries An's number by mistake; An's own number is confirmed on P1."""
    with api.store.transaction() as conn:
        conn.execute(update(parties).where(parties.c.code == "P1").values(personal_number=AN))
        p2 = party_id(conn, "P2")
        conn.execute(insert(identity_documents).values(party_id=p2, doc_type="CCCD", number=AN))

    def rights() -> dict[str, tuple]:
        out = api.client.get(URL + AN, headers=api.key("c06")).json()
        return {x["right_code"]: (x["holder"]["party_code"], x["holder"]["verified"]) for x in out["land_rights"]}

    # H1 is his (verified, through P1); Bình's R4 is shown as unverified, never as verified
    assert rights() == {"R1": ("H1", True), "R4": ("P2", False)}
    with api.store.transaction() as conn:  # the quality check flags the duplicate number
        run = conn.execute(insert(quality_runs).returning(quality_runs.c.id),
                           {"source": "t", "started_at": NOW, "actor": "t"}).scalar_one()
        conn.execute(insert(findings).values(
            run_id=run, last_run_id=run, rule_code="ID_DUPLICATE", severity="LOI", target="GIAY_TO", party_id=p2,
            message="Số giấy tờ được ghi cho 2 người", status="MO", fingerprint="dup", created_at=NOW,
            updated_at=NOW))
    assert rights() == {"R1": ("H1", True)}  # disputed: not presented as his
