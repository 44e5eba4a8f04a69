"""Scanned CCCD QR codes as evidence of the CMND → CCCD link: read from text or images, bad
evidence refused with its line, and the matcher's stage CMND_TO_CCCD_QR."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
import zxingcpp
from PIL import Image

from datdai.cleaning.readers.errors import DeliveryError
from datdai.matching.inputs import OWNER_COLUMNS, POPULATION_COLUMNS
from datdai.matching.match import CAN_XAC_MINH, KHOP, match
from datdai.matching.normalise import normalise_owners, normalise_population
from datdai.matching.qr_evidence import read_qr_evidence

ADDR = "Ấp 2, Xã Bình Tân, Tỉnh Đồng Nai"
# the register knows An's number but not his old CMND; a namesake twin of the same commune
AN = {"so_dinh_danh": "070080123456", "so_cmnd": "", "ho_ten": "Nguyễn Văn An",
      "gioi_tinh": "Nam", "ngay_sinh": "01/02/1980", "thuong_tru": ADDR}
TWIN = dict(AN, so_dinh_danh="070082999888", ngay_sinh="05/06/1982")
QR_AN = "070080123456|285123456|Nguyễn Văn An|01021980|Nam|" + ADDR + "|12082021"
OWNER = {"ho_ten": "Nguyễn Văn An", "cccd_cmnd": "285123456", "loai_giay_to": "CMND",
         "dia_chi_chu": ADDR}
# the rest of the register searched: other people of other communes (a register of two
# namesakes alone says nothing about how rare the name or the address is)
_SURNAMES = ("Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
_GIVEN = ("Bình", "Cường", "Dũng", "Hải", "Hùng", "Lan", "Mai", "Nam", "Phúc", "Quân")
_COMMUNES = ("Xã Tân Hưng", "Xã Phú Lý", "Xã Thanh Sơn", "Xã Mã Đà", "Xã Trị An")
OTHERS = [{"so_dinh_danh": f"0700{70 + k % 20:02d}{k:06d}", "so_cmnd": "",
           "ho_ten": f"{_SURNAMES[k % 10]} Văn {_GIVEN[(k // 10) % 10]}", "gioi_tinh": "Nam",
           "ngay_sinh": f"{1 + k % 28:02d}/{1 + k % 12:02d}/{1950 + k % 50}",
           "thuong_tru": f"Ấp {1 + k % 7}, {_COMMUNES[k % 5]}, Tỉnh Đồng Nai"}
          for k in range(100)]


def _table(columns, rows):
    cols = {c: [r.get(c, "") for r in rows] for c in columns}
    if "ma_dong" in cols:
        cols["ma_dong"] = [f"D{i}" for i in range(len(rows))]
    return pa.table({c: pa.array(v, pa.string()) for c, v in cols.items()})


def _match(qr=None):
    o = normalise_owners(_table(OWNER_COLUMNS, [OWNER]))
    p = normalise_population(_table(POPULATION_COLUMNS, [AN, TWIN, *OTHERS]))
    return match(o, p, qr=qr).table.to_pylist()[0]


def test_text_file_one_code_per_line(tmp_path):
    f = tmp_path / "qr.txt"
    f.write_text("# quét tại bộ phận một cửa\n\n" + QR_AN + "\n"
                 "079175654321||Trần Thị Bích|03041975|Nữ|" + ADDR + "|01012022\n",
                 encoding="utf-8")
    t = read_qr_evidence(f)
    # the second card has no old CMND: it links nothing
    assert t.to_pylist() == [{"so_dinh_danh": "070080123456", "so_cmnd": "285123456",
                              "ho_ten": "Nguyễn Văn An", "ngay_sinh": "01/02/1980",
                              "nguon": "qr.txt:3"}]


def test_a_folder_of_card_photos(tmp_path):
    barcode = zxingcpp.create_barcode(QR_AN, zxingcpp.BarcodeFormat.QRCode)
    img = Image.fromarray(np.array(zxingcpp.write_barcode_to_image(barcode, scale=4)))
    img.save(tmp_path / "the_an.png")
    t = read_qr_evidence(tmp_path)
    assert t["so_cmnd"].to_pylist() == ["285123456"] and t["nguon"].to_pylist() == ["the_an.png"]


def test_a_bad_line_names_file_and_line_and_nothing_is_used(tmp_path):
    f = tmp_path / "qr.txt"
    f.write_text(QR_AN + "\n070080123456|285123456|Nguyễn Văn An|31021980|Nam|x|12082021\n",
                 encoding="utf-8")
    with pytest.raises(DeliveryError) as e:
        read_qr_evidence(f)
    assert "qr.txt" in str(e.value) and "dòng 2" in str(e.value)


def test_a_missing_path_is_an_error(tmp_path):
    with pytest.raises(DeliveryError):
        read_qr_evidence(tmp_path / "khong-co")


def test_the_card_links_an_old_cmnd_the_register_does_not_know():
    without = _match()
    assert without["ket_qua"] == CAN_XAC_MINH  # two namesakes, no birth year on record
    with_card = _match(read_qr_evidence_from_text(QR_AN))
    assert (with_card["ket_qua"], with_card["so_dinh_danh"]) == (KHOP, "070080123456")
    assert with_card["ly_do"] == "CMND_TO_CCCD_QR"


def test_a_card_of_another_person_is_not_trusted_blindly():
    """The card says CMND 285123456 is Lê Thị Hoa's: the owner's name contradicts it."""
    hoa = dict(AN, so_dinh_danh="070190555444", ho_ten="Lê Thị Hoa", gioi_tinh="Nữ")
    o = normalise_owners(_table(OWNER_COLUMNS, [OWNER]))
    p = normalise_population(_table(POPULATION_COLUMNS, [AN, TWIN, hoa, *OTHERS]))
    qr = read_qr_evidence_from_text(
        "070190555444|285123456|Lê Thị Hoa|01021990|Nữ|" + ADDR + "|12082021")
    r = match(o, p, qr=qr).table.to_pylist()[0]
    assert r["ket_qua"] == CAN_XAC_MINH and "ID_BELONGS_TO_OTHER" in r["ly_do"]


def read_qr_evidence_from_text(text: str) -> pa.Table:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "qr.txt"
        f.write_text(text + "\n", encoding="utf-8")
        return read_qr_evidence(f)
