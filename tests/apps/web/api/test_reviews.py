"""GET /api/v1/reconcile/reviews and POST /reviews/{id}/decision on the synthetic province:
credentials, roles, scope, masking, the decision mapping (accept → CHON, no_match → KHONG_KHOP,
reject → HOAN), the access log, bad input."""

from __future__ import annotations

from unittest import mock

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from datdai.access import passwords
from datdai.access.access_log import query_access_log
from datdai.access.demo import create_demo_accounts
from datdai.access.tokens import issue_token
from datdai.access.users import create_user
from datdai.apps.web.app import create_app
from datdai.matching.reconciliation import record_result
from tests.matching.reconciliation import load_province

URL = "/api/v1/reconcile/reviews"


@pytest.fixture
def api(store, synthetic_province, tmp_path):
    land, folder = synthetic_province
    prov = load_province(store, land, folder, tmp_path / "p")
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with mock.patch.object(passwords, "_hasher", cheap), store.transaction() as conn:
        record_result(conn, prov.result, export_id=prov.export_id, actor="t")
        demo = create_demo_accounts(conn)
        create_user(conn, "dulieu_khac", role="can_bo_du_lieu", password="x" * 12, scopes=["01001"])
        tokens = {u: issue_token(conn, u).token for u in [*demo.usernames, "dulieu_khac"]}
    app = create_app(store)
    app.state.auth_cache_seconds = 0
    with TestClient(app) as client:
        def h(user):
            return {"Authorization": f"Bearer {tokens[user]}"}
        client.h = h
        client.store = store
        yield client


def _log(client, user):
    with client.store.read() as conn:
        return query_access_log(conn, username=user)[1]


def test_credentials_roles_scope(api):
    assert api.get(URL).status_code == 401
    assert api.post(f"{URL}/1/decision", json={"decision": "no_match", "reason": "x"}).status_code == 401
    for user in ("motcua", "lanhdao", "kiemtoan", "c06"):
        assert api.get(URL, headers=api.h(user)).status_code == 403, user
        assert api.post(f"{URL}/1/decision", json={"decision": "no_match", "reason": "x"},
                        headers=api.h(user)).status_code == 403
    cases = api.get(URL, headers=api.h("dulieu")).json()["items"]
    assert len(cases) >= 3
    assert api.get(URL, headers=api.h("dulieu_khac")).json()["items"] == []
    commune = cases[0]["land"]["commune_code"]
    assert api.get(URL, params={"ma_xa": commune}, headers=api.h("dulieu_khac")).status_code == 403
    r = api.post(f"{URL}/{cases[0]['result_id']}/decision", json={"decision": "no_match", "reason": "x"},
                 headers=api.h("dulieu_khac"))
    assert r.status_code == 403
    assert _log(api, "dulieu_khac") == []


def test_masking_decisions_and_log(api):
    full = api.get(URL, headers=api.h("dulieu")).json()["items"]
    masked = api.get(URL, headers=api.h("admin")).json()["items"]
    assert [c["result_id"] for c in full] == [c["result_id"] for c in masked]
    n = full[0]["candidates"][0]["so_dinh_danh"]
    assert n.isdigit() and len(n) == 12
    assert masked[0]["candidates"][0]["so_dinh_danh"] == n[:4] + "******" + n[-2:]
    assert len(_log(api, "dulieu")) == 1 and len(_log(api, "admin")) == 1

    a, b, c = full[0]["result_id"], full[1]["result_id"], full[2]["result_id"]
    r = api.post(f"{URL}/{a}/decision", json={"decision": "accept", "so_dinh_danh": n, "reason": "đối chiếu CCCD"},
                 headers=api.h("dulieu"))
    assert r.status_code == 200, r.text
    assert r.json() == {"result_id": a, "decision": "accept", "stored_decision": "CHON", "status": "CHO_AP_DUNG"}
    r = api.post(f"{URL}/{b}/decision", json={"decision": "no_match", "reason": "khác người"},
                 headers=api.h("admin"))
    assert r.json()["status"] == "DONG" and r.json()["stored_decision"] == "KHONG_KHOP"
    r = api.post(f"{URL}/{c}/decision", json={"decision": "reject", "reason": "cần xác minh thực địa"},
                 headers=api.h("dulieu"))
    assert r.json()["status"] == "HOAN" and r.json()["stored_decision"] == "HOAN"
    r = api.post(f"{URL}/{c}/decision", json={"decision": "accept", "so_dinh_danh": "1", "reason": "theo thứ tự"},
                 headers=api.h("admin"))
    assert r.status_code == 200 and r.json()["status"] == "CHO_AP_DUNG"
    left = [x["result_id"] for x in api.get(URL, headers=api.h("dulieu")).json()["items"]]
    assert a not in left and b not in left and c not in left
    assert [e.action for e in _log(api, "dulieu")].count("quyết định đối soát") == 2


def test_bad_input(api):
    case = api.get(URL, headers=api.h("dulieu")).json()["items"][0]
    rid = case["result_id"]
    h = api.h("dulieu")
    for body in ({}, {"decision": "duyet", "reason": "x"}, {"decision": "accept", "reason": "x"},
                 {"decision": "accept", "so_dinh_danh": "079999999999", "reason": "x"},
                 {"decision": "accept", "so_dinh_danh": "9", "reason": "x"},
                 {"decision": "no_match", "so_dinh_danh": "1", "reason": "x"},
                 {"decision": "no_match", "reason": ""}, {"decision": "no_match", "reason": "   "},
                 {"decision": "no_match"}, {"decision": "no_match", "reason": "x", "them": 1}):
        r = api.post(f"{URL}/{rid}/decision", json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail"]
    assert api.post(f"{URL}/{rid}/decision", content=b"{", headers={**h, "Content-Type": "application/json"}
                    ).status_code == 400  # a body that does not parse
    assert api.post(f"{URL}/99999999/decision", json={"decision": "no_match", "reason": "x"},
                    headers=h).status_code == 404
    assert api.post(f"{URL}/0/decision", json={"decision": "no_match", "reason": "x"}, headers=h).status_code == 422
    for params in ({"ma_xa": "x"}, {"limit": 0}, {"limit": 501}, {"offset": -1}):
        assert api.get(URL, params=params, headers=h).status_code == 422
