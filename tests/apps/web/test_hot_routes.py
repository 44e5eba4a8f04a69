"""The hot routes (web/hot_routes.py): a plain request with cached credentials is served first and
answers exactly as the FastAPI route; anything else goes on to the FastAPI route."""

from __future__ import annotations

import pytest
from starlette.routing import Match

from datdai.apps.web.api import exchange_c06, parcels
from datdai.apps.web.hot_routes import plain_int, query_params
from tests.apps.web.api.dossier_api_helpers import OTHER_CLERK, make_api
from tests.dossiers.dossier_helpers import AN, BINH

KEY = "/api/v1/parcels"
LAND = "/api/v1/exchange/c06/land-by-citizen/"


@pytest.fixture
def api(store):
    with make_api(store) as a:
        a.client.app.state.auth_cache_seconds = 10  # make_api turns the cache off; hot routes need it
        yield a


def _scope(api, path: str, query: str = "", headers: dict[str, str] | None = None) -> dict:
    return {"type": "http", "method": "GET", "path": path, "root_path": "", "query_string": query.encode(),
            "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
            "client": ("10.0.0.7", 5000), "app": api.client.app}


def _served_by_hot_route(api, path: str, query: str, headers: dict[str, str]) -> bool:
    route = parcels.HOT_ROUTE if path == KEY else exchange_c06.HOT_ROUTE
    return route.matches(_scope(api, path, query, headers))[0] == Match.FULL


def test_plain_key_lookup_served_hot_with_the_same_answer(api):
    h = api.h("dulieu")
    query = "ma_xa=25216&so_to=12&so_thua=2"
    assert not _served_by_hot_route(api, KEY, query, h)  # credentials not cached yet
    first = api.client.get(f"{KEY}?{query}", headers=h)  # FastAPI route: authenticates, fills the cache
    assert _served_by_hot_route(api, KEY, query, h)
    second = api.client.get(f"{KEY}?{query}", headers=h)  # hot route
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.headers["content-type"] == second.headers["content-type"] == "application/json"
    assert second.headers["x-content-type-options"] == "nosniff"  # still inside the protection middleware
    log = api.access_log("dulieu")
    assert len(log) == 2 and all(e.resource == "parcels/25216/12/2" and BINH in e.subjects for e in log)
    assert {e.client_ip for e in log} == {"testclient"}


@pytest.mark.parametrize("query", [
    "ma_xa=25216&so_to=12",                      # not a full key: a search
    "ma_xa=25216&so_to=12&so_thua=2&bbox=0,0,1,1",
    "ma_xa=25216&so_to=12&so_thua=2&so_thua=3",  # repeated
    "ma_xa=25216&so_to=%2B12&so_thua=2",         # escaped
    "ma_xa=25216&so_to=+12&so_thua=2",
    "ma_xa=25216&so_to=012&so_thua=2",           # not canonical
    "ma_xa=2521&so_to=12&so_thua=2",
    "ma_xa=25216&so_to=12&so_thua=2&limit=0",
    "ma_xa=25216&so_to=12&so_thua=2&limit=1001",
    "ma_xa=25216&so_to=99999999999&so_thua=2",
])
def test_anything_not_plain_goes_to_the_fastapi_route(api, query):
    h = api.h("dulieu")
    api.client.get(f"{KEY}?ma_xa=25216&so_to=12&so_thua=2", headers=h)  # cache the credentials
    assert _served_by_hot_route(api, KEY, "ma_xa=25216&so_to=12&so_thua=2", h)
    assert not _served_by_hot_route(api, KEY, query, h)
    r = api.client.get(f"{KEY}?{query}", headers=h)
    assert r.status_code in (200, 422), r.text  # what the FastAPI route says about it


def test_wrong_role_scope_or_credentials_are_refused_by_the_fastapi_route(api):
    query = "ma_xa=25216&so_to=12&so_thua=2"
    for user in ("c06", OTHER_CLERK):
        api.client.get(f"{KEY}?{query}", headers=api.h(user))
        assert not _served_by_hot_route(api, KEY, query, api.h(user))
        assert api.client.get(f"{KEY}?{query}", headers=api.h(user)).status_code == 403
    assert not _served_by_hot_route(api, KEY, query, {"Authorization": "Basic eDp5"})
    assert api.client.get(f"{KEY}?{query}", headers={"Authorization": "Basic eDp5"}).status_code == 401
    assert not _served_by_hot_route(api, "/api/v1/parcels/1", "", api.h("dulieu"))


def test_land_by_citizen_hot_by_api_key(api):
    key = api.key("c06")
    first = api.client.get(LAND + AN, headers=key)
    assert _served_by_hot_route(api, LAND + AN, "", key)
    second = api.client.get(LAND + AN, headers=key)
    assert first.status_code == second.status_code == 200 and first.json() == second.json()
    assert not _served_by_hot_route(api, LAND + AN[:11], "", key)
    assert api.client.get(LAND + AN[:11], headers=key).status_code == 422
    unknown = "099999999999"
    assert _served_by_hot_route(api, LAND + unknown, "", key)
    r = api.client.get(LAND + unknown, headers=key)
    assert r.status_code == 404 and r.json()["detail"]
    assert len(api.access_log("c06")) == 3  # found or not, every lookup is logged


def test_plain_int_and_query_params():
    assert plain_int("0", 0, 5) == 0 and plain_int("5", 0, 5) == 5
    assert plain_int("6", 0, 5) is None and plain_int("05", 0, 5) is None and plain_int("", 0, 5) is None
    assert plain_int("-1", -5, 5) is None and plain_int("1e3", 0, 5000) is None
    scope = {"query_string": b"a=1&b=2&c=3"}
    assert query_params(scope, frozenset({"a", "b"})) == {"a": "1", "b": "2"}
    assert query_params({"query_string": b"a=1&a=2"}, frozenset({"a"})) is None
    assert query_params({"query_string": "a=Đ".encode()}, frozenset({"a"})) is None
    assert query_params({"query_string": b""}, frozenset({"a"})) == {}
