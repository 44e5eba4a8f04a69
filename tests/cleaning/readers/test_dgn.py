import zipfile

import pytest

from datdai.cleaning.readers import PARCEL_SCHEMA, DeliveryError, read_parcels
from datdai.cleaning.readers.dgn import sheet_keys
from datdai.cleaning.readers.text_repair import repair_column
from datdai.kernel.legacy import encode_tcvn3, encode_vni
from tests.cleaning.readers._files import X0, Y0, boxes, write_dgn

NAME = "Nguyễn Văn Đức"


def sheet(path, labels=None, n=3):
    # parcels are 20 m squares side by side: parcel i spans x in [X0 + 20 i, X0 + 20 (i+1)]
    if labels is None:
        labels = [
            (X0 + 10, Y0 + 15, "12"), (X0 + 10, Y0 + 10, "345.6"), (X0 + 5, Y0 + 5, "ODT+CLN"),
            (X0 + 10, Y0 + 2, encode_tcvn3(NAME)),
            (X0 + 30, Y0 + 10, "13/250,5 CLN"),
            (X0 + 500, Y0 + 500, "stray"),
        ]
    return write_dgn(path, boxes(n), labels)


def test_dgn_sheet_labels(tmp_path):
    layer = read_parcels(sheet(tmp_path / "25195_12.dgn"), srid=9212)
    assert (layer.driver, layer.srid, layer.crs_source) == ("DGN", 9212, "config")
    t = layer.table
    assert t.schema == PARCEL_SCHEMA
    assert t.column("ma_xa").to_pylist() == ["25195"] * 3
    assert t.column("so_to").to_pylist() == ["12"] * 3
    assert t.column("so_thua").to_pylist() == ["12", "13", None]
    assert t.column("dien_tich").to_pylist() == [345.6, 250.5, None]
    assert t.column("loai_dat").to_pylist() == ["ODT+CLN", "CLN", None]
    assert t.column("ten_chu").to_pylist() == [encode_tcvn3(NAME), None, None]
    fixed, kind = repair_column(t.column("ten_chu"), restore_case=True)
    assert fixed[0].as_py() == NAME and kind[0].as_py() == "TCVN3"
    assert t.column("row").to_pylist() == [1, 2, 3]  # element numbers of the shapes
    assert any("không có nhãn" in w for w in layer.warnings)  # parcel 3
    assert any("không nằm trong thửa" in w for w in layer.warnings)  # "stray"


def test_reading_order_fraction_label_and_codes(tmp_path):
    labels = [
        (X0 + 10, Y0 + 5, encode_vni("Văn An")),  # lower line
        (X0 + 10, Y0 + 15, "7/ 120"),  # upper line: parcel 7 of 120 m²
        (X0 + 3, Y0 + 10, "ODT LUC"),
        (X0 + 8, Y0 + 10, encode_vni("Nguyễn")),  # same line, right of the codes
    ]
    t = read_parcels(sheet(tmp_path / "25195_3.dgn", labels, n=1), srid=9212).table
    row = t.to_pylist()[0]
    assert (row["so_thua"], row["dien_tich"], row["loai_dat"]) == ("7", 120.0, "ODT+LUC")
    assert row["ten_chu"] == encode_vni("Nguyễn") + " " + encode_vni("Văn An")
    assert repair_column(t.column("ten_chu"))[0][0].as_py() == "Nguyễn Văn An"


def test_sheet_keys_from_name_or_arguments(tmp_path):
    assert sheet_keys("25195_12.dgn", None, None, tmp_path) == ("25195", "12")
    assert sheet_keys("xa25195_to12.DGN", None, None, tmp_path) == ("25195", "12")
    assert sheet_keys("ban_do.dgn", "25195", "4", tmp_path) == ("25195", "4")
    path = sheet(tmp_path / "ban_do.dgn")
    with pytest.raises(DeliveryError, match="mã xã/số tờ"):
        read_parcels(path, srid=9212)
    t = read_parcels(path, srid=9212, ma_xa="25195", so_to="4").table
    assert t.column("so_to").to_pylist() == ["4"] * 3


def test_dgn_needs_srid(tmp_path):
    with pytest.raises(DeliveryError, match="khai báo srid"):
        read_parcels(sheet(tmp_path / "25195_12.dgn"))


def test_folder_and_zip_of_sheets(tmp_path):
    folder = tmp_path / "dgn"
    folder.mkdir()
    sheet(folder / "25195_1.dgn")
    sheet(folder / "25195_2.dgn", n=2)
    layer = read_parcels(folder, srid=9212)
    t = layer.table
    assert t.num_rows == 5
    assert t.column("so_to").to_pylist() == ["1"] * 3 + ["2"] * 2
    rows = t.column("row").to_pylist()
    assert len(set(rows)) == 5 and rows == sorted(rows)
    archive = tmp_path / "dgn.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f.name)
    assert read_parcels(archive, srid=9212).table.equals(t)


def test_dgn_without_shapes(tmp_path):
    path = write_dgn(tmp_path / "25195_1.dgn", [], [(X0, Y0, "12")])
    with pytest.raises(DeliveryError, match="không có thửa đất dạng vùng"):
        read_parcels(path, srid=9212)


def test_labels_without_words(tmp_path):
    t = read_parcels(sheet(tmp_path / "25195_1.dgn", [(X0 + 10, Y0 + 10, "- / -")], n=1),
                     srid=9212).table
    assert t.column("so_thua").to_pylist() == [None]
