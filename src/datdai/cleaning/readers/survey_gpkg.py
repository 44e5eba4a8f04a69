"""An edited survey GeoPackage (from ``datdai survey form --out X.gpkg``, filled in QField or
QGIS) as :class:`~datdai.kernel.survey_fields.Submission` rows: one per parcel row where the
surveyor filled ``xac_nhan`` or any survey field.

A GeoPackage has no instance ID: it is a digest of the parcel key and every filled value, so the
same edits read twice are the same submission (recorded once), and a parcel edited again is a
new one. Photos (``anh_giay_to``: paths relative to the GeoPackage, separated by ``;``) are read
from beside it; one that is not there is left to the recording, which refuses that submission.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pyogrio

from datdai.cleaning.readers.errors import DeliveryError
from datdai.kernel.survey_fields import FIELDS, Photo, Submission

LAYER = "thua_dieu_tra"
FIELD_NAMES = [f.name for f in FIELDS]


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    text = text.strip()[:10]
    try:
        if "/" in text:
            d, m, y = text.split("/")
            return dt.date(int(y), int(m), int(d))
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def read_geopackage(path: str | Path) -> list[Submission]:
    path = Path(path)
    if not path.exists():
        raise DeliveryError(path, "không tìm thấy tệp / file not found")
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(str(path))]
    except Exception as exc:  # GDAL's own error types: an unreadable file
        raise DeliveryError(path, f"không đọc được GeoPackage / cannot read: {exc}") from exc
    if LAYER not in layers:
        raise DeliveryError(path, f"không có lớp '{LAYER}': không phải phiếu điều tra của datdai / "
                                  "not datdai's survey GeoPackage")
    _meta, table = pyogrio.read_arrow(str(path), layer=LAYER, read_geometry=False)
    if "ma_thua" not in table.column_names:
        raise DeliveryError(path, f"lớp '{LAYER}' thiếu cột ma_thua / no ma_thua column")
    out = []
    for i, row in enumerate(table.to_pylist(), start=1):
        values = {k: (None if row.get(k) in (None, "") else str(row[k])) for k in FIELD_NAMES if k in row}
        filled = {k: v for k, v in values.items() if v is not None}
        if not filled and not row.get("xac_nhan"):
            continue
        extra = {k: row.get(k) for k in ("dieu_tra_vien", "ngay_dieu_tra", "xac_nhan", "qr_cccd", "anh_giay_to")}
        digest = hashlib.sha256(repr((row["ma_thua"], sorted(filled.items()), sorted(
            (k, str(v)) for k, v in extra.items() if v))).encode()).hexdigest()[:32]
        photos = []
        for name in [p.strip() for p in str(row.get("anh_giay_to") or "").split(";") if p.strip()]:
            f = path.parent / name
            photos.append(Photo(None, name, f.stat().st_size if f.is_file() else None,
                                (lambda f=f: f.read_bytes())))
        out.append(Submission(instance_id=f"gpkg:{digest}", row=i, entity_key=row["ma_thua"], values=values,
                              confirmation=row.get("xac_nhan") or None, surveyor=row.get("dieu_tra_vien"),
                              surveyed_on=_date(row.get("ngay_dieu_tra")), qr_payload=row.get("qr_cccd") or None,
                              photos=photos))
    return out
