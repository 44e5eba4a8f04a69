"""GET/POST /api/v1/dossiers, GET /dossiers/{id}, POST /dossiers/{id}/transitions: authentication,
roles, commune scope, citizens' own dossiers, masking and the access log, idempotency, bad input."""

from __future__ import annotations

import pytest

from datdai.db.schema import identity_documents
from tests.apps.web.api.dossier_api_helpers import OTHER_CLERK, is_masked, make_api
from tests.dossiers.dossier_helpers import AN, BINH, confirm_number, party_id

NEW = {"service_code": "NGHIA_VU_TAI_CHINH", "applicant_name": "Trần Thị Bình",
       "applicant_personal_number": BINH, "parcel": {"ma_xa": "25216", "so_to": 12, "so_thua": 2}}


@pytest.fixture
def api(store):
    with make_api(store) as a:
        yield a


def _create(api, user="motcua", key="k-1", body=None, **headers):
    return api.client.post("/api/v1/dossiers", json=body or NEW, headers=api.h(user, **{"Idempotency-Key": key},
                                                                                   **headers))


def _move(api, dossier_id, user, to_state, **body):
    return api.client.post(f"/api/v1/dossiers/{dossier_id}/transitions", json={"to_state": to_state, **body},
                           headers=api.h(user))


def test_every_route_needs_credentials(api):
    c = api.client
    for r in (c.get("/api/v1/dossiers"), c.post("/api/v1/dossiers", json=NEW, headers={"Idempotency-Key": "x"}),
              c.get("/api/v1/dossiers/1"), c.post("/api/v1/dossiers/1/transitions", json={"to_state": "RUT"}),
              c.get("/api/v1/dossiers", headers={"Authorization": "Bearer khong-hop-le"}),
              c.get("/api/v1/dossiers", headers={"X-API-Key": "dd_sai"})):
        assert r.status_code == 401, r.text
        assert r.json()["detail"]
    assert api.counts()[0] == 0


def test_roles_not_allowed(api):
    assert api.client.get("/api/v1/dossiers", headers=api.h("c06")).status_code == 403
    assert api.client.get("/api/v1/dossiers", headers=api.key("thue")).status_code == 403
    assert _create(api, "lanhdao").status_code == 403
    assert _create(api, "dulieu").status_code == 403
    d = _create(api).json()
    assert api.client.get(f"/api/v1/dossiers/{d['id']}", headers=api.h("congchung")).status_code == 403
    r = _move(api, d["id"], "kiemtoan", "DA_TIEP_NHAN")
    assert r.status_code == 403
    # the lifecycle's own rule: a data officer may not receive a dossier at the desk
    before = api.counts()
    r = _move(api, d["id"], "dulieu", "DA_TIEP_NHAN")
    assert r.status_code == 403 and "mot_cua" in r.json()["detail"]
    assert api.counts() == before


def test_create_get_list_with_masking_and_access_log(api):
    r = _create(api)
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["state"] == "DA_NOP" and d["state_label"] == "Đã nộp" and d["channel"] == "TRUC_TIEP"
    assert d["commune_code"] == "25216" and d["applicant_personal_number"] == BINH  # a clerk sees it in full
    assert [e["to_state"] for e in d["events"]] == ["DA_NOP"] and d["events"][0]["actor"] == "motcua"
    assert d["pauses"] == [] and d["documents"] == [] and d["due_date"] is None

    for user in ("lanhdao", "admin", "kiemtoan"):  # roles that do not need personal numbers
        got = api.client.get(f"/api/v1/dossiers/{d['id']}", headers=api.h(user))
        assert got.status_code == 200, got.text
        assert is_masked(got.json()["applicant_personal_number"], BINH)
        assert BINH not in got.text
    by_code = api.client.get(f"/api/v1/dossiers/{d['code']}", headers=api.h("dulieu")).json()
    assert by_code["id"] == d["id"] and by_code["applicant_personal_number"] == BINH

    listed = api.client.get("/api/v1/dossiers", params={"dich_vu": "NGHIA_VU_TAI_CHINH", "ma_xa": "25216"},
                            headers=api.h("lanhdao")).json()
    assert listed["total"] == 1 and [i["code"] for i in listed["items"]] == [d["code"]]
    assert is_masked(listed["items"][0]["applicant_personal_number"], BINH)
    assert api.client.get("/api/v1/dossiers", params={"trang_thai": "DANG_XU_LY"},
                          headers=api.h("motcua")).json()["total"] == 0
    # every response with personal data is in the access log, with its purpose and subject
    for user in ("motcua", "lanhdao", "admin", "kiemtoan", "dulieu"):
        entries = api.access_log(user)
        assert entries and all(e.purpose for e in entries)
        assert any(BINH in e.subjects for e in entries)


def test_commune_scope(api):
    d = _create(api).json()
    before = api.counts()
    assert api.client.get(f"/api/v1/dossiers/{d['id']}", headers=api.h(OTHER_CLERK)).status_code == 403
    r = _move(api, d["id"], OTHER_CLERK, "DA_TIEP_NHAN")
    assert r.status_code == 403 and "25216" in r.json()["detail"]
    # filing for a parcel outside the scope is refused, nothing written
    assert _create(api, OTHER_CLERK, key="hn-1").status_code == 403
    assert api.counts() == before
    listed = api.client.get("/api/v1/dossiers", headers=api.h(OTHER_CLERK)).json()
    assert listed["total"] == 0 and listed["items"] == []
    assert api.client.get("/api/v1/dossiers", params={"ma_xa": "25216"},
                          headers=api.h(OTHER_CLERK)).status_code == 403
    assert api.client.get("/api/v1/dossiers", headers=api.h("motcua")).json()["total"] == 1


def test_citizens_see_and_file_only_their_own(api):
    body = {"service_code": "DK_BIEN_DONG_THONG_TIN", "applicant_name": "Nguyễn Văn An",
            "applicant_personal_number": AN, "parcel": {"ma_xa": "25216", "so_to": 12, "so_thua": 1}}
    before = api.counts()
    # his CCCD is recorded on his household's parcel, but his number is not verified yet
    r = _create(api, "an", key="an-0", body=body)
    assert r.status_code == 403 and "đã xác thực" in r.json()["detail"], r.text
    with api.store.transaction() as conn:
        confirm_number(conn, "P1", AN)  # reconciliation confirmed it
        # Bình's record carries An's number by mistake: her parcel 2 is not his
        conn.execute(identity_documents.insert().values(party_id=party_id(conn, "P2"), doc_type="CCCD", number=AN))
    r = _create(api, "an", key="an-3", body={**body, "parcel": {"ma_xa": "25216", "so_to": 12, "so_thua": 2}})
    assert r.status_code == 403 and api.counts() == before
    # a first registration may be filed for land nobody holds yet (the catalog says so)
    first = _create(api, "an", key="an-4", body={**body, "service_code": "DANG_KY_LAN_DAU",
                                                  "parcel": {"ma_xa": "25216", "so_to": 12, "so_thua": 2}})
    assert first.status_code == 201, first.text
    mine = _create(api, "an", key="an-1", body={"service_code": "DK_BIEN_DONG_THONG_TIN",
                                                 "applicant_name": "Nguyễn Văn An", "applicant_personal_number": AN,
                                                 "parcel": {"ma_xa": "25216", "so_to": 12, "so_thua": 1},
                                                 "payload": {"address": "Số 5, ấp 3, xã Tân Hưng"}})
    assert mine.status_code == 201, mine.text
    mine = mine.json()
    assert mine["channel"] == "ONLINE" and is_masked(mine["applicant_personal_number"], AN)
    binh = _create(api).json()
    listed = api.client.get("/api/v1/dossiers", headers=api.h("an")).json()
    assert sorted(i["code"] for i in listed["items"]) == sorted([mine["code"], first.json()["code"]])
    assert api.client.get(f"/api/v1/dossiers/{mine['id']}", headers=api.h("an")).status_code == 200
    before = api.counts()
    assert api.client.get(f"/api/v1/dossiers/{binh['id']}", headers=api.h("an")).status_code == 403
    assert _move(api, binh["id"], "an", "RUT").status_code == 403
    # filing in someone else's name
    assert _create(api, "an", key="an-2").status_code == 403
    assert api.counts() == before
    # withdrawing their own
    r = _move(api, mine["id"], "an", "RUT", reason="không còn nhu cầu")
    assert r.status_code == 200 and r.json()["state"] == "RUT"


def test_idempotency_key(api):
    first = _create(api, key="k-42")
    assert first.status_code == 201
    before = api.counts()
    again = _create(api, key="k-42", body={**NEW, "applicant_name": "Tên khác"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.json()["applicant_name"] == "Trần Thị Bình"
    assert api.counts() == before
    # keys belong to the caller: another account's same key is another dossier
    admin = _create(api, "admin", key="k-42")
    assert admin.status_code == 201 and admin.json()["id"] != first.json()["id"]
    before = api.counts()
    for headers in ({}, {"Idempotency-Key": "  "}):
        r = api.client.post("/api/v1/dossiers", json=NEW, headers=api.h("motcua", **headers))
        assert r.status_code == 400 and "Idempotency-Key" in r.json()["detail"]
    r = _create(api, key="k" * 500)
    assert r.status_code == 422
    assert api.counts() == before


def test_bad_input_is_4xx_and_changes_nothing(api):
    d = _create(api).json()
    before = api.counts()
    c, url = api.client, "/api/v1/dossiers"
    r = c.post(url, content=b'{"service_code": "NGHIA_VU', headers=api.h("motcua", **{
        "Idempotency-Key": "bad-1", "Content-Type": "application/json"}))
    assert r.status_code == 400 and "JSON" in r.json()["detail"]  # a body that does not parse
    r = _create(api, key="bad-2", body={**NEW, "applicant_name": 42, "parcel": {"ma_xa": "25216", "so_to": "mười"}})
    assert r.status_code == 422 and isinstance(r.json()["detail"], str) and r.json()["field"] == "applicant_name"
    r = _create(api, key="bad-3", body={**NEW, "parcel": {"ma_xa": "25216", "so_to": 12, "so_thua": 999}})
    assert r.status_code == 404 and "999" in r.json()["detail"]
    r = _create(api, key="bad-4", body={**NEW, "parcel_id": 987654})
    assert r.status_code == 422  # parcel and parcel_id together
    r = _create(api, key="bad-5", body={**NEW, "service_code": "KHONG_CO"})
    assert r.status_code == 404 and "KHONG_CO" in r.json()["detail"]
    r = _create(api, key="bad-6", body={**NEW, "applicant_personal_number": "12345"})
    assert r.status_code == 422 and "12" in r.json()["detail"]
    r = _create(api, key="bad-7", body=[1, 2])
    assert r.status_code == 422
    r = c.get(url, params={"offset": 10**12}, headers=api.h("motcua"))  # beyond any INTEGER id
    assert r.status_code == 422 and r.json()["field"] == "offset"
    # transitions: unknown state, disallowed transition, missing reason, unknown step, unknown dossier
    r = _move(api, d["id"], "motcua", "DA_BAY")
    assert r.status_code == 422 and r.json()["field"] == "to_state"
    r = _move(api, d["id"], "motcua", "DA_TRA_KET_QUA")
    assert r.status_code == 409 and "DA_TIEP_NHAN" in r.json()["detail"]
    r = _move(api, d["id"], "motcua", "TU_CHOI")
    assert r.status_code == 422 and "lý do" in r.json()["detail"]
    r = _move(api, d["id"], "motcua", "DA_TIEP_NHAN", step="KHONG_CO")
    assert r.status_code == 422
    r = c.post(f"{url}/{d['id']}/transitions", content=b"{to_state", headers=api.h(
        "motcua", **{"Content-Type": "application/json"}))
    assert r.status_code == 400  # a body that does not parse
    r = c.post(f"{url}/{d['id']}/transitions", json={"to_state": "DA_TIEP_NHAN", "reason": ["x"]},
               headers=api.h("motcua"))
    assert r.status_code == 422
    r = _create(api, key="bad-8", body={**NEW, "parcel": None, "parcel_id": 3_000_000_000})
    assert r.status_code == 422
    for ref in ("999999", "HS-KHONG-CO", "9" * 40, "3000000000"):
        assert c.get(f"{url}/{ref}", headers=api.h("motcua")).status_code == 404
        assert _move(api, ref, "motcua", "DA_TIEP_NHAN").status_code == 404
    for params in ({"trang_thai": "XYZ"}, {"ma_xa": "abc"}, {"limit": "0"}, {"limit": "mười"}):
        assert c.get(url, params=params, headers=api.h("motcua")).status_code == 422
    assert api.counts() == before
    got = c.get(f"{url}/{d['id']}", headers=api.h("motcua")).json()
    assert got["state"] == "DA_NOP" and len(got["events"]) == 1


def test_lifecycle_with_supplement_pause_over_http(api):
    d = _create(api).json()
    r = _move(api, d["id"], "motcua", "DA_TIEP_NHAN")
    assert r.status_code == 200 and r.json()["due_date"] is not None
    assert _move(api, d["id"], "dulieu", "DANG_XU_LY").json()["step"] == "KIEM_TRA_DAN_CU"
    r = _move(api, d["id"], "dulieu", "YEU_CAU_BO_SUNG", reason="thiếu tờ khai")
    assert r.status_code == 200 and r.json()["pauses"][0]["kind"] == "BO_SUNG"
    assert r.json()["pauses"][0]["paused_to"] is None
    r = _move(api, d["id"], "motcua", "DANG_XU_LY")
    assert r.status_code == 200 and r.json()["pauses"][0]["paused_to"] is not None
    r = _move(api, d["id"], "lanhdao", "TU_CHOI", reason="không đủ điều kiện")
    assert r.status_code == 200
    out = r.json()
    assert out["state"] == "TU_CHOI" and out["reject_reason"] == "không đủ điều kiện"
    assert out["timeliness"] in ("SOM_HAN", "DUNG_HAN") and out["overdue_now"] is False
    assert [e["to_state"] for e in out["events"]] == [
        "DA_NOP", "DA_TIEP_NHAN", "DANG_XU_LY", "YEU_CAU_BO_SUNG", "DANG_XU_LY", "TU_CHOI"]
    assert is_masked(out["applicant_personal_number"], BINH)  # the manager sees it masked
    assert out["population_check"]["result"] == "KHOP"
    assert is_masked(out["population_check"]["personal_number"], BINH)
    # final: nothing more
    assert _move(api, d["id"], "motcua", "DA_TRA_KET_QUA").status_code == 409


def test_openapi_documents_the_dossier_routes(api):
    spec = api.client.get("/openapi.json").json()
    for path in ("/api/v1/dossiers", "/api/v1/dossiers/{dossier_id}", "/api/v1/dossiers/{dossier_id}/transitions"):
        assert path in spec["paths"]
    for model in ("DossierIn", "TransitionIn", "DossierDetail"):
        props = spec["components"]["schemas"][model]["properties"]
        assert all(p.get("description") for p in props.values()), model


def test_a_token_from_the_login_route_works(api):
    r = api.client.post("/api/v1/auth/token", data={"username": "motcua", "password": "datdai-demo"})
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    listed = api.client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200 and listed.json()["total"] == 0


@pytest.mark.parametrize("name", ["Trần\x00Bình", "Trần\tThị Bình", "Trần Thị\u202e Bình", "Trần\x85Bình"])
def test_control_characters_in_a_name_are_refused(api, name):
    before = api.counts()
    r = _create(api, body={**NEW, "applicant_name": name}, key=f"k-{name.encode().hex()}")
    assert r.status_code == 422 and "ký tự điều khiển" in r.json()["detail"]
    assert r.json()["field"] == "applicant_name" and api.counts() == before
