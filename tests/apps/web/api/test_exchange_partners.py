"""Model 46 over HTTP: the notary's contract (API key), the land office's steps (clerk, data officer,
manager by token), the referral to tax through the outbox, the tax notice and payment (tax client),
approval moving the rights, the result; the notary's parcel status; repeats and bad input."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from datdai.db.schema import outbox
from datdai.dossiers import outbox as ob
from tests.apps.web.api.dossier_api_helpers import OTHER_CLERK, is_masked, make_api, today
from tests.dossiers.dossier_helpers import AN, BINH

CUONG, DUNG = "079090001111", "079190002222"
CONTRACTS = "/api/v1/exchange/notary/contracts"
NOTICES = "/api/v1/exchange/tax/notices"
STATUS = "/api/v1/exchange/notary/parcels/{}/{}/{}/status"


def contract(**changes):
    c = {
        "contract_no": "1234/2025/CCGD", "notary_office": "Văn phòng công chứng Biên Hòa",
        "notarized_on": today().isoformat(), "kind": "CHUYEN_NHUONG",
        "parcel": {"ma_xa": "25216", "so_to": 12, "so_thua": 1},
        "transferors": [{"personal_number": AN, "name": "Nguyễn Văn An"}],
        "transferees": [{"personal_number": CUONG, "name": "Lê Văn Cường", "share": "0.6"},
                        {"personal_number": DUNG, "name": "Phạm Thị Dung", "share": 0.4}],
        "price": 1_500_000_000,
    }
    c.update(changes)
    return c


@pytest.fixture
def api(store):
    with make_api(store) as a:
        yield a


def _move(api, code, user, to_state, **body):
    r = api.client.post(f"/api/v1/dossiers/{code}/transitions", json={"to_state": to_state, **body},
                        headers=api.h(user))
    assert r.status_code == 200, r.text
    return r.json()


def test_routes_need_credentials_and_the_partner_role(api):
    c = api.client
    before = api.counts()
    for r in (c.post(CONTRACTS, json=contract()), c.get(STATUS.format("25216", 12, 1)),
              c.post(NOTICES, json={"dossier_code": "HS-1", "notice_no": "TB-1"}),
              c.post(CONTRACTS, json=contract(), headers={"X-API-Key": "dd_khong-co"})):
        assert r.status_code == 401, r.text
    for who in (api.h("thue"), api.key("c06"), api.h("motcua"), api.h("an")):
        assert c.post(CONTRACTS, json=contract(), headers=who).status_code == 403
        assert c.get(STATUS.format("25216", 12, 1), headers=who).status_code == 403
    for who in (api.key("congchung"), api.h("dulieu"), api.h(OTHER_CLERK)):
        assert c.post(NOTICES, json={"dossier_code": "HS-1", "notice_no": "TB-1"}, headers=who).status_code == 403
    assert api.counts() == before


def test_model46_end_to_end_over_http(api):
    c = api.client
    # the notary checks the parcel: the household's rights, no restriction yet
    st = c.get(STATUS.format("25216", 12, 1), headers=api.key("congchung"))
    assert st.status_code == 200, st.text
    st = st.json()
    assert {r["right_kind"] for r in st["rights"]} == {"SU_DUNG_DAT", "SO_HUU_NHA"}
    assert st["restrictions"] == [] and st["pending_dossiers"] == [] and st["transferable"] is True

    # 1. the notarised contract arrives (API key): a transfer dossier
    r = c.post(CONTRACTS, json=contract(), headers=api.key("congchung"))
    assert r.status_code == 201, r.text
    code = r.json()["dossier_code"]
    assert r.json()["result"] == "TAO_MOI" and r.json()["state"] == "DA_NOP"
    before = api.counts()
    again = c.post(CONTRACTS, json=copy.deepcopy(contract()), headers=api.h("congchung"))  # token this time
    assert again.status_code == 200 and again.json() == {**r.json(), "result": "DA_NHAN"}
    conflict = c.post(CONTRACTS, json=contract(price=1_600_000_000), headers=api.key("congchung"))
    assert conflict.status_code == 409 and "1234/2025/CCGD" in conflict.json()["detail"]
    assert api.counts() == before
    # the notary now sees the pending dossier on the parcel
    st = c.get(STATUS.format("25216", 12, 1), headers=api.key("congchung")).json()
    assert [p["dossier_code"] for p in st["pending_dossiers"]] == [code] and st["transferable"] is False
    assert st["pending_dossiers"][0]["notary_contract_no"] == "1234/2025/CCGD"

    # 2. the clerk receives it, the data officer processes it and refers it to tax
    d = _move(api, code, "motcua", "DA_TIEP_NHAN")
    assert d["channel"] == "ONLINE" and d["due_date"] is not None
    assert d["applicant_personal_number"] == CUONG  # the clerk needs the number
    d = _move(api, code, "dulieu", "DANG_XU_LY")
    d = _move(api, code, "dulieu", "DANG_XU_LY", step="KIEM_TRA_THUC_DIA")
    d = _move(api, code, "dulieu", "DANG_XU_LY", step="CHUYEN_THUE")
    assert d["step"] == "CHUYEN_THUE"
    with api.store.read() as conn:
        msgs = ob.messages(conn, dossier_id=d["id"])
    assert [(m.partner, m.status, m.idempotency_key) for m in msgs] == [("THUE", "CHO_GUI", f"thue:{code}:1")]
    assert msgs[0].payload["dossier_code"] == code and msgs[0].payload["contract"]["price"] == 1_500_000_000

    # 3. the tax notice (clock stops), repeated; then the payment (clock restarts)
    notice = {"dossier_code": code, "notice_no": "TB-77", "kind": "THONG_BAO", "amount": 30_000_000,
              "obligations": [{"kind": "THUE_TNCN", "amount": 30_000_000}], "issued_on": today().isoformat()}
    r = c.post(NOTICES, json=notice, headers=api.key("thue"))
    assert r.status_code == 200, r.text
    assert r.json() == {"dossier_code": code, "state": "CHO_NOP_THUE", "amount_due": 30_000_000, "paid": False,
                        "result": "DA_CAP_NHAT"}
    before = api.counts()
    r = c.post(NOTICES, json=notice, headers=api.h("thue"))
    assert r.status_code == 200 and r.json()["result"] == "DA_NHAN" and api.counts() == before
    r = c.post(NOTICES, json={**notice, "amount": 31_000_000, "obligations": []}, headers=api.key("thue"))
    assert r.status_code == 409 and api.counts() == before
    r = c.post(NOTICES, json={"dossier_code": code, "notice_no": "TB-77", "kind": "DA_NOP", "receipt_no": "BL-9",
                              "paid_on": today().isoformat()}, headers=api.key("thue"))
    assert r.status_code == 200 and r.json()["state"] == "DANG_XU_LY" and r.json()["paid"] is True
    # the payment confirmation replayed (the tax system did not hear the answer): no second effect
    before = api.counts()
    paid = {"dossier_code": code, "notice_no": "TB-77", "kind": "DA_NOP", "receipt_no": "BL-9",
            "paid_on": today().isoformat()}
    r = c.post(NOTICES, json=paid, headers=api.key("thue"))
    assert r.status_code == 200 and r.json()["result"] == "DA_NHAN" and r.json()["state"] == "DANG_XU_LY"
    assert api.counts() == before
    r = c.post(NOTICES, json={**paid, "receipt_no": "BL-10"}, headers=api.key("thue"))
    assert r.status_code == 409 and api.counts() == before

    # 4. approval moves the rights; the result is returned
    _move(api, code, "dulieu", "CHO_PHE_DUYET")
    d = _move(api, code, "lanhdao", "DA_PHE_DUYET")
    assert is_masked(d["payload"]["new_holders"][0]["personal_number"], CUONG)  # the manager: masked
    d = _move(api, code, "motcua", "DA_TRA_KET_QUA")
    assert d["state"] == "DA_TRA_KET_QUA" and d["timeliness"] in ("SOM_HAN", "DUNG_HAN")
    assert [p["kind"] for p in d["pauses"]] == ["CHO_THUE"] and d["pauses"][0]["paused_to"] is not None
    assert [e["role"] for e in d["events"]][:1] == ["he_thong_cong_chung"]
    assert d["payload"]["tax"]["paid"] is True

    st = c.get(STATUS.format("25216", 12, 1), headers=api.key("congchung")).json()
    holders = {r["name"]: r for r in st["rights"]}
    assert set(holders) == {"Lê Văn Cường", "Phạm Thị Dung"}
    assert holders["Lê Văn Cường"]["personal_number"] == CUONG  # a notary needs the number in full
    assert st["pending_dossiers"] == [] and st["transferable"] is True
    assert api.access_log("congchung") and all(e.purpose for e in api.access_log("congchung"))
    assert any(CUONG in e.subjects for e in api.access_log("congchung"))

    # the admin sees the same status with masked numbers
    st = c.get(STATUS.format("25216", 12, 1), headers=api.h("admin")).json()
    assert is_masked({r["name"]: r for r in st["rights"]}["Lê Văn Cường"]["personal_number"], CUONG)


def test_status_masks_and_shows_restrictions(api):
    c = api.client
    st = c.get(STATUS.format("25216", 12, 2), headers=api.h("admin")).json()
    binh = [r for r in st["rights"] if r["name"] == "Trần Thị Bình"][0]
    assert is_masked(binh["personal_number"], BINH) and BINH not in str(st)
    # a registered mortgage is a restriction once returned
    r = c.post(CONTRACTS, json=contract(contract_no="55/2025/TC", kind="THE_CHAP",
                                        parcel={"ma_xa": "25216", "so_to": 12, "so_thua": 2},
                                        transferors=[{"personal_number": BINH, "name": "Trần Thị Bình"}],
                                        transferees=[{"personal_number": CUONG, "name": "Ngân hàng (đại diện)"}],
                                        price=None), headers=api.key("congchung"))
    assert r.status_code == 201, r.text
    code = r.json()["dossier_code"]
    for user, to, step in (("motcua", "DA_TIEP_NHAN", None), ("dulieu", "DANG_XU_LY", None),
                           ("dulieu", "CHO_PHE_DUYET", None), ("lanhdao", "DA_PHE_DUYET", None),
                           ("motcua", "DA_TRA_KET_QUA", None)):
        _move(api, code, user, to, **({"step": step} if step else {}))
    st = c.get(STATUS.format("25216", 12, 2), headers=api.key("congchung")).json()
    assert [(x["kind"], x["dossier_code"]) for x in st["restrictions"]] == [("THE_CHAP", code)]
    assert "55/2025/TC" in st["restrictions"][0]["description"] and st["transferable"] is False
    assert {r["name"] for r in st["rights"]} >= {"Trần Thị Bình"}  # the right stays with its holder


def test_bad_input_changes_nothing(api):
    c, key = api.client, api.key("congchung")
    before = api.counts()
    r = c.post(CONTRACTS, json=contract(parcel={"ma_xa": "25216", "so_to": 12, "so_thua": 404}), headers=key)
    assert r.status_code == 404 and "404" in r.json()["detail"]
    r = c.post(CONTRACTS, json=contract(transferees=[{"personal_number": "123", "name": "X"}]), headers=key)
    assert r.status_code == 422 and r.json()["field"] == "transferees[0].personal_number"
    r = c.post(CONTRACTS, json=contract(notarized_on="30/05/2025"), headers=key)
    assert r.status_code == 422 and r.json()["field"] == "notarized_on"
    r = c.post(CONTRACTS, json=contract(kind="BAN_NHA"), headers=key)
    assert r.status_code == 422 and r.json()["field"] == "kind"
    r = c.post(CONTRACTS, json=contract(parcel={"ma_xa": "25216", "so_to": [12], "so_thua": 1}), headers=key)
    assert r.status_code == 422 and r.json()["field"] == "parcel.so_to"
    r = c.post(CONTRACTS, json={k: v for k, v in contract().items() if k != "contract_no"}, headers=key)
    assert r.status_code == 422 and r.json()["field"] == "contract_no"
    r = c.post(CONTRACTS, json=contract(extra="?"), headers=key)
    assert r.status_code == 422 and r.json()["field"] == "extra"
    r = c.post(CONTRACTS, content=b'{"contract_no": ', headers={**key, "Content-Type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["detail"]  # unparsable: 400
    r = c.post(CONTRACTS, json=contract(parcel={"ma_xa": "25216", "so_to": 12, "so_thua": 10**12}), headers=key)
    assert r.status_code in (404, 422)  # never a 500 (PostgreSQL: out of the column's range)
    r = c.post(CONTRACTS, json=[contract()], headers=key)
    assert r.status_code == 422
    for path in (STATUS.format("2521", 12, 1), STATUS.format("25216", "x", 1), STATUS.format("25216", 0, 1)):
        assert c.get(path, headers=key).status_code == 422
    assert c.get(STATUS.format("25216", 12, 999), headers=key).status_code == 404
    assert api.counts() == before

    # a notice for an unknown dossier, before the referral, a payment without a notice, bad fields
    tax = api.key("thue")
    r = c.post(NOTICES, json={"dossier_code": "HS-KHONG-CO", "notice_no": "TB-1", "amount": 1}, headers=tax)
    assert r.status_code == 404
    code = c.post(CONTRACTS, json=contract(), headers=key).json()["dossier_code"]
    before = api.counts()
    r = c.post(NOTICES, json={"dossier_code": code, "notice_no": "TB-1", "amount": 1000}, headers=tax)
    assert r.status_code == 409 and "chuyển thuế" in r.json()["detail"]
    r = c.post(NOTICES, json={"dossier_code": code, "notice_no": "TB-1", "kind": "DA_NOP"}, headers=tax)
    assert r.status_code == 404
    r = c.post(NOTICES, json={"dossier_code": code, "notice_no": "TB-1", "amount": -5}, headers=tax)
    assert r.status_code == 422 and r.json()["field"] == "amount"
    r = c.post(NOTICES, json={"dossier_code": code, "notice_no": "TB-1", "kind": "HOAN"}, headers=tax)
    assert r.status_code == 422 and r.json()["field"] == "kind"
    r = c.post(NOTICES, content=b"not json", headers={**tax, "Content-Type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["detail"]
    assert api.counts() == before
    with api.store.read() as conn:
        assert conn.execute(select(outbox.c.id)).first() is None
