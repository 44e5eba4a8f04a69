"""X-Schema-Version: an older partner's requests go up the adapter chain, the answers come down it;
unknown versions are refused; requests without the header are untouched (hot routes included)."""

from __future__ import annotations

import pytest

from datdai.apps.web.schema_versions import CURRENT, SchemaAdapter, SchemaVersions
from tests.apps.web.api.dossier_api_helpers import make_api, today
from tests.dossiers.dossier_helpers import AN

CONTRACTS = "/api/v1/exchange/notary/contracts"
STATUS = r"/api/v1/exchange/notary/parcels/\d{5}/\d+/\d+/status"


@pytest.fixture
def api(store):
    with make_api(store) as a:
        yield a


def _install_test_versions(api) -> SchemaVersions:
    """Two older schemas for the notary routes, as a guideline change would bring them:
    2.0 named the contract number ``so_hop_dong`` and the parcel flat (``ma_xa``, ``so_to``, ``so_thua``
    at the top); 1.0 also sent one transferee as ``ben_nhan`` (an object, not a list) and, in the
    parcel status, called ``transferable`` ``duoc_chuyen_nhuong``."""
    versions: SchemaVersions = api.client.app.state.schema_versions
    versions.declare("2.0", "hướng dẫn kỹ thuật 2.0")
    versions.declare("1.0", "hướng dẫn kỹ thuật 1.0")

    def v2_up(body):
        body = dict(body)
        body["contract_no"] = body.pop("so_hop_dong")
        body["parcel"] = {k: body.pop(k) for k in ("ma_xa", "so_to", "so_thua")}
        return body

    def v2_down(body):
        body = dict(body)
        body["so_hop_dong"] = body.pop("notary_contract_no")
        return body

    def v1_up(body):
        body = dict(body)
        body["transferees"] = [body.pop("ben_nhan")]
        return body

    def v1_status_down(body):
        body = dict(body)
        body["duoc_chuyen_nhuong"] = body.pop("transferable")
        return body

    versions.register(SchemaAdapter("2.0", "POST", CONTRACTS, request=v2_up, response=v2_down))
    versions.register(SchemaAdapter("1.0", "POST", CONTRACTS, request=v1_up))
    versions.register(SchemaAdapter("1.0", "GET", STATUS, response=v1_status_down))
    return versions


def _v3_contract(**changes):
    c = {"contract_no": "1/2025/CCGD", "notary_office": "VPCC Biên Hòa", "notarized_on": today().isoformat(),
         "kind": "CHUYEN_NHUONG", "parcel": {"ma_xa": "25216", "so_to": 12, "so_thua": 1},
         "transferors": [{"personal_number": AN, "name": "Nguyễn Văn An"}],
         "transferees": [{"personal_number": "079090001111", "name": "Lê Văn Cường"}],
         "price": 1_500_000_000}
    c.update(changes)
    return c


def test_older_partners_go_through_the_adapter_chain(api):
    c, key = api.client, api.key("congchung")
    _install_test_versions(api)
    v1 = {k: v for k, v in _v3_contract(contract_no="2/2025/CCGD").items() if k not in ("contract_no", "parcel",
                                                                                          "transferees")}
    v1.update(so_hop_dong="2/2025/CCGD", ma_xa="25216", so_to=12, so_thua=1,
              ben_nhan={"personal_number": "079090001111", "name": "Lê Văn Cường"})
    r = c.post(CONTRACTS, json=v1, headers={**key, "X-Schema-Version": "1.0"})
    assert r.status_code == 201, r.text
    assert r.headers["x-schema-version"] == "1.0"
    assert r.json()["so_hop_dong"] == "2/2025/CCGD" and "notary_contract_no" not in r.json()  # 2.0's shape
    assert r.json()["result"] == "TAO_MOI"

    # a 2.0 partner: its own step only (no ben_nhan conversion)
    v2 = {k: v for k, v in _v3_contract(contract_no="2/2025/CCGD").items() if k not in ("contract_no", "parcel")}
    v2.update(so_hop_dong="2/2025/CCGD", ma_xa="25216", so_to=12, so_thua=1)
    again = c.post(CONTRACTS, json=v2, headers={**key, "X-Schema-Version": "2.0"})
    assert again.status_code == 200 and again.json()["result"] == "DA_NHAN", again.text

    # the current schema, stated or not, is untouched
    for headers in (key, {**key, "X-Schema-Version": CURRENT}):
        st = c.get("/api/v1/exchange/notary/parcels/25216/12/1/status", headers=headers)
        assert st.status_code == 200 and "transferable" in st.json()
    old = c.get("/api/v1/exchange/notary/parcels/25216/12/1/status", headers={**key, "X-Schema-Version": "1.0"})
    assert old.status_code == 200 and old.json()["duoc_chuyen_nhuong"] is False and "transferable" not in old.json()
    assert old.json()["pending_dossiers"][0]["notary_contract_no"] == "2/2025/CCGD"
    # a 2.0 partner's status answer has no step at 2.0: the current shape
    assert "transferable" in c.get("/api/v1/exchange/notary/parcels/25216/12/1/status",
                                   headers={**key, "X-Schema-Version": "2.0"}).json()

    # errors are not converted, and bad JSON in an adapted body is 400, not 500
    bad = c.post(CONTRACTS, content=b"{not json", headers={**key, "X-Schema-Version": "2.0",
                                                            "Content-Type": "application/json"})
    assert bad.status_code == 400 and "JSON" in bad.json()["detail"]
    missing = c.post(CONTRACTS, json={**v2, "so_hop_dong": "3/2025/CCGD", "so_thua": 404},
                     headers={**key, "X-Schema-Version": "2.0"})
    assert missing.status_code == 404 and "detail" in missing.json()


def test_unknown_versions_are_refused_with_the_supported_list(api):
    c, key = api.client, api.key("congchung")
    for version in ("2.0", "9.9", "abc", ""):
        r = c.get("/api/v1/exchange/notary/parcels/25216/12/1/status", headers={**key, "X-Schema-Version": version})
        assert r.status_code == 400, (version, r.text)
        assert CURRENT in r.json()["detail"] and r.headers["x-content-type-options"] == "nosniff"
    _install_test_versions(api)
    r = c.get("/api/v1/exchange/notary/parcels/25216/12/1/status", headers={**key, "X-Schema-Version": "1.5"})
    assert r.status_code == 400 and "1.0, 2.0, 3.0" in r.json()["detail"]


def test_registry_rules():
    v = SchemaVersions()
    with pytest.raises(ValueError):
        v.declare("3.1", "newer than current")
    with pytest.raises(ValueError):
        v.register(SchemaAdapter("2.0", "GET", "/x"))  # not declared
    v.declare("2.0", "x")
    v.declare("1.0", "y")
    a2, a1 = SchemaAdapter("2.0", "GET", "/x"), SchemaAdapter("1.0", "GET", "/x")
    v.register(a1)
    v.register(a2)
    assert v.chain("1.0", "GET", "/x") == [a2, a1] and v.chain("2.0", "GET", "/x") == [a2]
    assert v.chain("1.0", "POST", "/x") == [] and v.chain("1.0", "GET", "/x/y") == []
    assert v.supported() == ["1.0", "2.0", "3.0"]
