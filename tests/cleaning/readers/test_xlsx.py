import datetime as dt

import pytest
from openpyxl import Workbook

from datdai.cleaning.readers import DeliveryError, iter_register_batches, read_register
from datdai.cleaning.readers.xlsx import cell_text


def workbook(path, build):
    wb = Workbook()
    build(wb)
    wb.save(path)
    return path


def two_row_header(wb):
    cover = wb.active
    cover.title = "Bìa"
    cover["A1"] = "Không phải sổ"
    ws = wb.create_sheet("Sổ địa chính")
    ws["A1"] = "SỔ ĐỊA CHÍNH"
    ws.merge_cells("A1:J1")
    top = ["Mã xã", "Thửa đất", None, "Diện tích (m²)", "Loại đất", "Chủ sử dụng", None, None,
           "Số CCCD", "Tỷ lệ"]
    low = [None, "Số tờ", "Số thửa", None, None, "Họ tên", "Giới tính", "Năm sinh", None, None]
    for j, (a, b) in enumerate(zip(top, low), start=1):
        ws.cell(3, j, a)
        ws.cell(4, j, b)
    for rng in ("A3:A4", "B3:C3", "D3:D4", "E3:E4", "F3:H3", "I3:I4", "J3:J4"):
        ws.merge_cells(rng)
    for j in range(1, 11):
        ws.cell(5, j, f"({j})")
    ws.append([1234, 12, 7.0, 123.4, "ODT", "Nguyễn Văn Đức", "Nam", 1980, 70080795861, 500])
    ws.append([25195, "012", "8", "56,5", "CLN", "Trần Thị Hồng", "Nữ", dt.datetime(1975, 3, 12),
               "012345678", "1:1000"])
    ws.append([None] * 10)


def test_two_row_header_title_column_numbers_and_numeric_cells(tmp_path):
    reg = read_register(workbook(tmp_path / "so.xlsx", two_row_header))
    assert (reg.format, reg.encoding, reg.header_row) == ("xlsx", None, 4)
    r = reg.table.to_pylist()
    assert [x["row"] for x in r] == [6, 7]
    assert [x["ma_xa"] for x in r] == ["01234", "25195"]
    assert [x["so_to"] for x in r] == ["12", "12"]
    assert [x["so_thua"] for x in r] == ["7", "8"]
    assert [x["dien_tich"] for x in r] == [123.4, 56.5]
    assert [x["ten_chu"] for x in r] == ["Nguyễn Văn Đức", "Trần Thị Hồng"]
    assert [x["nam_sinh"] for x in r] == ["1980", "12/03/1975"]
    # an ID number stored as a number has lost its leading zero: kept as it is
    assert [x["so_giay_to"] for x in r] == ["70080795861", "012345678"]
    assert [x["ty_le_ban_do"] for x in r] == [500, 1000]
    assert r[0]["dia_chi_chu"] is None


def simple(wb, rows=None, title="Sheet"):
    ws = wb.active
    ws.title = title
    ws.append(["STT", "ma_xa", "so_to", "so_thua", "dien_tich", "loai_dat", "ten_chu", "Ghi chú"])
    for row in rows or [[1, "25195", 1, 1, 100, "ODT", "Lê Văn An", "x"]]:
        ws.append(row)


def test_first_sheet_and_extras(tmp_path):
    def build(wb):
        simple(wb)
        wb.create_sheet("Khác")["A1"] = "x"

    reg = read_register(workbook(tmp_path / "so.xlsx", build))
    assert reg.header_row == 1
    assert reg.table.column("stt").to_pylist() == ["1"]
    assert reg.table.column("ghi_chu").to_pylist() == ["x"]
    assert reg.table.column("row").to_pylist() == [2]
    assert any("trang tính" in w for w in reg.warnings)


def test_bad_values_use_sheet_rows(tmp_path):
    rows = [[1, "25195", 1, 1, 100, "ODT", "A", ""], [2, "25195", "một", 2, "?", "ODT", "B", ""]]
    path = workbook(tmp_path / "so.xlsx", lambda wb: simple(wb, rows))
    with pytest.raises(DeliveryError) as e:
        read_register(path)
    assert "dòng 3, cột 'so_to'" in str(e.value) and "dòng 3, cột 'dien_tich'" in str(e.value)


def test_header_not_found(tmp_path):
    def build(wb):
        ws = wb.active
        ws.append(["SỔ ĐỊA CHÍNH"])
        ws.append(["ma_xa", "so_to", "so_thua", "ghi_chu"])
        ws.append(["25195", 1, 1, "x"])

    with pytest.raises(DeliveryError) as e:
        read_register(workbook(tmp_path / "so.xlsx", build))
    msg = str(e.value)
    assert "dien_tich" in msg and "loai_dat" in msg and "ten_chu" in msg and "'ghi_chu'" in msg


def test_corrupt_workbook(tmp_path):
    path = tmp_path / "so.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(DeliveryError, match="không đọc được tệp Excel"):
        read_register(path)


def test_streaming(tmp_path):
    rows = [[i, "25195", 1, i, 100, "ODT", f"Lê Văn {i}", ""] for i in range(1, 26)]
    meta, batches = iter_register_batches(workbook(tmp_path / "so.xlsx", lambda wb: simple(wb, rows)),
                                          batch_size=10)
    got = list(batches)
    assert meta.format == "xlsx" and meta.sheet == "Sheet" and len(got) == 3
    assert sum(b.num_rows for b in got) == 25


def test_cell_text():
    assert cell_text(12.0) == "12" and cell_text(12.5) == "12.5" and cell_text(7) == "7"
    assert cell_text(dt.date(2001, 2, 3)) == "03/02/2001" and cell_text(None) is None
