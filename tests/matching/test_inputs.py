"""Reading the owners export and the population extract: encodings, text types, bad input."""

from __future__ import annotations

import codecs

import pytest

from datdai.cleaning.readers.errors import DeliveryError
from datdai.matching.inputs import OWNER_COLUMNS, POPULATION_COLUMNS, read_owners, read_population
from tests.cleaning.readers.test_register import cp1258

OWNER_ROW = ["D1", "Bình Phước", "Thành phố Đồng Xoài", "Phường Tân Phú", "1", "2", "CH1",
             "Tổ 1, Phường Tân Phú", "120.5", "Nguyễn Văn An", "1980", "070080000001", "CCCD",
             "070080000001", "Khu phố 9, Phường Bình Phước, Tỉnh Đồng Nai"]
CITIZEN_ROW = ["070080000001", "012345678", "Nguyễn Văn An", "Nam", "Kinh", "Không",
               "Đã kết hôn", "01/02/1980", "Xã A", "Việt Nam", "Xã B", "Xã C, Tỉnh Đồng Nai",
               "Xã C, Tỉnh Đồng Nai", "", "", "", "", "", ""]


def _csv(rows: list[list[str]], header=OWNER_COLUMNS, sep: str = ",") -> str:
    def cell(v: str) -> str:
        return f'"{v}"' if sep in v or '"' in v else v
    return "\n".join(sep.join(cell(v) for v in r) for r in [list(header), *rows]) + "\n"


def _owner(ma_dong: str, **changes) -> list[str]:
    row = dict(zip(OWNER_COLUMNS, OWNER_ROW))
    row.update(ma_dong=ma_dong, **changes)
    return list(row.values())


def test_owners_all_text_leading_zeros_and_row_numbers(tmp_path):
    p = tmp_path / "chu_su_dung.csv"
    p.write_text(_csv([_owner("D1"), _owner("D2", cccd_cmnd="001190000002", to_so="05")]),
                 encoding="utf-8")
    t = read_owners(p)
    assert t.column_names == [*OWNER_COLUMNS, "dong"]
    assert t["cccd_cmnd"].to_pylist() == ["070080000001", "001190000002"]
    assert t["to_so"].to_pylist() == ["1", "05"]
    assert t["dong"].to_pylist() == [2, 3]
    assert all(str(t.schema.field(c).type) == "string" for c in OWNER_COLUMNS)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1258"])
def test_owners_encodings(tmp_path, encoding):
    p = tmp_path / "chu_su_dung.csv"
    text = _csv([_owner("D1")])
    p.write_bytes(cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    t = read_owners(p)
    assert t["ho_ten"].to_pylist() == ["Nguyễn Văn An"]
    assert t["ma_dong"].to_pylist() == ["D1"]


def test_semicolon_and_extra_columns_kept(tmp_path):
    p = tmp_path / "chu_su_dung.csv"
    p.write_text(_csv([_owner("D1") + ["25195"]], header=[*OWNER_COLUMNS, "ma_xa"], sep=";"),
                 encoding="utf-8")
    t = read_owners(p)
    assert t.column_names == [*OWNER_COLUMNS, "ma_xa", "dong"]
    assert t["ma_xa"].to_pylist() == ["25195"]


def test_missing_and_misspelt_columns_named(tmp_path):
    header = [c for c in OWNER_COLUMNS if c != "dia_chi_chu"]
    header[header.index("nam_sinh")] = "nam_sinhh"
    p = tmp_path / "chu_su_dung.csv"
    p.write_text(_csv([OWNER_ROW[:-1]], header=header), encoding="utf-8")
    with pytest.raises(DeliveryError) as exc:
        read_owners(p)
    text = str(exc.value)
    assert "chu_su_dung.csv" in text
    assert "nam_sinhh" in text and "'nam_sinh'" in text
    # an optional column simply absent is no error (it is said as a note, below)
    assert "dia_chi_chu" not in {p.field for p in exc.value.problems}
    assert {p.field for p in exc.value.problems} >= {"nam_sinh"}


def test_optional_column_absent_is_a_note_required_one_an_error(tmp_path):
    header = [c for c in OWNER_COLUMNS if c != "dia_chi_chu"]
    row = [v for c, v in zip(OWNER_COLUMNS, OWNER_ROW) if c != "dia_chi_chu"]
    p = tmp_path / "chu_su_dung.csv"
    p.write_text(_csv([row], header=header), encoding="utf-8")
    notes: list[str] = []
    t = read_owners(p, notes=notes)
    assert t["dia_chi_chu"].to_pylist() == [None]
    assert len(notes) == 1 and "dia_chi_chu" in notes[0] and "chu_su_dung.csv" in notes[0]

    header = [c for c in OWNER_COLUMNS if c != "ho_ten"]
    row = [v for c, v in zip(OWNER_COLUMNS, OWNER_ROW) if c != "ho_ten"]
    p.write_text(_csv([row], header=header), encoding="utf-8")
    with pytest.raises(DeliveryError) as exc:
        read_owners(p)
    assert "'ho_ten'" in str(exc.value) and "thiếu cột" in str(exc.value)
    assert {p.field for p in exc.value.problems} == {"ho_ten"}


def test_duplicate_ma_dong_lists_rows(tmp_path):
    p = tmp_path / "chu_su_dung.csv"
    p.write_text(_csv([_owner("D1"), _owner("D2"), _owner("D1"), _owner("D3"), _owner("D1")]),
                 encoding="utf-8")
    with pytest.raises(DeliveryError) as exc:
        read_owners(p)
    assert "ma_dong" in str(exc.value)
    [problem] = exc.value.problems
    assert problem.field == "ma_dong" and problem.row == 2
    assert "'D1'" in problem.message and "2, 4, 6" in problem.message


@pytest.mark.parametrize("content", ["", "\n", ",".join(OWNER_COLUMNS) + "\n"])
def test_empty_file(tmp_path, content):
    p = tmp_path / "chu_su_dung.csv"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(DeliveryError) as exc:
        read_owners(p)
    assert "chu_su_dung.csv" in str(exc.value)
    assert "trống" in str(exc.value) or "no data rows" in str(exc.value)


def test_missing_file(tmp_path):
    with pytest.raises(DeliveryError):
        read_owners(tmp_path / "nope.csv")


def test_row_with_wrong_column_count(tmp_path):
    p = tmp_path / "chu_su_dung.csv"
    p.write_text(_csv([_owner("D1"), _owner("D2")[:-3]]), encoding="utf-8")
    with pytest.raises(DeliveryError) as exc:
        read_owners(p)
    [problem] = exc.value.problems
    assert "12 cột thay vì 15" in problem.message and "D2" in problem.message


def test_mixed_encodings_read_line_by_line(tmp_path):
    # UTF-8 beyond the encoding sample (1 MB), then a line written in cp1258
    p = tmp_path / "chu_su_dung.csv"
    n = 6000
    first = _csv([_owner(f"D{i}") for i in range(n)]).encode("utf-8")
    assert len(first) > 1 << 20
    second = cp1258(_csv([_owner("X", ho_ten="Trần Thị Bình")]).split("\n", 1)[1])
    p.write_bytes(first + second)
    t = read_owners(p)
    assert t["ho_ten"].to_pylist()[0] == "Nguyễn Văn An"
    assert t["ho_ten"].to_pylist()[-1] == "Trần Thị Bình"
    assert t["dong"].to_pylist()[-1] == n + 2


def test_population_read_and_duplicate_so_dinh_danh(tmp_path):
    p = tmp_path / "dan_cu.csv"
    other = ["001190000002", *CITIZEN_ROW[1:]]
    p.write_bytes(codecs.BOM_UTF8 + _csv([CITIZEN_ROW, other], header=POPULATION_COLUMNS)
                  .encode("utf-8"))
    t = read_population(p)
    assert t.column_names == list(POPULATION_COLUMNS)
    assert t["so_dinh_danh"].to_pylist() == ["070080000001", "001190000002"]
    assert t["so_cmnd"].to_pylist() == ["012345678", "012345678"]

    p.write_text(_csv([CITIZEN_ROW, other, CITIZEN_ROW], header=POPULATION_COLUMNS),
                 encoding="utf-8")
    with pytest.raises(DeliveryError) as exc:
        read_population(p)
    [problem] = exc.value.problems
    assert problem.field == "so_dinh_danh" and "070080000001" in problem.message
    assert "2, 4" in problem.message


def test_population_missing_column(tmp_path):
    p = tmp_path / "dan_cu.csv"
    header = [c for c in POPULATION_COLUMNS if c != "ngay_sinh"]
    p.write_text(_csv([[v for c, v in zip(POPULATION_COLUMNS, CITIZEN_ROW) if c != "ngay_sinh"]],
                      header=header), encoding="utf-8")
    notes: list[str] = []
    t = read_population(p, notes=notes)
    assert t.num_rows == 1 and "ngay_sinh" in t.column_names
    assert len(notes) == 1 and "ngay_sinh" in notes[0]
    header = [c for c in POPULATION_COLUMNS if c != "so_dinh_danh"]
    p.write_text(_csv([[v for c, v in zip(POPULATION_COLUMNS, CITIZEN_ROW)
                        if c != "so_dinh_danh"]], header=header), encoding="utf-8")
    with pytest.raises(DeliveryError) as exc:
        read_population(p)
    assert "'so_dinh_danh'" in str(exc.value)
