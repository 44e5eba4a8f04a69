"""Property tests over every query and path parameter of the API (issue 18, item 4): whatever the
value — dates and months of any year, numbers past every integer width, control characters,
empty and blank strings — the answer is never a 5xx.

The operations come from the app's own OpenAPI document; each parameter gets values from a
strategy chosen by its type, mixing valid-looking forms (so that the handler's own parsing and
arithmetic run) with boundary ones. The app runs in process on a small SQLite store, each
operation called with the token of the demo account whose role it is for.
"""

from __future__ import annotations

from unittest import mock
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datdai.access import passwords
from datdai.access.demo import create_demo_accounts
from datdai.access.tokens import issue_token
from datdai.apps.web.app import create_app
from datdai.apps.web.protection import ProtectionSettings
from datdai.db.store import open_store
from tests.dossiers.dossier_helpers import load_land

ACCOUNT_BY_PREFIX = [
    ("/api/v1/exchange/c06", "c06"), ("/api/v1/exchange/notary", "congchung"),
    ("/api/v1/exchange/tax", "thue"), ("/api/v1/stats", "lanhdao"), ("/api/v1/reports", "lanhdao"),
    ("/api/v1/dossiers", "motcua"), ("/api/v1/access-log", "kiemtoan"),
]

APP = create_app(None)
OPERATIONS = [(method.upper(), path, op.get("parameters", []), "requestBody" in op)
              for path, item in APP.openapi()["paths"].items()
              for method, op in item.items()
              if path != "/api/v1/auth/token"]  # a body only: the login tests cover it

BOUNDARY_INTS = [0, -1, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, 10**30]
BOUNDARY_TEXTS = ["", " ", "\x00", "\t", "%", "'", "\"", "../..", "9" * 60, "٣", "Đ", "null", "-1",
                  "0000-00", "0000-01", "0001-01", "9999-12", "9999-99", "1899-12", "2201-01",
                  "00/00/0000", "01/01/0001", "31/12/9999", "29/02/2100", "31/12/2200",
                  "01/01/1900", "0001-01-01", "9999-12-31", "2147483648", "99999999999999999999"]
# a valid value per parameter name, so that varying one parameter reaches the code that reads it
DEFAULTS = {"month": "2025-06", "as_of": "31/12/2025", "start": "24/01/2025", "working_days": "5",
            "format": "json", "parcel_id": "1", "dossier_id": "1", "result_id": "1",
            "so_dinh_danh": "070065001234", "ma_xa": "25216", "so_to": "12", "so_thua": "1",
            "limit": "10", "offset": "0", "page": "1", "page_size": "10"}


def _years():
    return st.one_of(st.integers(0, 9999), st.sampled_from([0, 1, 1899, 1900, 2200, 2201, 9999]))


def _text_values():
    return st.one_of(
        st.text(max_size=24),
        st.sampled_from(BOUNDARY_TEXTS),
        st.builds(lambda d, m, y: f"{d:02d}/{m:02d}/{y:04d}", st.integers(0, 32), st.integers(0, 13),
                  _years()),
        st.builds(lambda y, m: f"{y:04d}-{m:02d}", _years(), st.integers(0, 13)),
        st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", _years(), st.integers(0, 13),
                  st.integers(0, 32)),
        st.integers(-(10**20), 10**20).map(str),
        st.from_regex(r"\d{5}|\d{12}|0\d{11}", fullmatch=True),
    )


def _int_values():
    return st.one_of(st.sampled_from(BOUNDARY_INTS), st.integers(-(10**40), 10**40)).map(str) \
        | st.sampled_from(["", "1.5", "1e3", "-0", "0x10", " 1"])


def _values(parameter: dict):
    schema = parameter.get("schema", {})
    types = {s.get("type") for s in schema.get("anyOf", [schema])}
    default = st.just(DEFAULTS[parameter["name"]]) if parameter["name"] in DEFAULTS else st.nothing()
    if "integer" in types:
        return st.one_of(default, _int_values(), _text_values())
    return st.one_of(default, _text_values())


def _call(c, tokens, method, path, shown, values, has_body):
    url = path
    query = {}
    for p in shown:
        if p["name"] not in values:
            continue
        if p["in"] == "path":
            url = url.replace("{" + p["name"] + "}", quote(values[p["name"]], safe="") or "%20")
        else:
            query[p["name"]] = values[p["name"]]
    headers = {"Authorization": f"Bearer {tokens[_account(path)]}"}
    r = c.request(method, url, params=query, headers=headers, json={} if has_body else None)
    assert r.status_code < 500, (method, url, query, r.status_code, r.text[:300])
    return r


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    path = tmp_path_factory.mktemp("params") / "store.db"
    store = open_store(f"sqlite:///{path}", create=True)
    load_land(store)
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with mock.patch.object(passwords, "_hasher", cheap), store.transaction() as conn:
        demo = create_demo_accounts(conn)
        tokens = {u: issue_token(conn, u).token for u in demo.usernames}
    APP.state.store = store
    APP.state.protection = ProtectionSettings(rate_per_second=0)
    with TestClient(APP, raise_server_exceptions=False) as c:
        yield c, tokens
    APP.state.store = None
    store.close()


def _account(path: str) -> str:
    return next((a for prefix, a in ACCOUNT_BY_PREFIX if path.startswith(prefix)), "dulieu")


@pytest.mark.parametrize("method, path, parameters, has_body", OPERATIONS,
                         ids=[f"{m} {p}" for m, p, _, _ in OPERATIONS])
def test_no_parameter_value_gives_a_server_error(client, method, path, parameters, has_body):
    c, tokens = client
    shown = [p for p in parameters if p["in"] in ("query", "path")]
    strategy = st.fixed_dictionaries({p["name"]: _values(p) for p in shown})

    @settings(max_examples=15, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(values=strategy)
    def check(values):
        _call(c, tokens, method, path, shown, values, has_body)

    check()


@pytest.mark.parametrize("method, path, parameters, has_body", OPERATIONS,
                         ids=[f"{m} {p}" for m, p, _, _ in OPERATIONS])
def test_boundary_values_one_parameter_at_a_time(client, method, path, parameters, has_body):
    """Each parameter in turn takes each boundary value, the others their valid default: the
    value reaches the code that parses it (and what it computes from it)."""
    c, tokens = client
    shown = [p for p in parameters if p["in"] in ("query", "path")]
    base = {p["name"]: DEFAULTS[p["name"]] for p in shown if p["name"] in DEFAULTS}
    for p in shown:
        for value in [*BOUNDARY_TEXTS, *map(str, BOUNDARY_INTS)]:
            _call(c, tokens, method, path, shown, {**base, p["name"]: value}, has_body)
