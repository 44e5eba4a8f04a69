"""The findings table and its CSV (docs/formats/loi-du-lieu.md): the spec's columns first, in its
order; written atomically."""

from __future__ import annotations

import csv

import pyarrow as pa
import pytest

from datdai.cleaning.findings import (
    EXTRA_COLUMNS,
    FINDING_COLUMNS,
    FINDING_SCHEMA,
    RULE_OUTPUT_COLUMNS,
    SPEC_COLUMNS,
    Severity,
    Target,
    empty_findings,
    sort_findings,
    write_findings_csv,
)

# quality-findings.md, in the order of its table
SPEC_ORDER = ("ma_xa", "so_to", "so_thua", "ma_loi", "muc_do", "mo_ta", "gia_tri_ban_do",
              "gia_tri_thuoc_tinh", "de_xuat")


def _finding(**kw) -> dict:
    base = {c: None for c in FINDING_COLUMNS}
    base.update(ma_xa="25195", so_to="1", so_thua="1", ma_loi="AREA_MISMATCH", muc_do="LOI",
                mo_ta="Diện tích sổ địa chính 430.0 m² khác 400.0 m²", nguon="SO_DIA_CHINH",
                dong=2, doi_tuong="THUA_DAT", truong="dien_tich")
    base.update(kw)
    return base


def _table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=FINDING_SCHEMA)


def _read(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_spec_columns_come_first_in_the_spec_order():
    assert SPEC_COLUMNS == SPEC_ORDER
    assert FINDING_COLUMNS[:len(SPEC_ORDER)] == SPEC_ORDER
    assert FINDING_COLUMNS == SPEC_ORDER + EXTRA_COLUMNS
    assert len(set(FINDING_COLUMNS)) == len(FINDING_COLUMNS)


def test_schema():
    assert FINDING_SCHEMA.names == list(FINDING_COLUMNS)
    assert FINDING_SCHEMA.field("dong").type == pa.int64()
    assert all(FINDING_SCHEMA.field(c).type == pa.string() for c in FINDING_COLUMNS if c != "dong")
    assert set(RULE_OUTPUT_COLUMNS) == set(FINDING_COLUMNS) - {"ma_loi", "muc_do"}
    assert empty_findings().schema == FINDING_SCHEMA and empty_findings().num_rows == 0


def test_severity_and_target_values():
    assert {s.value for s in Severity} == {"LOI", "CANH_BAO"}
    assert Target.PARCEL == "THUA_DAT"


def test_csv_header_and_values(tmp_path):
    rows = [_finding(),
            _finding(so_thua="2", ma_loi="LEGACY_ENCODING", muc_do="CANH_BAO",
                     mo_ta='Tên "NguyÔn V¨n An" → "Nguyễn Văn An", xem lại',
                     gia_tri_ban_do="NguyÔn V¨n An", de_xuat="Nguyễn Văn An", sua_tu_dong="CO",
                     dong=None)]
    out = tmp_path / "loi_du_lieu.csv"
    write_findings_csv(_table(rows), out)
    got = _read(out)
    assert got[0] == list(FINDING_COLUMNS)
    assert len(got) == 3
    second = dict(zip(got[0], got[2]))
    assert second["mo_ta"] == 'Tên "NguyÔn V¨n An" → "Nguyễn Văn An", xem lại'
    assert second["de_xuat"] == "Nguyễn Văn An"
    assert second["gia_tri_thuoc_tinh"] == "" and second["dong"] == ""  # nulls are empty
    assert dict(zip(got[0], got[1]))["dong"] == "2"
    assert out.read_bytes().startswith(b"\xef\xbb\xbf\"ma_xa\",")  # UTF-8 with a BOM, for Excel


LINK = '=HYPERLINK("http://x","Bấm vào đây")'


def test_csv_neutralises_formulas(tmp_path):
    """A register value a spreadsheet would run is written as text (a leading quote); numbers
    and ordinary texts are left alone."""
    rows = [_finding(gia_tri_thuoc_tinh=LINK, gia_tri_ban_do="-12.5", de_xuat="@cmd", dong=7)]
    out = tmp_path / "loi_du_lieu.csv"
    write_findings_csv(_table(rows), out)
    got = dict(zip(*_read(out)))
    assert got["gia_tri_thuoc_tinh"] == "'" + LINK
    assert got["de_xuat"] == "'@cmd"
    assert got["gia_tri_ban_do"] == "-12.5" and got["dong"] == "7"
    assert got["mo_ta"] == _finding()["mo_ta"]


def test_csv_of_no_findings_is_the_header(tmp_path):
    out = tmp_path / "loi.csv"
    write_findings_csv(empty_findings(), out)
    assert _read(out) == [list(FINDING_COLUMNS)]


def test_csv_creates_the_folder(tmp_path):
    out = tmp_path / "a" / "b" / "loi.csv"
    write_findings_csv(empty_findings(), out)
    assert out.exists()


    def __init__(self, values, ok):
        self.values, self.ok = values, ok

    def to_pylist(self):
        def gen():
            for i, v in enumerate(self.values):
                if i == self.ok:
                    raise RuntimeError("đĩa đầy / disk full")
                yield v
        return gen()


def _disk_full_half_way(monkeypatch):
    """The CSV writer writes part of the file, then fails."""
    import pyarrow.csv as pacsv

    real = pacsv.write_csv

    def boom(table, path, **kwargs):
        real(table.slice(0, 1), path, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr("datdai.cleaning.findings.pacsv.write_csv", boom)


def test_failed_write_leaves_no_file(tmp_path, monkeypatch):
    out = tmp_path / "loi.csv"
    _disk_full_half_way(monkeypatch)
    with pytest.raises(RuntimeError, match="disk full"):
        write_findings_csv(_table([_finding(so_thua=str(i)) for i in range(50)]), out)
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary one


def test_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    out = tmp_path / "loi.csv"
    out.write_text("cũ\n", encoding="utf-8")
    _disk_full_half_way(monkeypatch)
    with pytest.raises(RuntimeError):
        write_findings_csv(_table([_finding(so_thua=str(i)) for i in range(10)]), out)
    assert out.read_text(encoding="utf-8") == "cũ\n"
    assert [p.name for p in tmp_path.iterdir()] == ["loi.csv"]


def test_missing_column_fails_cleanly(tmp_path):
    out = tmp_path / "loi.csv"
    with pytest.raises(KeyError):
        write_findings_csv(_table([_finding()]).drop_columns(["sua_tu_dong"]), out)
    assert list(tmp_path.iterdir()) == []


def test_sort_is_numeric_by_sheet_and_parcel_then_rule():
    rows = [_finding(so_to="10", so_thua="1"), _finding(so_to="2", so_thua="10"),
            _finding(so_to="2", so_thua="9", ma_loi="OVERLAP"),
            _finding(so_to="2", so_thua="9", ma_loi="AREA_MISMATCH"),
            _finding(ma_xa="25190", so_to="99", so_thua="1")]
    got = sort_findings(_table(rows)).to_pylist()
    assert [(f["ma_xa"], f["so_to"], f["so_thua"], f["ma_loi"]) for f in got] == [
        ("25190", "99", "1", "AREA_MISMATCH"),
        ("25195", "2", "9", "AREA_MISMATCH"), ("25195", "2", "9", "OVERLAP"),
        ("25195", "2", "10", "AREA_MISMATCH"), ("25195", "10", "1", "AREA_MISMATCH")]
    assert sort_findings(_table(rows)).schema == FINDING_SCHEMA


def test_sort_keeps_rows_with_odd_numbers():
    rows = [_finding(so_thua=None), _finding(so_thua="12a"), _finding(so_thua="3")]
    got = sort_findings(_table(rows))
    assert got.num_rows == 3
    assert sorted(got["so_thua"].to_pylist(), key=str) == sorted(["12a", "3", None], key=str)
    assert sort_findings(empty_findings()).num_rows == 0
