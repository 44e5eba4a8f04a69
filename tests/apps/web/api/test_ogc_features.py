"""OGC API – Features at /api/v1/ogc.

With GDAL's OAPIF driver (the OGC API client of the GDAL stack) against a real ``datdai serve`` on
loopback, over a store built from an office's own delivery (``datdai import``): a token sent as a
header, the collections listed, the parcels and findings paged with a page smaller than the
count, in the VN-2000 zone and in CRS84, a bounding box, the commune scope, masking and the access
log. Then the refusals (credentials, roles, unknown collection or feature, bad CRS or bbox) on
both backends through the app."""

from __future__ import annotations

import re

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from sqlalchemy import select
from typer.testing import CliRunner

from datdai.access.access_log import query_access_log
from datdai.access.tokens import issue_token
from datdai.access.users import create_user
from datdai.apps.cli import app
from datdai.db import schema as s
from datdai.db.store import open_store
from tests.apps.web.api.dossier_api_helpers import OTHER_CLERK, make_api
from tests.apps.web.ui.conftest import start_server, stop_server

ROOT = "/api/v1/ogc"
FULL_NUMBER = re.compile(r"\b\d{12}\b")
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A store from a synthetic delivery imported with ``datdai import``, two accounts of one
    commune (a data officer, a manager) with tokens, and ``datdai serve`` on it."""
    from datdai import synth

    work = tmp_path_factory.mktemp("ogc")
    synth.run(work / "giao-nop", parcels=300, seed=7)
    url = f"sqlite:///{work / 'datdai.db'}"
    r = CliRunner().invoke(app, ["import", "--db", url, "--parcels", str(work / "giao-nop" / "thua_dat.gpkg"),
                                 "--register", str(work / "giao-nop" / "so_dia_chinh.csv")])
    assert r.exit_code == 0, r.output
    store = open_store(url)
    with store.transaction() as conn:
        communes = sorted(set(conn.execute(select(s.parcels.c.commune_code)).scalars()))
        commune = communes[0]
        tokens = {}
        for user, role in (("dulieu", "can_bo_du_lieu"), ("lanhdao", "lanh_dao")):
            create_user(conn, user, role=role, password="mat-khau-dai-123", scopes=[commune])
            tokens[user] = issue_token(conn, user).token
    proc, base = start_server(url, work)
    try:
        yield store, base, commune, tokens, work
    finally:
        stop_server(proc)
        store.close()


def _open(work, token: str, name: str = "hdr"):
    """GDAL sends the headers of this file with every request (as QGIS's "API header")."""
    path = work / f"{name}.txt"
    path.write_text(f"Authorization: Bearer {token}\n")
    pyogrio.set_gdal_config_options({"GDAL_HTTP_HEADER_FILE": str(path)})


def _geoms(meta, table):
    return shapely.from_wkb(table.column(meta["geometry_name"] or "wkb_geometry").to_pylist())


def test_gdal_lists_and_pages_the_collections(served):
    store, base, commune, tokens, work = served
    with store.read() as conn:
        rows = conn.execute(select(s.parcels.c.id, s.parcels.c.srid, s.parcels.c.geom)
                            .where(s.parcels.c.commune_code == commune)).all()
        findings = conn.execute(select(s.findings.c.id).where(s.findings.c.commune_code == commune)).scalars().all()
    stored = {r.id: r.geom for r in rows}
    (srid,) = {r.srid for r in rows if r.srid is not None}
    assert 25 < len(stored) and len(findings) > 7
    url = f"OAPIF:{base}{ROOT}"
    try:
        _open(work, tokens["dulieu"])
        assert sorted(pyogrio.list_layers(url)[:, 0]) == ["loi_du_lieu", "thua_dat"]
        # pages of 25: the driver follows the next links to the end
        meta, table = pyogrio.read_arrow(url, layer="thua_dat", PAGE_SIZE=25)
        assert meta["crs"] == f"EPSG:{srid}"
        ids = table.column("id_thua").to_pylist()
        assert sorted(ids) == sorted(stored) and len(set(ids)) == len(ids)
        for i, g in zip(ids, _geoms(meta, table)):
            if stored[i] is not None:
                assert g.equals_exact(stored[i], 1e-6), i
        assert set(table.column("ma_xa").to_pylist()) == {commune}  # the officer's scope only
        assert any(FULL_NUMBER.search(x or "") for x in table.column("so_giay_to").to_pylist())

        # WGS 84 (CRS84): the same parcels, transformed
        meta, wgs = pyogrio.read_arrow(url, layer="thua_dat", PAGE_SIZE=40, CRS="OGC:CRS84")
        assert "CRS84" in meta["crs"]
        to_wgs = Transformer.from_crs(f"EPSG:{srid}", "EPSG:4326", always_xy=True)
        by_id = dict(zip(wgs.column("id_thua").to_pylist(), _geoms(meta, wgs)))
        some = next(i for i in ids if stored[i] is not None)
        x, y = shapely.get_coordinates(stored[some]).T
        lon, lat = to_wgs.transform(x, y)
        assert np.allclose(shapely.get_coordinates(by_id[some]), np.column_stack([lon, lat]), atol=1e-9)
        assert 102 < lon[0] < 110 and 8 < lat[0] < 24

        # a bounding box in the zone's metres around one parcel
        box = stored[some].bounds
        meta, inside = pyogrio.read_arrow(url, layer="thua_dat", PAGE_SIZE=25, bbox=box)
        found = inside.column("id_thua").to_pylist()
        assert some in found and len(found) < len(stored)

        meta, ft = pyogrio.read_arrow(url, layer="loi_du_lieu", PAGE_SIZE=7)
        assert sorted(ft.column("id_loi").to_pylist()) == sorted(findings)

        # a manager: the same parcels, numbers masked, no findings layer
        _open(work, tokens["lanhdao"], "hdr2")
        assert list(pyogrio.list_layers(url)[:, 0]) == ["thua_dat"]
        meta, masked = pyogrio.read_arrow(url, layer="thua_dat", PAGE_SIZE=100)
        assert masked.num_rows == len(stored)
        numbers = [x for x in masked.column("so_giay_to").to_pylist() if x]
        assert numbers and not any(FULL_NUMBER.search(x) for x in numbers) and any("*" in x for x in numbers)
    finally:
        pyogrio.set_gdal_config_options({"GDAL_HTTP_HEADER_FILE": None})
    log = (work / next(p.name for p in work.iterdir() if p.name.startswith("serve-"))).read_text()
    assert "offset=25&limit=25" in log  # paged through the next links
    with store.read() as conn:
        officer = query_access_log(conn, username="dulieu", limit=1000)[1]
        manager = query_access_log(conn, username="lanhdao", limit=1000)[1]
    assert officer and all("QGIS" in e.purpose and e.resource.startswith("ogc/") for e in officer)
    assert any("loi_du_lieu" in e.resource for e in officer) and manager


def test_the_items_page_and_its_links(served):
    import json
    import urllib.request

    store, base, commune, tokens, work = served

    def get(path: str, token: str | None = tokens["dulieu"]):
        req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"} if token else {})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, dict(r.headers), json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), json.loads(e.read())

    status, _, landing = get(ROOT)
    assert status == 200 and {x["rel"] for x in landing["links"]} >= {"self", "conformance", "data", "service-desc"}
    status, _, conf = get(f"{ROOT}/conformance")
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conf["conformsTo"]
    status, headers, page = get(f"{ROOT}/collections/thua_dat/items?limit=5&offset=5")
    assert status == 200 and headers["content-type"] == "application/geo+json"
    assert headers["content-crs"] == f"<{CRS84}>"
    assert page["numberReturned"] == 5 and page["numberMatched"] > 10
    rels = {x["rel"]: x["href"] for x in page["links"]}
    assert "offset=10" in rels["next"] and "offset=0" in rels["prev"]
    fid = page["features"][0]["id"]
    status, _, one = get(f"{ROOT}/collections/thua_dat/items/{fid}")
    assert status == 200 and one["id"] == fid and one["properties"]["ma_xa"] == commune
    assert get(ROOT, token=None)[0] == 401


@pytest.fixture
def api(store):
    with make_api(store) as a:
        yield a


def test_refusals(api):
    c = api.client
    assert c.get(f"{ROOT}/collections").status_code == 401
    for user in ("an", "c06"):  # a citizen, a partner system: not map readers
        assert c.get(f"{ROOT}/collections", headers=api.h(user) if user == "an" else api.key(user)).status_code == 403
    assert c.get(f"{ROOT}/collections", headers=api.h(OTHER_CLERK)).json()["collections"] == []
    assert c.get(f"{ROOT}/collections/thua_dat/items", headers=api.h(OTHER_CLERK)).status_code == 404
    h = api.h("motcua")
    assert [x["id"] for x in c.get(f"{ROOT}/collections", headers=h).json()["collections"]] == ["thua_dat"]
    assert c.get(f"{ROOT}/collections/loi_du_lieu/items", headers=h).status_code == 403
    assert c.get(f"{ROOT}/collections/khong_co", headers=h).status_code == 404
    assert c.get(f"{ROOT}/collections/thua_dat/items/999999", headers=h).status_code == 404
    for params in ({"crs": "EPSG:4326"}, {"bbox": "1,2,3"}, {"bbox": "5,5,1,1"}, {"bbox-crs": "urn:x"},
                   {"limit": 0}, {"offset": -1}):
        r = c.get(f"{ROOT}/collections/thua_dat/items", params=params, headers=h)
        assert r.status_code == 422 and r.json()["detail"], (params, r.text)
    r = c.get(f"{ROOT}/collections/thua_dat/items", params={"limit": 5000}, headers=h)
    assert r.status_code == 200 and r.json()["numberReturned"] == 3  # limit capped to 1000
    assert sorted(f["geometry"] is None for f in r.json()["features"]) == [False, False, True]  # register only
    zone = c.get(f"{ROOT}/collections/thua_dat", headers=h).json()["storageCrs"]
    assert zone == "http://www.opengis.net/def/crs/EPSG/0/9212"
    r = c.get(f"{ROOT}/collections/thua_dat/items", params={"crs": zone, "bbox": "560001,1300001,560002,1300002",
                                                          "bbox-crs": zone}, headers=h)
    assert [f["properties"]["so_thua"] for f in r.json()["features"]] == [1]
    assert r.headers["content-crs"] == f"<{zone}>"
    assert r.json()["features"][0]["geometry"]["coordinates"][0][0][0] >= 560000
