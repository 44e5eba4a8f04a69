"""`datdai export`: an office's own delivery imported into an empty store, then its parcels and
findings written to a GeoPackage and to Shapefiles and read back through GDAL — values, status,
masking, CRS, the overlap's own geometry, the access log — and refusals that write nothing."""

from __future__ import annotations

import re

import pyogrio
import shapely
from sqlalchemy import func, select
from typer.testing import CliRunner

from datdai.access.access_log import query_access_log
from datdai.apps.cli import app
from datdai.db import schema as s

runner = CliRunner()
FULL_NUMBER = re.compile(r"\b\d{12}\b")


def _invoke(*args: str):
    r = runner.invoke(app, list(args))
    return r


def _read(path, layer=None):
    meta, table = pyogrio.read_arrow(path, layer=layer)
    geoms = shapely.from_wkb(table.column(meta["geometry_name"] or "wkb_geometry").to_pylist())
    return meta, table.to_pylist(), geoms


def test_export_gpkg_and_shapefiles_from_an_imported_delivery(store, synth_delivery, tmp_path):
    r = _invoke("import", "--db", store.url, "--parcels", str(synth_delivery / "thua_dat.gpkg"),
                "--register", str(synth_delivery / "so_dia_chinh.csv"))
    assert r.exit_code == 0, r.output + str(r.exception)
    p, f = s.parcels, s.findings
    with store.read() as conn:
        stored = {x.id: x for x in conn.execute(select(p.c.id, p.c.commune_code, p.c.sheet_no, p.c.parcel_no,
                                                       p.c.legal_area, p.c.srid, p.c.geom))}
        with_open = set(conn.execute(select(f.c.parcel_id).distinct().where(
            f.c.status == "MO", f.c.parcel_id.is_not(None))).scalars())
        n_findings = conn.execute(select(func.count()).select_from(f)).scalar_one()
    srid = {x.srid for x in stored.values() if x.srid is not None}
    assert len(srid) == 1 and with_open and n_findings
    (srid,) = srid

    out = tmp_path / "ban_do.gpkg"
    r = _invoke("export", "--db", store.url, "--out", str(out), "--findings", "--actor", "can-bo-gis")
    assert r.exit_code == 0, r.output + str(r.exception)
    assert sorted(pyogrio.list_layers(out)[:, 0]) == ["loi_du_lieu", "thua_dat"]
    meta, rows, geoms = _read(out, "thua_dat")
    assert meta["crs"] == f"EPSG:{srid}" and len(rows) == len(stored)
    for row, geom in zip(rows, geoms):
        db = stored[row["id_thua"]]
        assert (row["ma_xa"], row["so_to"], row["so_thua"]) == (db.commune_code, db.sheet_no, db.parcel_no)
        assert row["dien_tich"] == (None if db.legal_area is None else float(db.legal_area))
        assert row["trang_thai"] == ("CO_LOI" if db.id in with_open else "SACH")
        if db.geom is not None:
            assert geom.equals(db.geom), row["id_thua"]
        assert not FULL_NUMBER.search(row["so_giay_to"] or "")  # masked for the operator by default
    assert sum(1 for x in rows if x["chu_sd"]) > len(rows) / 2
    assert any("*" in (x["so_giay_to"] or "") for x in rows)

    meta, findings, fgeoms = _read(out, "loi_du_lieu")
    assert len(findings) == n_findings and meta["crs"] == f"EPSG:{srid}"
    overlaps = [(x, g) for x, g in zip(findings, fgeoms) if x["quy_tac"] == "OVERLAP"]
    assert overlaps
    for x, g in overlaps:  # the shared part, not the whole parcel
        said = float(re.search(r"phần chồng ([\d.]+) m²", x["mo_ta"]).group(1))
        assert abs(g.area - said) < 0.01 and g.area < stored[x["id_thua"]].geom.area
    placed = [(x, g) for x, g in zip(findings, fgeoms) if x["quy_tac"] == "AREA_MISMATCH"]
    assert placed and all(g.equals(stored[x["id_thua"]].geom) for x, g in placed)
    assert not any(FULL_NUMBER.search(x["mo_ta"] or "") for x in findings)

    with store.read() as conn:
        log = query_access_log(conn, username="can-bo-gis")[1]
    assert len(log) == 1 and log[0].role == "dong_lenh" and "GIS" in log[0].purpose
    assert len(log[0].subjects) > 100

    # Shapefiles, one commune, full numbers: one set of files per layer, UTF-8 declared
    commune = rows[0]["ma_xa"]
    folder = tmp_path / "shp"
    r = _invoke("export", "--db", store.url, "--out", str(folder), "--format", "shp", "--commune", commune,
                "--findings", "--hien-so", "--actor", "can-bo-shp")
    assert r.exit_code == 0, r.output + str(r.exception)
    names = sorted(x.name for x in folder.iterdir())
    assert names == sorted(f"{layer}{ext}" for layer in ("thua_dat", "loi_du_lieu")
                           for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"))
    assert (folder / "thua_dat.cpg").read_text().strip() == "UTF-8"
    meta, shp_rows, _ = _read(folder / "thua_dat.shp")
    assert meta["crs"] == f"EPSG:{srid}" and all(len(n) <= 10 for n in meta["fields"])
    assert len(shp_rows) == sum(1 for x in stored.values() if x.commune_code == commune)
    assert {x["ma_xa"] for x in shp_rows} == {commune}
    assert any(FULL_NUMBER.search(x["so_giay_to"] or "") for x in shp_rows)
    assert any("ư" in (x["chu_sd"] or "") or "ễ" in (x["chu_sd"] or "") for x in shp_rows)
    with store.read() as conn:
        log = query_access_log(conn, username="can-bo-shp")[1]
    assert len(log) == 1 and "số đầy đủ" in log[0].resource


def test_refusals_write_nothing(store, synth_delivery, tmp_path):
    from datdai.land import repository
    from tests.land.factories import small_dataset

    with store.transaction() as conn:
        repository.load_dataset(conn, small_dataset(), actor="t", source="tay", reason="test")
    tmp_path = tmp_path / "xuat"
    tmp_path.mkdir()
    cases = [
        (("--out", str(tmp_path / "a.gpkg"), "--commune", "99999"), "99999"),
        (("--out", str(tmp_path / "a.gpkg"), "--commune", "25216,99998"), "99998"),
        (("--out", str(tmp_path / "a.gpkg"), "--commune", "xa1"), "xa1"),
        (("--out", str(tmp_path / "a.gpkg"), "--format", "kml"), "kml"),
        (("--out", str(tmp_path / "a.shp.zip")), ".gpkg"),
        (("--out", str(tmp_path / "khong-co" / "a.gpkg")), "khong-co"),
    ]
    for args, words in cases:
        r = _invoke("export", "--db", store.url, *args)
        assert r.exit_code == 2, (args, r.output)
        assert words in r.stderr and "Lỗi / error" in r.stderr
    assert list(tmp_path.iterdir()) == []
    with store.read() as conn:
        assert query_access_log(conn)[0] == 0
    # the register-only parcel (no geometry) goes with the zone's layer, without geometry
    out = tmp_path / "a.gpkg"
    r = _invoke("export", "--db", store.url, "--out", str(out), "--khong-chu")
    assert r.exit_code == 0, r.output + str(r.exception)
    _, rows, geoms = _read(out, "thua_dat")
    assert sorted(x["so_thua"] for x in rows) == [1, 2, 3] and sum(g is None for g in geoms) == 1
    assert all(x["chu_sd"] is None for x in rows)
    with store.read() as conn:
        assert query_access_log(conn)[0] == 0  # no holders written: nothing to log
