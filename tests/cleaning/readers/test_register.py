import codecs
import csv
import io
import unicodedata

import pyarrow as pa
import pytest

from datdai.cleaning.readers import (
    REGISTER_SCHEMA,
    DeliveryError,
    iter_register_batches,
    read_register,
)
from datdai.cleaning.readers.text_repair import repair_column
from datdai.kernel.legacy import encode_tcvn3

HEADER = ["ma_xa", "so_to", "so_thua", "dien_tich", "loai_dat", "ten_chu", "gioi_tinh", "nam_sinh",
          "loai_giay_to", "so_giay_to", "dia_chi_chu", "so_seri_gcn", "dia_chi_thua",
          "ty_le_ban_do", "hinh_thuc_su_dung"]
ROWS = [
    ["25195", "12", "7", "123,4", "ODT", "Nguyễn Văn Đức", "Nam", "1980", "CCCD", "070080795861",
     "Khu phố 1, Phường Tân Xuân", "CR882000", "Đường Trần Hưng Đạo", "500", "Sử dụng riêng"],
    ["1234", "012", "8.0", "56.5", "CLN+ODT", "Trần Thị Hồng", "Nữ", "12/03/1975", "CMND",
     "012345678", "", "", "", "1:1000", ""],
]
TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text):
    """Vietnamese as Windows-1258 writes it: base letters precomposed, tones combining."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            tones = "".join(c for c in parts if c in TONES)
            out.append((base + tones).encode("cp1258"))
    return b"".join(out)


def write_csv(path, text, encoding="utf-8"):
    path.write_bytes(cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return path


def csv_text(header=HEADER, rows=ROWS, sep=","):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def check_values(t):
    assert t.schema.names[: len(REGISTER_SCHEMA)] == REGISTER_SCHEMA.names
    assert t.schema.field("ty_le_ban_do").type == pa.int32()
    r = t.to_pylist()
    assert [x["row"] for x in r] == [2, 3]
    assert [x["ma_xa"] for x in r] == ["25195", "01234"]
    assert [x["so_to"] for x in r] == ["12", "12"]
    assert [x["so_thua"] for x in r] == ["7", "8"]
    assert [x["dien_tich"] for x in r] == [123.4, 56.5]
    assert [x["ten_chu"] for x in r] == ["Nguyễn Văn Đức", "Trần Thị Hồng"]
    assert [x["so_giay_to"] for x in r] == ["070080795861", "012345678"]
    assert [x["ty_le_ban_do"] for x in r] == [500, 1000]
    assert [x["dia_chi_chu"] for x in r] == ["Khu phố 1, Phường Tân Xuân", None]
    assert [x["hinh_thuc_su_dung"] for x in r] == ["Sử dụng riêng", None]
    for x in r:
        for v in x.values():
            if isinstance(v, str):
                assert unicodedata.is_normalized("NFC", v)


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("cp1258", "cp1258"),
])
def test_csv_encodings(tmp_path, encoding, expected):
    path = write_csv(tmp_path / "so.csv", csv_text(), encoding)
    reg = read_register(path)
    assert (reg.format, reg.encoding, reg.header_row) == ("csv", expected, 1)
    check_values(reg.table)
    if encoding == "cp1258":
        assert any("1258" in w for w in reg.warnings)


def test_cp1258_is_decomposed_and_comes_out_nfc(tmp_path):
    raw = cp1258(csv_text())
    assert b"Nguy\xea\xden" in raw  # ê + combining tilde
    check_values(read_register(write_csv(tmp_path / "so.csv", csv_text(), "cp1258")).table)


@pytest.mark.parametrize("sep", [";", "\t"])
def test_csv_delimiters(tmp_path, sep):
    check_values(read_register(write_csv(tmp_path / "so.csv", csv_text(sep=sep))).table)


def test_title_rows_above_header(tmp_path):
    text = "SỔ ĐỊA CHÍNH,,\nXã Tân Xuân,,\n" + csv_text()
    reg = read_register(write_csv(tmp_path / "so.csv", text))
    assert reg.header_row == 3
    assert reg.table.column("row").to_pylist() == [4, 5]


def test_legacy_8bit_csv(tmp_path):
    names = ["Nguyễn Văn Đức", "Trần Thị Hồng"]
    rows = [f"25195,12,{i + 1},100,ODT,{encode_tcvn3(n)}" for i, n in enumerate(names)]
    text = "ma_xa,so_to,so_thua,dien_tich,loai_dat,ten_chu\n" + "\n".join(rows) + "\n"
    path = tmp_path / "so.csv"
    path.write_bytes(text.encode("cp1252"))
    reg = read_register(path)
    assert reg.encoding == "latin1"
    assert reg.table.column("ten_chu").to_pylist() == [encode_tcvn3(n) for n in names]
    fixed, kind = repair_column(reg.table.column("ten_chu"), restore_case=True)
    assert fixed.to_pylist() == names


def test_streaming_batches(tmp_path):
    rows = [f"25195,1,{i},10.5,ODT,Lê Văn {i}" for i in range(1, 26)]
    text = "ma_xa,so_to,so_thua,dien_tich,loai_dat,ten_chu\n" + "\n".join(rows) + "\n"
    meta, batches = iter_register_batches(write_csv(tmp_path / "so.csv", text), batch_size=10)
    assert meta.header_row == 1 and meta.columns == REGISTER_SCHEMA.names
    got = pa.Table.from_batches(list(batches))
    assert got.column("row").to_pylist() == list(range(2, 27))
    assert any("gioi_tinh" in w for w in meta.warnings)  # optional columns missing


def test_bad_values_name_row_and_column(tmp_path):
    text = ("Mã xã,Số tờ,Số thửa,Diện tích,Loại đất,Tên chủ,Tỷ lệ\n"
            "25195,1,1,10,ODT,A,500\n25195,x,2,ab,ODT,B,1:500\n25195,1,,10,ODT,C,năm trăm\n")
    with pytest.raises(DeliveryError) as e:
        read_register(write_csv(tmp_path / "so.csv", text))
    msg = str(e.value)
    assert "dòng 3, cột 'Số tờ'" in msg and "dòng 3, cột 'Diện tích'" in msg
    assert "dòng 4, cột 'Số thửa'" in msg and "dòng 4, cột 'Tỷ lệ'" in msg
    assert "so.csv" in msg


def test_missing_columns(tmp_path):
    text = "ma_xa,so_to,so_thua,ghi_chu\n25195,1,1,x\n"
    with pytest.raises(DeliveryError) as e:
        read_register(write_csv(tmp_path / "so.csv", text))
    msg = str(e.value)
    assert "dien_tich" in msg and "ten_chu" in msg and "'ghi_chu'" in msg


def test_ambiguous_header(tmp_path):
    text = "ma_xa,so_to,so_thua,dien_tich,loai_dat,ten_chu,Địa chỉ\n25195,1,1,1,ODT,A,x\n"
    with pytest.raises(DeliveryError, match="Địa chỉ"):
        read_register(write_csv(tmp_path / "so.csv", text))


def test_wrong_column_count(tmp_path):
    text = "ma_xa,so_to,so_thua,dien_tich,loai_dat,ten_chu\n25195,1,1,1,ODT,A\n25195,1,2,1\n"
    with pytest.raises(DeliveryError, match="số cột"):
        read_register(write_csv(tmp_path / "so.csv", text))


def test_mixed_encoding_falls_back(tmp_path):
    good = "".join(f"25195,1,{i},10,ODT,Lê Văn An\n" for i in range(1, 60000))
    text = "ma_xa,so_to,so_thua,dien_tich,loai_dat,ten_chu\n" + good
    raw = text.encode("utf-8") + cp1258("25195,1,60000,10,ODT,Trần Thị Hồng\n")
    path = tmp_path / "so.csv"
    path.write_bytes(raw)
    reg = read_register(path)
    assert reg.table.num_rows == 60000 and reg.encoding == "utf-8+cp1258"
    assert reg.table.column("ten_chu").to_pylist()[-2:] == ["Lê Văn An", "Trần Thị Hồng"]
    assert any("trộn lẫn" in w for w in reg.warnings)
    meta, batches = iter_register_batches(path)
    with pytest.raises(DeliveryError, match="trộn lẫn"):
        list(batches)


def test_bad_files(tmp_path):
    with pytest.raises(DeliveryError, match="không tìm thấy"):
        read_register(tmp_path / "nope.csv")
    (tmp_path / "a.xls").write_bytes(codecs.BOM_UTF8)
    with pytest.raises(DeliveryError, match=".xls"):
        read_register(tmp_path / "a.xls")
    (tmp_path / "a.ods").write_bytes(b"x")
    with pytest.raises(DeliveryError, match="không được hỗ trợ"):
        read_register(tmp_path / "a.ods")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(DeliveryError, match="trống"):
        read_register(tmp_path / "empty.csv")


def test_cp1258_with_undefined_byte_beyond_sample(tmp_path, monkeypatch):
    import datdai.cleaning.readers.register as register

    monkeypatch.setattr(register, "_SAMPLE", 300)
    rows = "".join(f"25195,1,{i},10,ODT,Trần Thị Hồng\n" for i in range(1, 40))
    path = tmp_path / "so.csv"
    path.write_bytes(cp1258("ma_xa,so_to,so_thua,dien_tich,loai_dat,ten_chu\n" + rows)
                     + b"25195,1,40,10,ODT,X\x81Y\n")
    reg = read_register(path)
    assert reg.encoding == "latin1" and reg.table.num_rows == 40
    assert reg.table.column("ten_chu")[-1].as_py() == "X\x81Y"


def test_semicolon_file_with_commas_in_headers(tmp_path):
    text = ("ma_xa;so_to;so_thua;dien_tich;loai_dat;ten_chu;Địa chỉ thửa, số nhà\n"
            "25195;1;2;10,5;ODT;Lê Văn An;Số 5, đường 3\n")
    reg = read_register(write_csv(tmp_path / "so.csv", text))
    r = reg.table.to_pylist()[0]
    assert (r["so_thua"], r["dien_tich"], r["dia_chi_thua_so_nha"]) == ("2", 10.5, "Số 5, đường 3")


def test_quoted_line_breaks(tmp_path):
    text = ('ma_xa,so_to,so_thua,dien_tich,loai_dat,ten_chu,dia_chi_chu\n'
            '25195,1,1,10,ODT,Lê Văn An,"Số 5\nđường 3"\n25195,1,2,10,ODT,B,x\n')
    for reg in (read_register(write_csv(tmp_path / "so.csv", text)),):
        assert reg.table.column("dia_chi_chu").to_pylist() == ["Số 5\nđường 3", "x"]
        assert reg.table.column("row").to_pylist() == [2, 3]
    meta, batches = iter_register_batches(tmp_path / "so.csv")
    assert pa.Table.from_batches(list(batches)).column("dia_chi_chu")[0].as_py() == "Số 5\nđường 3"
