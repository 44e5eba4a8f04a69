"""The owners export for C06 from the store: the synth's chu_su_dung.csv again, filters, atomicity."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from unittest import mock

import pytest
from sqlalchemy import select

from datdai.db import schema as s
from datdai.land import repository
from datdai.matching import c06_export
from datdai.matching.c06_export import OWNER_COLUMNS, ExportError, export_c06
from tests.land.factories import small_dataset

ADMIN = ("tinh", "huyen", "xa")


@pytest.fixture(scope="module")
def province():
    from datdai import synth

    return synth.generate(parcels=400, seed=3)


@pytest.fixture
def loaded(store, province):
    with store.transaction() as conn:
        repository.load_dataset(conn, province.land, actor="kiem-thu", source="synth 400/3", reason="test")
    return store


def _export(store, path, **kw):
    with store.read() as conn:
        return export_c06(conn, path, **kw)


def _read(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _rest(row: dict[str, str]) -> tuple:
    return tuple(row[c] for c in OWNER_COLUMNS if c != "ma_dong" and c not in ADMIN)


def test_export_is_the_synthetic_owners_file(loaded, province, tmp_path):
    out = tmp_path / "chu_su_dung.csv"
    result = _export(loaded, out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfma_dong,tinh,huyen,xa,to_so,") and b"\r\n" in raw
    rows = _read(out)
    want = province.owner_rows
    assert result.rows == len(rows) == len(want)
    assert list(rows[0]) == list(OWNER_COLUMNS)

    # every column but ma_dong and the admin names: the same multiset of rows
    assert Counter(map(_rest, rows)) == Counter(map(_rest, want))

    # admin names: the old or the 2025 names of the row's commune; the 2025 ones exactly for the
    # holdings certified from 1 July 2025 (the synth also uses them for some older records, which
    # the store does not keep: normalised to the old names, the rows are the same)
    triples: dict[str, dict[str, tuple]] = {}
    for w in want:
        kind = "new" if w["huyen"] == "" else "old"
        triples.setdefault(w["ma_xa"], {})[kind] = tuple(w[c] for c in ADMIN)
    to_old = {t["new"]: t["old"] for t in triples.values() if "new" in t and "old" in t}

    def norm(row):
        t = tuple(row[c] for c in ADMIN)
        return (to_old.get(t, t), *_rest(row))

    for r in rows:
        assert tuple(r[c] for c in ADMIN) in triples[r["ma_xa"]].values()
    assert Counter(map(norm, rows)) == Counter(map(norm, want))
    with loaded.read() as conn:
        late = {c.serial for c in conn.execute(select(s.certificates))
                if c.issue_date >= dt.date(2025, 7, 1)}
    new_rows = [r for r in rows if r["huyen"] == ""]
    assert {r["so_seri_gcn"] for r in new_rows} == late and late
    want_new = Counter(tuple(w[c] for c in OWNER_COLUMNS[1:]) for w in want if w["huyen"] == "")
    got_new = Counter(tuple(r[c] for c in OWNER_COLUMNS[1:]) for r in new_rows)
    assert not got_new - want_new

    # ma_dong: D + 7 digits, 1..n in (commune, sheet, parcel) order
    assert [r["ma_dong"] for r in rows] == [f"D{i:07d}" for i in range(1, len(rows) + 1)]
    assert all(re.fullmatch(r"D\d{7}", r["ma_dong"]) for r in rows)
    keys = [(r["ma_xa"], int(r["to_so"]), int(r["so_thua"])) for r in rows]
    assert keys == sorted(keys)
    assert {r["loai_giay_to"] for r in rows} >= {"CCCD", "CMND", "GPKD", "KHAC", ""}
    assert any(re.fullmatch(r"\d\d/\d\d/\d{4}", r["nam_sinh"]) for r in rows)

    # deterministic: the same store gives the same bytes
    again = tmp_path / "lan2.csv"
    assert _export(loaded, again).sha256 == result.sha256
    assert again.read_bytes() == raw
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_small_dataset_rows_by_hand(store, tmp_path):
    with store.transaction() as conn:
        repository.load_dataset(conn, small_dataset(), actor="t", source="tay", reason="test")
    out = tmp_path / "c06.csv"
    _export(store, out)
    rows = _read(out)
    place = {"tinh": "Bình Phước", "huyen": "Thị xã Phước Long", "xa": "Phường Thác Mơ", "ma_xa": "25216"}
    # household H1 → one row per member; P1 has a CCCD and a CMND: the CCCD is the personal number
    husband = {"ho_ten": "Nguyễn Văn An", "nam_sinh": "02/03/1965", "cccd_cmnd": "070065001234",
               "loai_giay_to": "CCCD", "so_giay_to": "070065001234",
               "dia_chi_chu": "Ấp 3, Xã Tân Hưng, Huyện Hớn Quản, Tỉnh Bình Phước"}
    wife = {"ho_ten": "Trần Thị Bình", "nam_sinh": "1968", "cccd_cmnd": "070168009876",
            "loai_giay_to": "CCCD", "so_giay_to": "070168009876", "dia_chi_chu": "Xã Tân Hưng, Tỉnh Đồng Nai"}
    org = {"ho_ten": "UBND xã Tân Hưng", "nam_sinh": "", "cccd_cmnd": "", "loai_giay_to": "GPKD",
           "so_giay_to": "3800123456", "dia_chi_chu": ""}
    p1 = {"to_so": "12", "so_thua": "1", "so_seri_gcn": "BV 123456", "dia_chi_thua": "Ấp 3, xã Tân Hưng",
          "dien_tich": "400.0"}
    p2 = {"to_so": "12", "so_thua": "2", "so_seri_gcn": "AA 01234567", "dia_chi_thua": "", "dien_tich": "395.0"}
    p3 = {**p2, "so_thua": "3", "dien_tich": "120.0"}
    expected = [{**place, **p, **who} for p, who in
                ((p1, husband), (p1, wife), (p2, org), (p2, wife), (p3, org), (p3, wife))]
    assert [{k: v for k, v in r.items() if k != "ma_dong"} for r in rows] == \
        [{c: e[c] for c in OWNER_COLUMNS if c != "ma_dong"} for e in expected]
    assert [r["ma_dong"] for r in rows] == [f"D{i:07d}" for i in range(1, 7)]


LINK = '=HYPERLINK("http://x","Bấm vào đây")'


def test_formula_in_a_name_is_written_as_text_and_read_back(store, tmp_path):
    """A holder named like a spreadsheet formula: a leading quote in the file (Excel shows it as
    text), the name itself again when ``datdai reconcile`` reads the file."""
    from sqlalchemy import update

    from datdai.matching.inputs import read_owners

    with store.transaction() as conn:
        repository.load_dataset(conn, small_dataset(), actor="t", source="tay", reason="test")
        conn.execute(update(s.parties).where(s.parties.c.full_name == "Nguyễn Văn An")
                     .values(full_name=LINK, address="+84 Ấp 3"))
    out = tmp_path / "c06.csv"
    _export(store, out)
    rows = _read(out)
    assert rows[0]["ho_ten"] == "'" + LINK and rows[0]["dia_chi_chu"] == "'+84 Ấp 3"
    assert rows[0]["dien_tich"] == "400.0"
    back = read_owners(out)
    assert back["ho_ten"].to_pylist()[0] == LINK
    assert back["dia_chi_chu"].to_pylist()[0] == "+84 Ấp 3"
    assert back["ho_ten"].to_pylist()[1:] == [r["ho_ten"] for r in rows[1:]]


def test_no_bom_on_request(store, tmp_path):
    with store.transaction() as conn:
        repository.load_dataset(conn, small_dataset(), actor="t", source="tay", reason="test")
    out = tmp_path / "c06.csv"
    _export(store, out, bom=False)
    assert out.read_bytes().startswith(b"ma_dong,")


def test_certificate_from_july_2025_uses_the_new_names(store, tmp_path):
    data = small_dataset()
    data.certificates[0].issue_date = dt.date(2025, 7, 15)
    with store.transaction() as conn:
        repository.load_dataset(conn, data, actor="t", source="tay", reason="test")
    rows = _read(_export(store, tmp_path / "c06.csv").path)
    admin = {(r["so_thua"], r["tinh"], r["huyen"], r["xa"]) for r in rows}
    assert admin == {("1", "Đồng Nai", "", "Phường Phước Long"),
                     ("2", "Bình Phước", "Thị xã Phước Long", "Phường Thác Mơ"),
                     ("3", "Bình Phước", "Thị xã Phước Long", "Phường Thác Mơ")}


def test_filters(loaded, province, tmp_path):
    # the province by its old or 2025 name or code
    for arg in ("Bình Phước", "binh phuoc", "70", "Tỉnh Đồng Nai", "75"):
        assert _export(loaded, tmp_path / "c06.csv", province=arg).rows == len(province.owner_rows), arg

    per_commune = Counter(w["ma_xa"] for w in province.owner_rows)
    assert sorted(per_commune) == ["25195", "25243", "25308"]
    r = _export(loaded, tmp_path / "a.csv", communes="25195, 25308")
    assert r.rows == per_commune["25195"] + per_commune["25308"] and r.communes == ["25195", "25308"]
    assert {x["ma_xa"] for x in _read(r.path)} == {"25195", "25308"}
    assert _read(r.path)[0]["ma_dong"] == "D0000001"
    # a 2025 commune code: the old commune(s) it was formed from (25243 → new 25246)
    r = _export(loaded, tmp_path / "b.csv", communes=["25246"], province="Đồng Nai")
    assert r.communes == ["25243"] and r.rows == per_commune["25243"]

    for kw, words in (({"province": "Hà Nội"}, "không có thửa đất nào của tỉnh"),
                      ({"province": "Không Có"}, "unknown province"),
                      ({"communes": "99999"}, "99999"),
                      ({"communes": "25195,abc"}, "không hợp lệ"),
                      ({"communes": ","}, "trống"),
                      ({"communes": "25195", "province": "Bình Dương"}, "tỉnh 'Bình Dương'")):
        target = tmp_path / "loi.csv"
        with pytest.raises(ExportError, match=words):
            _export(loaded, target, **kw)
        assert not target.exists()


def test_empty_store_is_refused(store, tmp_path):
    target = tmp_path / "c06.csv"
    with pytest.raises(ExportError, match="no parcels"):
        _export(store, target)
    assert not target.exists()


def test_a_failure_while_writing_leaves_no_file(store, tmp_path):
    with store.transaction() as conn:
        repository.load_dataset(conn, small_dataset(), actor="t", source="tay", reason="test")
    out_dir = tmp_path / "xuat"
    out_dir.mkdir()
    target = out_dir / "c06.csv"
    real = c06_export.owner_rows

    def broken(*a, **kw):
        for i, row in enumerate(real(*a, **kw)):
            if i == 3:
                raise RuntimeError("mất kết nối")
            yield row

    with mock.patch.object(c06_export, "owner_rows", broken), pytest.raises(RuntimeError):
        _export(store, target)
    assert list(out_dir.iterdir()) == []
    # an existing file is left as it was
    target.write_text("cũ")
    with mock.patch.object(c06_export, "owner_rows", broken), pytest.raises(RuntimeError):
        _export(store, target)
    assert target.read_text() == "cũ" and list(out_dir.iterdir()) == [target]
    with pytest.raises(ExportError, match="directory does not exist"):
        _export(store, tmp_path / "khong-co" / "c06.csv")
