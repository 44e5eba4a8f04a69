"""Per-commune figures of a check: parcels, parcels with an error, findings, automatic fixes."""

from __future__ import annotations

import pyarrow as pa
import pytest

from datdai.cleaning.findings import FINDING_COLUMNS, FINDING_SCHEMA
from datdai.cleaning.progress import CommuneFigures, commune_figures

KEYS = pa.schema([("ma_xa", pa.string()), ("so_to", pa.string()), ("so_thua", pa.string())])


def _parcels(*keys) -> pa.Table:
    return pa.Table.from_pylist([dict(zip(KEYS.names, k)) for k in keys], schema=KEYS)


def _f(ma_xa, so_to, so_thua, ma_loi, muc_do="LOI", sua=None) -> dict:
    row = {c: None for c in FINDING_COLUMNS}
    row.update(ma_xa=ma_xa, so_to=so_to, so_thua=so_thua, ma_loi=ma_loi, muc_do=muc_do,
               sua_tu_dong=sua, mo_ta="x")
    return row


@pytest.fixture(scope="module")
def figures() -> dict[str, CommuneFigures]:
    parcels = _parcels(("A", "1", "1"), ("A", "1", "2"), ("A", "1", "3"), ("A", "2", "1"),
                       ("B", "1", "1"), ("B", "1", "2"),
                       ("C", "1", None), ("C", "1", "5"))
    findings = pa.Table.from_pylist([
        _f("A", "1", "1", "OVERLAP"),
        _f("A", "1", "1", "AREA_MISMATCH"),  # same parcel: one parcel with errors
        _f("A", "1", "2", "LEGACY_ENCODING", "CANH_BAO", "CO"),  # a warning: still clean
        _f("A", "1", "2", "NAME_FORMAT", "CANH_BAO", "CO"),
        _f("A", "2", "1", "ID_INVALID", "LOI", "CO"),
        _f("A", "1", "1", "OVERLAP"),  # the partner side of another overlap
        _f("C", "1", None, "MISSING_IN_REGISTER"),  # unnumbered feature
        _f("D", "1", "1", "MISSING_IN_MAP"),  # a commune with no parcel keys given
    ], schema=FINDING_SCHEMA)
    return {f.ma_xa: f for f in commune_figures(findings, parcels)}


def test_communes_in_order(figures):
    assert list(figures) == ["A", "B", "C", "D"]


def test_commune_with_errors_and_warnings(figures):
    a = figures["A"]
    assert (a.parcels, a.parcels_with_errors, a.findings, a.auto_fixable) == (4, 2, 6, 3)
    assert a.by_rule == {"AREA_MISMATCH": 1, "ID_INVALID": 1, "LEGACY_ENCODING": 1,
                         "NAME_FORMAT": 1, "OVERLAP": 2}
    assert a.clean_pct == pytest.approx(50.0)


def test_clean_commune(figures):
    b = figures["B"]
    assert (b.parcels, b.parcels_with_errors, b.findings, b.auto_fixable) == (2, 0, 0, 0)
    assert b.by_rule == {} and b.clean_pct == 100.0


def test_parcel_without_number(figures):
    c = figures["C"]
    assert (c.parcels, c.parcels_with_errors, c.findings) == (2, 1, 1)
    assert c.clean_pct == pytest.approx(50.0)


def test_commune_only_in_findings(figures):
    d = figures["D"]
    assert (d.parcels, d.parcels_with_errors, d.findings) == (0, 0, 1)
    assert d.clean_pct == 0.0


def test_no_findings():
    figs = commune_figures(FINDING_SCHEMA.empty_table(), _parcels(("A", "1", "1")))
    assert [(f.ma_xa, f.parcels, f.parcels_with_errors, f.findings, f.clean_pct)
            for f in figs] == [("A", 1, 0, 0, 100.0)]


def test_from_a_real_run():
    from datdai.compute import open_engine
    from tests.cleaning.rules.builders import matched, owner, run

    ps, os_ = matched(["1", "2", "3"])
    os_[0]["so_giay_to"] = None  # ID_MISSING: an error on parcel 1
    os_[1]["ten_chu"] = "nguyễn văn an"  # NAME_FORMAT: a warning on parcel 2
    os_.append(owner("9"))  # register only: MISSING_IN_MAP, parcel 9 counted
    with open_engine("duckdb") as eng:
        result = run(eng, ps, os_)
    (fig,) = commune_figures(result.findings, result.parcels)
    assert (fig.parcels, fig.parcels_with_errors) == (4, 2)
    assert fig.by_rule == {"ID_MISSING": 1, "MISSING_IN_MAP": 1, "NAME_FORMAT": 1}
    assert fig.auto_fixable == 1
    assert fig.clean_pct == pytest.approx(50.0)
