"""The report's figures (the dashboard's too) equal counts made independently over the tables, for
the whole store and for a scope; the roll-up file round-trips and refuses bad input."""

from __future__ import annotations

import json

import pytest

from datdai.db.store import open_store
from datdai.dossiers.errors import InvalidInput
from datdai.reporting.figures import (
    FiguresFileError,
    Office,
    from_json,
    last_months,
    month_figures,
    monthly_series,
    to_json,
)
from tests.reporting.province import MONTH, SERVICE_KEYS, TODAY, dossier_counts, expected

UNIT_FIELDS = {"parcels": "parcels", "checked": "parcels_checked", "spatial_ok": "parcels_spatial_ok",
               "attribute_ok": "parcels_attribute_ok", "clean": "parcels_clean", "findings_open": "findings_open",
               "findings_fixed": "findings_fixed", "land_users": "land_users", "reconciled": "land_users_reconciled",
               "matched": "land_users_matched", "updated": "land_users_updated"}


def _figures(province, **kw):
    store = open_store(province.url)
    try:
        with store.read() as conn:
            return month_figures(conn, MONTH, as_of=TODAY, **kw), expected(conn, communes=kw.get("communes"))
    finally:
        store.close()


def _check(f, exp) -> None:
    assert [r.code for r in f.services] == sorted(exp.services)
    for r in f.services:
        e = exp.services[r.code]
        assert {k: getattr(r, k) for k in SERVICE_KEYS} == {k: e[k] for k in SERVICE_KEYS}, r.code
        assert r.portal_connected is e["connected"] and r.name == e["name"]
    assert {k: getattr(f.service_totals, k) for k in SERVICE_KEYS} == {k: exp.service_totals[k] for k in SERVICE_KEYS}
    assert f.services_connected == exp.service_totals["connected"]
    assert [u.code for u in f.units] == sorted(exp.units)
    for u in f.units:
        e = exp.units[u.code]
        assert {k: getattr(u, v) for k, v in UNIT_FIELDS.items()} == {k: e[k] for k in UNIT_FIELDS}, u.code
        assert u.connected is e["connected"]
    t = exp.unit_totals
    assert {k: getattr(f.unit_totals, v) for k, v in UNIT_FIELDS.items()} == {k: t[k] for k in UNIT_FIELDS}
    assert (f.unit_totals.communes, f.unit_totals.communes_connected) == (t["communes"], t["connected"])


def test_the_month_equals_independent_counts(report_province):
    f, exp = _figures(report_province)
    _check(f, exp)
    assert f.month == MONTH and f.as_of == TODAY and f.scope is None
    # the scenario is not degenerate: every kind of figure is there to be compared
    assert exp.service_totals["total"] > 0 and exp.service_totals["online"] > 0
    assert exp.service_totals["on_time"] > 0 and exp.service_totals["digitized"] > 0
    assert 0 < exp.unit_totals["connected"] < exp.unit_totals["communes"]  # one commune not reconciled
    assert 0 < exp.unit_totals["updated"] < exp.unit_totals["land_users"]
    assert exp.unit_totals["clean"] < exp.unit_totals["parcels"] and exp.unit_totals["findings_open"] > 0
    assert sum(u.parcels_spatial_ok != u.parcels_attribute_ok for u in f.units)


def test_a_scope_restricts_every_figure(report_province):
    one = report_province.communes[-1:]
    f, exp = _figures(report_province, communes=one)
    _check(f, exp)
    assert [u.code for u in f.units] == one and f.scope == tuple(one)
    whole, _ = _figures(report_province)
    assert f.service_totals.total < whole.service_totals.total


def test_the_twelve_months(report_province):
    months = last_months(MONTH, 12)
    assert months[0] == "2024-12" and months[-1] == MONTH and len(months) == 12
    store = open_store(report_province.url)
    try:
        with store.read() as conn:
            series = monthly_series(conn, months, as_of=TODAY)
            for point in series:
                counts = dossier_counts(conn, point.month, TODAY)
                assert {k: getattr(point, k) for k in SERVICE_KEYS} == {
                    k: sum(c[k] for c in counts.values()) for k in SERVICE_KEYS}, point.month
                assert dict(point.by_service) == {code: c["total"] for code, c in counts.items()}
    finally:
        store.close()
    assert series[0].total == 0 and sum(p.total for p in series) > 50


def test_bad_month_is_refused(report_province):
    store = open_store(report_province.url)
    try:
        with store.read() as conn:
            for month in ("2025-13", "2025-1", "11/2025", ""):
                with pytest.raises(InvalidInput):
                    month_figures(conn, month)
    finally:
        store.close()


def test_the_figure_file_round_trips(report_province):
    f, _ = _figures(report_province, series_months=12)
    office = Office("70", "Văn phòng Đăng ký đất đai tỉnh Đồng Nai")
    text = to_json(f, office)
    back = from_json(text)
    assert back.figures == f and back.office == office
    doc = json.loads(text)
    assert doc["format"] == "datdai-bao-cao-thang" and doc["version"] == 1
    assert doc["service_totals"]["total"] == f.service_totals.total and len(doc["series"]) == 12


BAD_FILES = [
    (lambda d: d.update(format="khac"), "format"),
    (lambda d: d.update(month="2025-13"), "month"),
    (lambda d: d["services"][0].update(total=-1), "services[0].total"),
    (lambda d: d["services"][0].update(online=True), "services[0].online"),
    (lambda d: d["services"][0].update(online=10**6), "services[0]"),
    (lambda d: d["units"][0].update(parcels_clean=10**6), "units[0].parcels_clean"),
    (lambda d: d["units"][0].pop("land_users"), "units[0].land_users"),
    (lambda d: d.update(series="x"), "series"),
    (lambda d: d["series"][0].update(month="2025/01"), "series[0].month"),
]


def test_a_bad_figure_file_names_the_field(report_province):
    f, _ = _figures(report_province, series_months=2)
    text = to_json(f, Office("", "VP"))
    for change, field in BAD_FILES:
        doc = json.loads(text)
        change(doc)
        with pytest.raises(FiguresFileError) as err:
            from_json(json.dumps(doc), source="xa.json")
        assert str(err.value).startswith("xa.json: ") and field in str(err.value), (field, str(err.value))
    with pytest.raises(FiguresFileError, match="JSON"):
        from_json(b"{not json", source="xa.json")


def test_survey_figures_per_commune_in_the_figures_and_the_report(store, tmp_path):
    """Parcels surveyed and proposals applied per commune: counted by the figures (the dashboard's
    too), written in the report, kept by the roll-up file (a file without them reads 0)."""
    from datdai.cleaning.survey import ACCEPTED, apply_accepted, decide, record_submissions
    from datdai.db.files import FileStore
    from datdai.kernel.survey_fields import Submission
    from datdai.land import repository
    from datdai.reporting.content import Paragraph, build_report
    from datdai.reporting.figures import FigureFile
    from datdai.reporting.texts import ReportTexts
    from tests.land.factories import small_dataset

    with store.transaction() as conn:
        repository.load_dataset(conn, small_dataset(), actor="t", source="t", reason="t")
        record_submissions(conn, [Submission("uuid:r1", 1, "25216-12-1", {"so_nha": "7", "dien_tich": "401"}),
                                  Submission("uuid:r2", 2, "25216-12-9", {"so_nha": "8"})],  # no such parcel
                           source="ODK_CENTRAL", file_name="x.zip", files=FileStore(tmp_path), actor="t")
        decide(conn, decision=ACCEPTED, by="t", communes=["25216"])  # the address, not the area (a conflict)
        apply_accepted(conn, actor="t")
    with store.read() as conn:
        f = month_figures(conn, "2026-11")
    u = f.unit("25216")
    assert (u.parcels, u.parcels_surveyed, u.survey_proposals, u.survey_applied) == (3, 1, 2, 1)
    assert f.unit_totals.parcels_surveyed == 1
    office = Office("70", "Văn phòng")
    report = build_report(FigureFile(office, f), ReportTexts(scope_code="", month="2026-11"), charts=False)
    texts = [b.text for b in report.blocks if isinstance(b, Paragraph)]
    assert any("đã điều tra 1/3 thửa đất (33,3%); 2 đề xuất bổ sung, chỉnh lý thông tin, "
               "đã cập nhật vào cơ sở dữ liệu 1 đề xuất" in t for t in texts)
    doc = json.loads(to_json(f, office))
    assert doc["units"][0]["parcels_surveyed"] == 1
    for unit in [*doc["units"], doc["unit_totals"]]:
        for key in ("parcels_surveyed", "survey_proposals", "survey_applied"):
            unit.pop(key)
    assert from_json(json.dumps(doc)).figures.unit("25216").parcels_surveyed == 0
