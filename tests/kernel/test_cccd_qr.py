"""The QR code of a CCCD card (REFERENCE.md §1): parse, repair mojibake, reject bad fields."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from datdai.kernel.cccd_qr import NOTE_MOJIBAKE, CccdQr, InvalidQr, parse_cccd_qr
from datdai.kernel.ids import make_citizen_id
from datdai.kernel.model import Gender

# Realistic numbers: Hà Nội 1990 male, TP. Hồ Chí Minh 2003 female, Nghệ An 1968 female.
ID_HN_1990_M = make_citizen_id("001", 1990, Gender.MALE, 12345).value  # 001090012345
ID_HCM_2003_F = make_citizen_id("079", 2003, Gender.FEMALE, 987654).value  # 079303987654
ID_NA_1968_F = make_citizen_id("040", 1968, Gender.FEMALE, 203).value  # 040168000203

ADDRESS_HN = "Số 12, ngõ 34 phố Hào Nam, Phường Ô Chợ Dừa, Quận Đống Đa, Hà Nội"
ADDRESS_HCM = "45/7 Lê Văn Sỹ, Phường 13, Quận 3, Thành phố Hồ Chí Minh"


def qr(*fields: str) -> str:
    return "|".join(fields)


VALID_HN = qr(ID_HN_1990_M, "013456789", "Nguyễn Văn An", "15031990", "Nam", ADDRESS_HN, "20042021")


# --- valid texts ----------------------------------------------------------------------------
def test_with_old_cmnd():
    got = parse_cccd_qr(VALID_HN)
    assert got == CccdQr(
        so_dinh_danh="001090012345",
        so_cmnd="013456789",
        ho_ten="Nguyễn Văn An",
        ngay_sinh=date(1990, 3, 15),
        gioi_tinh="Nam",
        dia_chi=ADDRESS_HN,
        ngay_cap=date(2021, 4, 20),
    )
    assert got.extra == () and got.notes == () and not got.repaired
    assert got.citizen_id.province_name == "Hà Nội"
    assert str(got.old_id_card) == "013456789"
    assert got.gender is Gender.MALE
    assert got.to_text() == VALID_HN


def test_without_old_cmnd_four_word_name_and_commas():
    text = qr(ID_HCM_2003_F, "", "Trần Thị Ngọc Ánh", "01022003", "Nữ", ADDRESS_HCM, "10072021")
    got = parse_cccd_qr(text)
    assert got.so_cmnd is None and got.old_id_card is None
    assert got.ho_ten == "Trần Thị Ngọc Ánh"
    assert got.gioi_tinh == "Nữ" and got.gender is Gender.FEMALE
    assert got.dia_chi == ADDRESS_HCM
    assert got.ngay_sinh == date(2003, 2, 1)
    assert got.to_text() == text


def test_twelve_digit_old_cmnd():
    got = parse_cccd_qr(
        qr(ID_NA_1968_F, "040168000203", "Lê Thị Hoa", "29021968", "Nữ", "Xã Nghi Lộc, Nghệ An",
           "05012022")
    )  # fmt: skip
    assert got.so_cmnd == "040168000203"
    assert got.ngay_sinh == date(1968, 2, 29)


def test_extra_trailing_fields_are_kept():
    text = VALID_HN + "|Kinh|Không|"
    got = parse_cccd_qr(text)
    assert got.extra == ("Kinh", "Không", "")
    assert got.ngay_cap == date(2021, 4, 20)
    assert got.to_text() == text


def test_nfc_whitespace_bom_and_final_newline():
    nfd = unicodedata.normalize("NFD", VALID_HN)
    text = "\ufeff " + nfd.replace("Nguyễn Văn An", "  Nguyễn   Văn An ") + "\r\n"
    got = parse_cccd_qr(text)
    assert got.ho_ten == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", got.ho_ten)
    assert unicodedata.is_normalized("NFC", got.dia_chi)
    assert got.dia_chi == ADDRESS_HN
    assert got.notes == ()


@pytest.mark.parametrize("gender", ["Nam", "NAM", "nam"])
def test_gender_spellings_male(gender):
    text = VALID_HN.replace("|Nam|", f"|{gender}|")
    assert parse_cccd_qr(text).gioi_tinh == "Nam"


@pytest.mark.parametrize("gender", ["Nữ", "NỮ", "nữ", "Nu", unicodedata.normalize("NFD", "Nữ")])
def test_gender_spellings_female(gender):
    text = qr(ID_HCM_2003_F, "", "Trần Thị Mai", "01022003", gender, ADDRESS_HCM, "10072021")
    assert parse_cccd_qr(text).gioi_tinh == "Nữ"


# --- mojibake -------------------------------------------------------------------------------
def misread(raw: bytes, codec: str) -> str:
    """What a scanner reading UTF-8 bytes as latin-1 or cp1252 shows.

    cp1252 leaves 5 bytes undefined; a lenient reader passes them through as C1 controls.
    """
    if codec == "latin-1":
        return raw.decode("latin-1")
    undefined = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
    return "".join(chr(b) if b in undefined else bytes([b]).decode("cp1252") for b in raw)


@pytest.mark.parametrize("codec", ["latin-1", "cp1252"])
def test_mojibake_is_repaired_and_noted(codec):
    text = qr(
        ID_HCM_2003_F, "", "Huỳnh Thị Ngọc Ánh", "01022003", "Nữ", ADDRESS_HCM + " Đ", "10072021"
    )
    garbled = misread(text.encode("utf-8"), codec)
    assert garbled != text and "Huá»³nh" in garbled
    got = parse_cccd_qr(garbled)
    assert got.ho_ten == "Huỳnh Thị Ngọc Ánh"
    assert got.dia_chi == ADDRESS_HCM + " Đ"
    assert got.gioi_tinh == "Nữ"
    assert got.notes == (NOTE_MOJIBAKE,) and got.repaired
    assert got.to_text() == text


def test_mojibake_with_lost_letters_is_rejected():
    text = qr(ID_HCM_2003_F, "", "Lê Thị Ý Nhi", "01022003", "Nữ", ADDRESS_HCM, "10072021")
    garbled = text.encode("utf-8").decode("cp1252", errors="replace")  # Ý = C3 9D: 9D lost
    with pytest.raises(InvalidQr, match="U\\+FFFD") as err:
        parse_cccd_qr(garbled)
    assert err.value.field == "ho_ten"


def test_correct_text_with_western_letters_is_not_repaired():
    got = parse_cccd_qr(VALID_HN.replace(ADDRESS_HN, "Số 5 Rue Café, Hà Nội"))
    assert got.dia_chi == "Số 5 Rue Café, Hà Nội" and got.notes == ()


# --- invalid --------------------------------------------------------------------------------
def replaced(index: int, value: str, base: str = VALID_HN) -> str:
    parts = base.split("|")
    parts[index] = value
    return "|".join(parts)


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        # field count
        ("|".join(VALID_HN.split("|")[:6]), None, "ít nhất 7 trường"),
        ("001090012345", None, "nhận được 1"),
        ("", None, "rỗng"),
        ("  \n", None, "rỗng"),
        # the CCCD
        (replaced(0, ""), "so_dinh_danh", "thiếu"),
        (replaced(0, "00109001234"), "so_dinh_danh", "12 chữ số"),
        (replaced(0, "00109001234X"), "so_dinh_danh", "chữ số"),
        (replaced(0, "003090012345"), "so_dinh_danh", "mã tỉnh 003"),
        # century/gender digit and birth year against the QR's date of birth and gender
        (replaced(0, make_citizen_id("001", 1991, Gender.MALE, 12345).value),
         "so_dinh_danh", "năm sinh 1991"),
        (replaced(0, make_citizen_id("001", 2090, Gender.MALE, 12345).value),
         "so_dinh_danh", "năm sinh 2090"),
        (replaced(0, make_citizen_id("001", 1990, Gender.FEMALE, 12345).value),
         "so_dinh_danh", "giới tính Nữ"),
        (replaced(4, "Nữ"), "so_dinh_danh", "giới tính Nam"),
        # the old CMND
        (replaced(1, "12345678"), "so_cmnd", "9 hoặc 12"),
        (replaced(1, "0134567890"), "so_cmnd", "9 hoặc 12"),
        (replaced(1, "01345678A"), "so_cmnd", "chữ số"),
        (replaced(1, "000000000"), "so_cmnd", "giả định"),
        # name
        (replaced(2, "  "), "ho_ten", "thiếu họ và tên"),
        (replaced(2, "15031990"), "ho_ten", "chữ số"),
        # dates
        (replaced(3, ""), "ngay_sinh", "thiếu ngày sinh"),
        (replaced(3, "15/03/1990"), "ngay_sinh", "ddmmyyyy"),
        (replaced(3, "1503199"), "ngay_sinh", "ddmmyyyy"),
        (replaced(3, "31021990"), "ngay_sinh", "không phải ngày có thật"),
        (replaced(3, "29021990"), "ngay_sinh", "không phải ngày có thật"),
        (replaced(6, "20/04/2021"), "ngay_cap", "ddmmyyyy"),
        (replaced(6, "00042021"), "ngay_cap", "không phải ngày có thật"),
        (replaced(6, "14031990"), "ngay_cap", "trước ngày sinh"),
        # gender
        (replaced(4, ""), "gioi_tinh", "thiếu giới tính"),
        (replaced(4, "Male"), "gioi_tinh", "'Male' không hợp lệ"),
        (replaced(4, "Khác"), "gioi_tinh", "không hợp lệ"),
        # address
        (replaced(5, " "), "dia_chi", "thiếu nơi thường trú"),
        # fields shifted (old CMND field dropped instead of left empty)
        ("|".join(VALID_HN.split("|")[:1] + VALID_HN.split("|")[2:]) + "|x", "so_cmnd", "chữ số"),
    ],
)  # fmt: skip
def test_invalid(text, field, words):
    with pytest.raises(InvalidQr) as err:
        parse_cccd_qr(text)
    assert err.value.field == field
    assert words in err.value.reason
    assert str(err.value) == err.value.reason
    assert isinstance(err.value, ValueError)


def test_not_text():
    with pytest.raises(InvalidQr, match="văn bản"):
        parse_cccd_qr(VALID_HN.encode())  # type: ignore[arg-type]
