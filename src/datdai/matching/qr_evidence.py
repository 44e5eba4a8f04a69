"""CCCD chip-card QR codes as evidence of the old CMND → CCCD link (issue 4 item 4).

A land office scans the QR code of the card a citizen shows at the desk (or photographs it into
the dossier). The QR holds the personal number *and* the old CMND (REFERENCE.md §1), so it links
an owner recorded with a CMND to a citizen even when the population extract has no ``so_cmnd``
for that citizen. The matcher uses it as the stage ``CMND_TO_CCCD_QR`` (with the same name and
birth-year checks as the other ID stages).

Accepted inputs (``datdai reconcile --qr PATH``):

* a text file, one QR payload per line (UTF-8; blank lines and lines starting with ``#`` skipped);
* an image (PNG/JPEG/…) of a card, decoded with zxing-cpp;
* a folder of such files (not recursive).

A line or image that is not a valid CCCD QR is a :class:`~datdai.cleaning.readers.errors.DeliveryError`
naming the file and line: evidence is never half read.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from datdai.cleaning.readers.cccd_qr_image import read_cccd_qr_image
from datdai.cleaning.readers.errors import DeliveryError, ProblemCollector
from datdai.kernel.cccd_qr import CccdQr, InvalidQr, parse_cccd_qr

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
QR_SCHEMA = pa.schema([("so_dinh_danh", pa.string()), ("so_cmnd", pa.string()),
                       ("ho_ten", pa.string()), ("ngay_sinh", pa.string()),
                       ("nguon", pa.string())])


def _from_text(path: Path, found: list[tuple[CccdQr, str]], problems: ProblemCollector) -> None:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DeliveryError(path, f"tệp QR không phải UTF-8 / not UTF-8: {exc}") from exc
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            found.append((parse_cccd_qr(line), f"{path.name}:{n}"))
        except InvalidQr as exc:
            problems.add(f"mã QR không hợp lệ / invalid QR: {exc}", row=n, field="qr")


def _from_image(path: Path, found: list[tuple[CccdQr, str]], problems: ProblemCollector) -> None:
    try:
        found.append((read_cccd_qr_image(path), path.name))
    except InvalidQr as exc:
        problems.add(str(exc), field="qr")


def read_qr_evidence(path: str | Path) -> pa.Table:
    """The QR codes of ``path`` (file or folder) as a table of :data:`QR_SCHEMA`, one row per
    card that carries an old CMND (the others link nothing); ``ngay_sinh`` is ``dd/mm/yyyy``."""
    path = Path(path)
    if not path.exists():
        raise DeliveryError(path, "không tìm thấy tệp hoặc thư mục QR / QR file or folder not found")
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    found: list[tuple[CccdQr, str]] = []
    for f in files:
        problems = ProblemCollector()
        if f.suffix.lower() in IMAGE_SUFFIXES:
            _from_image(f, found, problems)
        else:
            _from_text(f, found, problems)
        problems.raise_if_any(f, "tệp QR CCCD có lỗi, không dùng tệp nào / bad CCCD QR evidence, nothing used")
    rows = [(q.so_dinh_danh, q.so_cmnd, q.ho_ten, q.ngay_sinh.strftime("%d/%m/%Y"), src)
            for q, src in found if q.so_cmnd]
    return pa.Table.from_pylist(
        [dict(zip(QR_SCHEMA.names, r)) for r in rows], schema=QR_SCHEMA)
