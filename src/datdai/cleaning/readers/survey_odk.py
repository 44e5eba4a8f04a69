"""ODK Central's export of the survey form's submissions (the "CSV zip": Submissions → Download,
with repeats and media) as :class:`~datdai.kernel.survey_fields.Submission` rows.

What the zip holds, as Central writes it:

* the main table ``<form id>.csv``: ``SubmissionDate``, the form's fields (a field inside a group
  named ``group-field``, e.g. ``thua_dat-dien_tich``), ``meta-instanceID``, ``KEY`` (the same
  instance ID), ``SubmitterID``, ``SubmitterName``, ``ReviewState`` (``approved``,
  ``hasIssues``, ``rejected``, ``edited`` or empty) and others, one row per submission;
* one table per repeat, ``<form id>-<repeat>.csv``, with ``PARENT_KEY`` (the submission's KEY)
  and ``KEY`` (``uuid:…/giay_to[1]``): here the photos of papers;
* ``media/`` with the photos, named as the image fields give them.

A select-multiple answer is one column, its choices separated by spaces. A zip that is not such
an export (no main table, no instance ID or parcel column) raises
:class:`~datdai.cleaning.readers.errors.DeliveryError` naming the file; a photo named but absent is left
to the recording (``Photo.size`` None), which refuses that one submission.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from datdai.cleaning.readers.errors import DeliveryError
from datdai.kernel.survey_fields import FIELDS, Photo, Submission

FIELD_NAMES = {f.name for f in FIELDS}
REPEAT_PHOTOS = "giay_to"


def _short(column: str) -> str:
    """``thua_dat-dien_tich`` → ``dien_tich``; ``meta-instanceID`` → ``instanceID``."""
    return column.rsplit("-", 1)[-1]


def _read_csv(zf: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    try:
        text = zf.read(name).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DeliveryError(name, f"không phải UTF-8 / not UTF-8: {exc}") from exc
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _datetime(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def read_central_export(path: str | Path) -> list[Submission]:
    """The submissions of a Central CSV zip export (see the module text), in file order."""
    path = Path(path)
    if not path.exists():
        raise DeliveryError(path, "không tìm thấy tệp / file not found")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise DeliveryError(path, f"không phải tệp zip xuất từ ODK Central / not a zip: {exc}") from exc
    with zf:
        names = zf.namelist()
        tables = {n: _read_csv(zf, n) for n in names if n.lower().endswith(".csv") and "/" not in n.strip("/")}
        main = [n for n, rows in tables.items()
                if rows and "KEY" in rows[0] and "PARENT_KEY" not in rows[0]]
        main += [n for n in tables if not tables[n] and n not in main and "-" not in Path(n).stem]
        if len(main) != 1:
            raise DeliveryError(path, "không phải tệp xuất CSV zip của ODK Central: không tìm thấy đúng một bảng chính "
                                      "(<mã biểu mẫu>.csv có cột KEY) / "
                                      f"expected one main table with a KEY column, found {sorted(main)}")
        main_name = main[0]
        rows = tables[main_name]
        repeat_name = f"{Path(main_name).stem}-{REPEAT_PHOTOS}.csv"
        repeats: dict[str, list[dict[str, str]]] = {}
        for r in tables.get(repeat_name, []):
            if "PARENT_KEY" not in r:
                raise DeliveryError(f"{path}:{repeat_name}", "thiếu cột PARENT_KEY / no PARENT_KEY column")
            repeats.setdefault(r["PARENT_KEY"], []).append({_short(k): v for k, v in r.items()})
        media = {n.split("/", 1)[1]: zf.getinfo(n).file_size for n in names
                 if n.startswith("media/") and not n.endswith("/")}
        if rows:
            short = {_short(c) for c in rows[0]}
            missing = [c for c in ("KEY",) if c not in short]
            if "ma_thua" not in short and "thua" not in short:
                missing.append("ma_thua")
            if missing:
                raise DeliveryError(f"{path}:{main_name}", f"thiếu cột {', '.join(missing)}: không phải "
                                                           "phiếu điều tra của datdai / not datdai's survey form")
        out = []
        for i, raw in enumerate(rows, start=1):
            row = {_short(k): (v if v != "" else None) for k, v in raw.items()}
            key = row.get("instanceID") or row["KEY"]
            if not key:
                raise DeliveryError(f"{path}:{main_name}", f"dòng {i}: không có instanceID / KEY")
            photos = []
            for rep in repeats.get(raw["KEY"], []):
                name = rep.get("anh") or ""
                if not name:
                    continue
                size = media.get(name)
                photos.append(Photo(rep.get("loai_giay_to") or None, name, size,
                                    (lambda n=name: _read_member(path, f"media/{n}"))))
            state = (row.get("ReviewState") or "").strip()
            out.append(Submission(
                instance_id=key, row=i, entity_key=row.get("ma_thua") or row.get("thua"),
                values={k: v for k, v in row.items() if k in FIELD_NAMES},
                confirmation=row.get("xac_nhan"), surveyor=row.get("dieu_tra_vien") or row.get("SubmitterName"),
                surveyed_on=_date(row.get("ngay_dieu_tra")), submitted_at=_datetime(row.get("SubmissionDate")),
                qr_payload=row.get("qr_cccd"),
                refused="ODK Central: bài nộp bị từ chối (rejected)" if state == "rejected" else None,
                photos=photos))
        return out


def _read_member(path: Path, member: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(member)
