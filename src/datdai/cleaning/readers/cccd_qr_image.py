"""Read the QR code of a CCCD card from an image (a photo or scan, PNG or JPEG).

The QR is found with zxing-cpp, in any of the four orientations and at several scales. Its
raw bytes are decoded as UTF-8 — cards carry no ECI marker, so a decoder's own text guess is
latin-1 mojibake — and parsed with :func:`datdai.kernel.cccd_qr.parse_cccd_qr`.
"""

from __future__ import annotations

import io
import os
from typing import BinaryIO

import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

from datdai.kernel.cccd_qr import CccdQr, InvalidQr, parse_cccd_qr

ImageSource = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO

NOT_FOUND = "không tìm thấy mã QR"

# Binarizers tried in turn: the default copes with uneven light; the global histogram with
# low-contrast or blurred photos.
_BINARIZERS = (zxingcpp.Binarizer.LocalAverage, zxingcpp.Binarizer.GlobalHistogram)


def _open_image(source: ImageSource) -> Image.Image:
    if isinstance(source, bytes | bytearray | memoryview):
        stream: BinaryIO | str | os.PathLike[str] = io.BytesIO(bytes(source))
    else:
        stream = source  # a path (FileNotFoundError propagates) or a binary file object
    try:
        with Image.open(stream) as img:
            img.load()
            img = ImageOps.exif_transpose(img)  # phone photos: honour the orientation tag
            return img.convert("L")
    except (UnidentifiedImageError, OSError) as exc:
        if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
            raise
        raise InvalidQr(f"không đọc được ảnh (cần PNG hoặc JPEG): {exc}") from None


def _qr_text(barcode: zxingcpp.Barcode) -> str:
    try:
        return barcode.bytes.decode("utf-8")
    except UnicodeDecodeError:
        # Not UTF-8: give the parser zxing's own reading (it reports what is wrong with it).
        return barcode.text


def read_qr_texts(source: ImageSource) -> list[str]:
    """The texts (bytes decoded as UTF-8) of all QR codes found in the image; maybe empty."""
    img = _open_image(source)
    for binarizer in _BINARIZERS:
        found = zxingcpp.read_barcodes(
            img, formats=zxingcpp.BarcodeFormat.QRCode, binarizer=binarizer
        )
        if found:
            return [_qr_text(b) for b in found]
    return []


def read_cccd_qr_image(source: ImageSource) -> CccdQr:
    """Find the CCCD QR code in an image (path, bytes or binary file) and parse it.

    Raises :class:`InvalidQr` when the image cannot be read, holds no QR code
    ("không tìm thấy mã QR"), or its QR is not a valid CCCD QR. When several QR codes are
    found, the first that parses is returned (else the first one's error is raised).
    """
    texts = read_qr_texts(source)
    if not texts:
        raise InvalidQr(NOT_FOUND)
    first_error: InvalidQr | None = None
    for text in texts:
        try:
            return parse_cccd_qr(text)
        except InvalidQr as exc:
            first_error = first_error or exc
    assert first_error is not None
    raise first_error
