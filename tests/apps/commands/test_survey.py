"""`datdai survey …` on both backends: the form (XLSForm and GeoPackage), submissions back from a
Central export and from an edited GeoPackage, review, apply, undo, progress; bad input exits 2."""

from __future__ import annotations

import re

import pyarrow as pa
import pyogrio
from sqlalchemy import func, select
from typer.testing import CliRunner

from datdai.apps.cli import app
from datdai.db import schema as s
from datdai.land import repository
from tests.cleaning.survey_export import FakeSubmission, build_export
from tests.land.factories import small_dataset

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args))


def _count(store, table, *where) -> int:
    with store.read() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_survey_commands(store, tmp_path, monkeypatch):
    monkeypatch.setenv("DATDAI_FILES", str(tmp_path / "files"))
    with store.transaction() as conn:
        repository.load_dataset(conn, small_dataset(), actor="t", source="t", reason="t")
    db = ("--db", store.url)

    r = _run("survey", "form", *db, "--commune", "25216", "--out", str(tmp_path / "phieu.xlsx"))
    assert r.exit_code == 0, r.output
    assert (tmp_path / "parcels.csv").is_file() and "cảnh báo pyxform" in r.stdout
    assert _count(store, s.access_log, s.access_log.c.action == "survey.form") == 1
    r = _run("survey", "form", *db, "--commune", "99999", "--out", str(tmp_path / "x.xlsx"))
    assert r.exit_code == 2 and "không có thửa đất" in r.output and not (tmp_path / "x.xlsx").exists()

    export = build_export(tmp_path / "phieu.xlsx", [
        FakeSubmission("uuid:c1", {"thua": "25216-12-2", "ma_thua": "25216-12-2", "xac_nhan": "SUA",
                                   "dieu_tra_vien": "Lê Văn Điều", "ngay_dieu_tra": "2026-11-20",
                                   "dien_tich": "399", "loai_nha": "v1", "nguon_goc": "v3"}),
        FakeSubmission("uuid:c2", {"thua": "25216-12-3", "ma_thua": "25216-12-3", "xac_nhan": "SUA",
                                   "dien_tich": "mười hai"}),
    ], tmp_path / "xuat.zip")
    r = _run("survey", "nap", *db, "--file", str(export), "--nguoi", "can_bo")
    assert r.exit_code == 0, r.output
    assert re.search(r"phiếu đã nhận / recorded\W+1", r.stdout) and "dien_tich" in r.output  # c2 refused
    r = _run("survey", "nap", *db, "--file", str(export))
    assert re.search(r"đã nạp trước đó \(bỏ qua\) / already recorded\W+1", r.stdout)
    r = _run("survey", "nap", *db, "--file", str(tmp_path / "phieu.xlsx"))
    assert r.exit_code == 2 and "không phải tệp xuất CSV zip của ODK Central" in r.output

    r = _run("survey", "de-xuat", *db, "--commune", "25216")
    assert r.exit_code == 0 and "survey proposals" in r.stdout
    with store.read() as conn:
        proposed = dict(conn.execute(select(s.survey_proposals.c.field, s.survey_proposals.c.new_value)).all())
    # choice names of the form (v1, v3) come back as the value lists' values
    assert proposed == {"dien_tich": "399", "loai_nha": "Nhà ở riêng lẻ",
                        "nguon_goc": "Nhà nước giao đất có thu tiền sử dụng đất"}
    r = _run("survey", "duyet", *db, "--tat-ca", "--commune", "25216", "--nguoi", "tp")
    assert r.exit_code == 0 and "Chấp nhận 0 đề xuất" in r.stdout  # every one differs from the register
    with store.read() as conn:
        origin_id = conn.execute(select(s.survey_proposals.c.id).where(
            s.survey_proposals.c.field == "nguon_goc")).scalar_one()
    r = _run("survey", "duyet", str(origin_id), *db, "--ly-do", "giấy tờ gốc", "--nguoi", "tp")
    assert r.exit_code == 0 and "Chấp nhận 1 đề xuất" in r.stdout, r.output
    r = _run("survey", "ap-dung", *db, "--nguoi", "tp")
    assert r.exit_code == 0, r.output
    batch = re.search(r"lô nhật ký / audit batch\W+(\d+)", r.stdout).group(1)
    with store.read() as conn:
        origin = conn.execute(select(s.rights.c.origin).where(s.rights.c.code == "R3")).scalar_one()
    assert origin == "Nhà nước giao đất có thu tiền sử dụng đất"
    r = _run("survey", "tien-do", *db)
    assert r.exit_code == 0 and "25216" in r.stdout
    r = _run("survey", "hoan-tac", batch, *db, "--ly-do", "nhầm")
    assert r.exit_code == 0, r.output
    r = _run("survey", "hoan-tac", batch, *db, "--ly-do", "nhầm")
    assert r.exit_code == 2 and "đã được hoàn tác" in r.output

    # the GeoPackage for QField, edited and read back the same way
    gpkg = tmp_path / "phieu.gpkg"
    r = _run("survey", "form", *db, "--commune", "25216", "--out", str(gpkg))
    assert r.exit_code == 0, r.output
    layers = {str(n) for n, _ in pyogrio.list_layers(str(gpkg))}
    assert {"thua_dieu_tra", "ds_loai_dat", "ds_nguon_goc"} <= layers
    meta, table = pyogrio.read_arrow(str(gpkg), layer="thua_dieu_tra")
    assert sorted(table["ma_thua"].to_pylist()) == ["25216-12-1", "25216-12-2", "25216-12-3"]
    rows = table.to_pylist()
    for row in rows:
        if row["ma_thua"] == "25216-12-1":
            row.update(xac_nhan="SUA", dieu_tra_vien="Đội QField", ngay_dieu_tra="21/11/2026",
                       so_nha="5A", muc_dich="ODT")
    edited = tmp_path / "tra-ve.gpkg"
    pyogrio.write_arrow(pa.Table.from_pylist(rows, schema=table.schema), str(edited), layer="thua_dieu_tra",
                        driver="GPKG", geometry_name=meta["geometry_name"] or "geom",
                        geometry_type="Polygon", crs=meta["crs"])
    r = _run("survey", "nap", *db, "--file", str(edited))
    assert r.exit_code == 0 and re.search(r"phiếu đã nhận / recorded\W+1", r.stdout), r.output
    r = _run("survey", "nap", *db, "--file", str(edited))
    assert re.search(r"đã nạp trước đó \(bỏ qua\) / already recorded\W+1", r.stdout)
    with store.read() as conn:
        got = dict(conn.execute(select(s.survey_proposals.c.field, s.survey_proposals.c.new_value).join(
            s.survey_submissions).where(s.survey_submissions.c.source == "GEOPACKAGE")).all())
    assert got == {"so_nha": "5A", "muc_dich": "ODT"}
