"""Read a CCCD QR code from an image: images are made here with zxing-cpp's writer."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from datdai.cleaning.readers.cccd_qr_image import NOT_FOUND, read_cccd_qr_image, read_qr_texts
from datdai.kernel.cccd_qr import NOTE_MOJIBAKE, InvalidQr
from datdai.kernel.ids import make_citizen_id
from datdai.kernel.model import Gender

CCCD = make_citizen_id("038", 1985, Gender.FEMALE, 421337).value  # Thanh Hóa, 1985, Nữ
TEXT = "|".join(
    [
        CCCD,
        "172345678",
        "Nguyễn Thị Thu Hương",
        "07111985",
        "Nữ",
        "Thôn Đông Sơn, Xã Quảng Phú, Huyện Quảng Xương, Tỉnh Thanh Hóa",
        "12082021",
    ]
)


def qr_pixels(content: str | bytes, scale: int = 4) -> np.ndarray:
    """A grayscale QR image (with its quiet zone), as a numpy array."""
    barcode = zxingcpp.create_barcode(content, zxingcpp.BarcodeFormat.QRCode)
    return np.array(zxingcpp.write_barcode_to_image(barcode, scale=scale))


def card_photo(content: str | bytes, *, rotate: int = 1, factor: float = 1.5) -> Image.Image:
    """The QR on a larger grey "card", rotated by ``rotate`` × 90° and scaled by ``factor``."""
    qr = qr_pixels(content)
    card = np.full((qr.shape[0] + 160, qr.shape[1] + 300), 225, dtype=np.uint8)
    card[40:60, 20:200] = 30  # a printed line of text beside the QR
    card[100 : 100 + qr.shape[0], 250 : 250 + qr.shape[1]] = qr
    card = np.rot90(card, rotate)
    img = Image.fromarray(np.ascontiguousarray(card), mode="L")
    size = (round(img.width * factor), round(img.height * factor))
    return img.resize(size, Image.Resampling.BILINEAR)


def encode(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buf.getvalue()


def assert_is_text(got) -> None:
    assert got.to_text() == TEXT
    assert got.so_dinh_danh == CCCD and got.so_cmnd == "172345678"
    assert got.ho_ten == "Nguyễn Thị Thu Hương"
    assert got.ngay_sinh == date(1985, 11, 7) and got.gioi_tinh == "Nữ"
    assert got.ngay_cap == date(2021, 8, 12)


@pytest.mark.parametrize(("rotate", "factor"), [(1, 1.5), (3, 0.8), (0, 2.3), (2, 1.0)])
def test_png_file_rotated_and_scaled(tmp_path, rotate, factor):
    # Real cards store raw UTF-8 bytes with no ECI marker: zxing's own text is latin-1.
    path = tmp_path / "cccd.png"
    img = card_photo(TEXT.encode("utf-8"), rotate=rotate, factor=factor)
    assert zxingcpp.read_barcodes(img)[0].text != TEXT  # what a naive reader would get
    img.save(path)
    got = read_cccd_qr_image(path)
    assert_is_text(got)
    assert got.notes == ()  # read as UTF-8 bytes: nothing to repair
    assert read_cccd_qr_image(str(path)) == got


def test_jpeg_bytes():
    data = encode(card_photo(TEXT.encode("utf-8"), rotate=1, factor=1.7), "JPEG")
    assert data[:2] == b"\xff\xd8"
    assert_is_text(read_cccd_qr_image(data))


def test_binary_file_object_and_eci_utf8():
    # A writer given text marks it with an ECI (UTF-8); the bytes read back are the same.
    data = encode(card_photo(TEXT, rotate=3, factor=1.2), "PNG")
    assert_is_text(read_cccd_qr_image(io.BytesIO(data)))
    assert read_qr_texts(data) == [TEXT]


def test_qr_holding_mojibake_is_repaired():
    # A QR printed from text that had already been misread as latin-1.
    garbled = TEXT.encode("utf-8").decode("latin-1")
    got = read_cccd_qr_image(encode(card_photo(garbled.encode("utf-8")), "PNG"))
    assert_is_text(got)
    assert got.notes == (NOTE_MOJIBAKE,)


def test_no_qr():
    blank = np.full((300, 400), 230, dtype=np.uint8)
    blank[100:140, 50:350] = 20
    with pytest.raises(InvalidQr) as err:
        read_cccd_qr_image(encode(Image.fromarray(blank, mode="L"), "PNG"))
    assert err.value.reason == NOT_FOUND == "không tìm thấy mã QR"


def test_qr_that_is_not_a_cccd():
    with pytest.raises(InvalidQr, match="ít nhất 7 trường"):
        read_cccd_qr_image(encode(card_photo(b"https://example.vn/x"), "PNG"))


def test_qr_with_wrong_birth_year():
    bad = TEXT.replace("07111985", "07111986")
    with pytest.raises(InvalidQr, match="năm sinh 1985") as err:
        read_cccd_qr_image(encode(card_photo(bad.encode("utf-8")), "PNG"))
    assert err.value.field == "so_dinh_danh"


def test_not_an_image():
    with pytest.raises(InvalidQr, match="không đọc được ảnh"):
        read_cccd_qr_image(b"not an image at all")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_cccd_qr_image(tmp_path / "missing.png")
