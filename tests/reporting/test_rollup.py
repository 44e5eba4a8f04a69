"""Roll-up: two offices' figure files (two scopes of the province) — and one office read straight
from its store — add up to the independent counts; the roll-up report shows one row per office."""

from __future__ import annotations

import io

import pytest
from docx import Document

from datdai.db.store import open_store
from datdai.reporting.build import render, store_source
from datdai.reporting.figures import FiguresFileError, Office, from_json, to_json
from datdai.reporting.rollup import read_source, rollup
from datdai.reporting.texts import ReportTexts
from tests.reporting.province import MONTH, SERVICE_KEYS, TODAY, expected

ADDITIVE = ("parcels", "parcels_checked", "parcels_spatial_ok", "parcels_attribute_ok", "parcels_clean",
            "findings_open", "findings_fixed", "communes", "communes_connected")


def _office_files(province, tmp_path) -> tuple[list, list]:
    """Two offices (the first commune; the others) written as figure files and read back."""
    scopes = [province.communes[:1], province.communes[1:]]
    store = open_store(province.url)
    parts, exps = [], []
    try:
        with store.read() as conn:
            for i, communes in enumerate(scopes):
                source, _ = store_source(conn, MONTH, communes=communes, scope=",".join(communes), as_of=TODAY)
                path = tmp_path / f"van-phong-{i}.json"
                path.write_text(to_json(source.figures, Office(",".join(communes), f"Chi nhánh {i + 1}")),
                                encoding="utf-8")
                parts.append(read_source(str(path), MONTH))
                exps.append(expected(conn, communes=communes))
    finally:
        store.close()
    return parts, exps


def test_rollup_equals_the_sum_of_the_offices(report_province, tmp_path):
    parts, exps = _office_files(report_province, tmp_path)
    total = rollup(parts, Office("75", "Sở Nông nghiệp và Môi trường tỉnh Đồng Nai"))
    f = total.figures
    for key in SERVICE_KEYS:
        assert getattr(f.service_totals, key) == sum(e.service_totals[key] for e in exps), key
    for r in f.services:
        assert r.total == sum(e.services[r.code]["total"] for e in exps)
        assert r.offices == 2 and r.offices_connected == 2 * exps[0].services[r.code]["connected"]
    assert [u.name for u in f.units] == ["Chi nhánh 1", "Chi nhánh 2"]
    for office, e in zip(f.units, exps, strict=True):
        assert (office.parcels, office.land_users, office.land_users_updated) == (
            e.unit_totals["parcels"], e.unit_totals["land_users"], e.unit_totals["updated"])
    for key in ADDITIVE:
        assert getattr(f.unit_totals, key) == sum(getattr(u, key) for u in f.units), key
    assert f.unit_totals.land_users == sum(e.unit_totals["land_users"] for e in exps)
    assert f.unit_totals.communes == len(report_province.communes)
    # the whole store counted at once gives the same additive figures
    whole = open_store(report_province.url)
    try:
        with whole.read() as conn:
            exp = expected(conn)
    finally:
        whole.close()
    assert f.service_totals.total == exp.service_totals["total"]
    assert f.unit_totals.parcels_clean == exp.unit_totals["clean"]
    assert [p.total for p in f.series] == [sum(x) for x in zip(*[[p.total for p in part.figures.series]
                                                                  for part in parts], strict=True)]
    back = from_json(to_json(f, total.office))
    assert back.figures == f


def test_rollup_report_has_a_row_per_office(report_province, tmp_path):
    parts, exps = _office_files(report_province, tmp_path)
    source = read_source(report_province.url, MONTH, as_of=TODAY)  # an office read from its store
    assert source.figures.service_totals.total == sum(e.service_totals["total"] for e in exps)
    total = rollup(parts, Office("75", "Sở Nông nghiệp và Môi trường tỉnh Đồng Nai"))
    doc = Document(io.BytesIO(render(total, ReportTexts("75", MONTH), "docx", parts=parts, today=TODAY)))
    offices = [t for t in doc.tables if t.rows[0].cells[1].text == "Đơn vị" and t.rows[0].cells[2].text == "Tiếp nhận"]
    assert len(offices) == 1
    rows = [[c.text for c in r.cells] for r in offices[0].rows[1:]]
    assert [r[1] for r in rows] == ["Chi nhánh 1", "Chi nhánh 2", "Tổng cộng"]
    assert [r[2] for r in rows] == [str(e.service_totals["total"]) for e in exps] + [
        str(sum(e.service_totals["total"] for e in exps))]
    head = doc.tables[0].rows[0].cells[0].text
    assert "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG" in head and "/BC-SNNMT" in head


def test_rollup_refuses_mixed_months_and_twice_the_same_office(report_province, tmp_path):
    parts, _ = _office_files(report_province, tmp_path)
    with pytest.raises(FiguresFileError, match="hai lần"):
        rollup([parts[0], parts[0]], Office("75", "Sở"))
    with pytest.raises(FiguresFileError, match="2025-10"):
        read_source(str(tmp_path / "van-phong-0.json"), "2025-10")
    with pytest.raises(FiguresFileError, match="không đọc được"):
        read_source(str(tmp_path / "khong-co.json"), MONTH)
