"""Reconciliation results (docs/formats/ket-qua-doi-soat.md) read back into the store.

A result file — written by ``datdai reconcile`` or returned by C06 in the same format — is
checked whole against the owners export it answers (every ``ma_dong`` must be a row of that
export) and stored as one run, one row per result with its review status. Bad input raises
:class:`~datdai.cleaning.readers.errors.DeliveryError` naming the file, row and field, and stores nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections import Counter
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Connection, insert, select

from datdai.cleaning.readers.errors import DeliveryError, ProblemCollector
from datdai.db import schema as s
from datdai.kernel.errors import Conflict, InvalidInput, NotFound
from datdai.kernel.spreadsheet import restore
from datdai.kernel.text import nfc
from datdai.land.repository import chunks

# The columns of the result file, in the order of the spec.
RESULT_COLUMNS = ("ma_dong", "ket_qua", "so_dinh_danh", "diem", "ly_do", "ho_ten_chuan",
                  "ngay_sinh_chuan", "gioi_tinh_chuan", "cccd_chuan")
KHOP, CAN_XAC_MINH, KHONG_KHOP = "KHOP", "CAN_XAC_MINH", "KHONG_KHOP"
OUTCOMES = (KHOP, CAN_XAC_MINH, KHONG_KHOP)
SOURCES = ("DATDAI", "C06")
GENDERS = ("Nam", "Nữ")

_NUMBER = re.compile(r"\d{12}")
_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})|(\d{4})")


class ReconcileError(InvalidInput):
    """A request about reconciliation results that cannot be done as asked (exit code 2)."""


class ReconcileNotFound(ReconcileError, NotFound):
    """No such run, result or export."""

    http_status = NotFound.http_status


class ReconcileConflict(ReconcileError, Conflict):
    """Not possible in the result's current state (already applied, not a case for review)."""

    http_status = Conflict.http_status


class ResultStatus(StrEnum):
    OPEN = "MO"  # needs a person: CAN_XAC_MINH, or sent to review by an application's guard
    POSTPONED = "HOAN"  # a person postponed the decision
    READY = "CHO_AP_DUNG"  # KHOP, or a person chose a candidate: to be applied
    APPLIED = "DA_AP_DUNG"  # the party holds the register's values (applied, or already had them)
    CLOSED = "DONG"  # nothing to apply: KHONG_KHOP, decided KHONG_KHOP, an organisation


class Decision(StrEnum):
    CHOOSE = "CHON"  # one of the listed candidates is the person
    NO_MATCH = "KHONG_KHOP"  # none of them
    POSTPONE = "HOAN"  # decide later


IN_REVIEW = (ResultStatus.OPEN.value, ResultStatus.POSTPONED.value)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def parse_birth(text: str | None) -> tuple[dt.date | None, int | None]:
    """``dd/mm/yyyy`` → (date, year); ``yyyy`` → (None, year); empty → (None, None).
    ValueError for anything else."""
    text = (text or "").strip()
    if not text:
        return None, None
    m = _DATE.fullmatch(text)
    if m is None:
        raise ValueError(text)
    if m.group(4):
        return None, int(m.group(4))
    day = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return day, day.year


def split_codes(text: str | None) -> list[str]:
    """``"ID_EXACT;NAME_FUZZY"`` → ``["ID_EXACT", "NAME_FUZZY"]``."""
    return [x.strip() for x in (text or "").split(";") if x.strip()]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _export_rows(conn: Connection, export_id: int) -> dict[str, tuple[int | None, int | None, str | None]]:
    r = s.c06_export_rows
    return {m: (p, q, c) for m, p, q, c in conn.execute(
        select(r.c.ma_dong, r.c.party_id, r.c.parcel_id, r.c.commune_code).where(r.c.export_id == export_id))}


def _read(path: Path, known: dict, problems: ProblemCollector) -> list[dict]:
    """The rows of the file as result rows (without run id and status); problems collected."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                raise DeliveryError(path, "tệp trống, không có dòng tiêu đề / empty file, no header")
            header = [h.strip() for h in header]
            missing = [c for c in RESULT_COLUMNS if c not in header]
            extra = [c for c in header if c not in RESULT_COLUMNS]
            if missing or extra or len(header) != len(RESULT_COLUMNS):
                what = []
                if missing:
                    what.append(f"thiếu cột / missing {', '.join(missing)}")
                if extra:
                    what.append(f"cột lạ / unexpected {', '.join(extra)}")
                if not what:
                    what.append("cột lặp / repeated columns")
                raise DeliveryError(path, "tiêu đề không đúng kết quả đối soát (reconcile-result.md): "
                                    + "; ".join(what) + f" — cần / expected: {','.join(RESULT_COLUMNS)}")
            pos = {c: header.index(c) for c in RESULT_COLUMNS}
            raw_rows = list(reader)
    except UnicodeDecodeError as exc:
        raise DeliveryError(path, f"không phải UTF-8 / not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise DeliveryError(path, f"không đọc được tệp / cannot read: {exc.strerror}") from None

    rows: list[dict] = []
    seen: set[str] = set()
    for k, raw in enumerate(raw_rows):
        line = k + 2  # the header is row 1
        if not any(x.strip() for x in raw):
            continue
        if len(raw) != len(RESULT_COLUMNS):
            problems.add(f"có {len(raw)} cột, cần {len(RESULT_COLUMNS)} / wrong number of fields", line)
            continue
        v = {c: nfc(restore(raw[pos[c]]).strip()) for c in RESULT_COLUMNS}
        ma_dong, ket_qua, number = v["ma_dong"], v["ket_qua"], v["so_dinh_danh"]
        ok = True
        if not ma_dong:
            problems.add("mã dòng trống / empty", line, "ma_dong")
            ok = False
        elif ma_dong in seen:
            problems.add(f"mã dòng '{ma_dong}' lặp lại / repeated", line, "ma_dong")
            ok = False
        elif ma_dong not in known:
            problems.add(f"mã dòng '{ma_dong}' không có trong tệp xuất / not a row of the export",
                         line, "ma_dong")
            ok = False
        seen.add(ma_dong)
        if ket_qua not in OUTCOMES:
            problems.add(f"kết quả '{ket_qua}' không hợp lệ (KHOP, CAN_XAC_MINH, KHONG_KHOP) / "
                         "invalid outcome", line, "ket_qua")
            ok = False
        candidates = split_codes(number)
        if ket_qua == KHOP and not _NUMBER.fullmatch(number):
            problems.add(f"số định danh '{number or '(trống)'}' phải có đúng 12 chữ số / "
                         "must be 12 digits", line, "so_dinh_danh")
            ok = False
        elif ket_qua == CAN_XAC_MINH and (not candidates or not all(_NUMBER.fullmatch(c) for c in candidates)):
            problems.add(f"ứng viên '{number or '(trống)'}' phải là các số 12 chữ số cách nhau bằng ';' / "
                         "candidates must be 12-digit numbers separated by ';'", line, "so_dinh_danh")
            ok = False
        elif ket_qua == KHONG_KHOP and number:
            problems.add("phải để trống khi KHONG_KHOP / must be empty for KHONG_KHOP", line, "so_dinh_danh")
            ok = False
        diem = None
        if v["diem"]:
            try:
                diem = float(v["diem"].replace(",", "."))
                if not 0.0 <= diem <= 1.0:
                    raise ValueError
            except ValueError:
                problems.add(f"điểm '{v['diem']}' phải là số từ 0 đến 1 / must be 0–1", line, "diem")
                ok = False
        if v["cccd_chuan"] and not _NUMBER.fullmatch(v["cccd_chuan"]):
            problems.add(f"'{v['cccd_chuan']}' phải có đúng 12 chữ số / must be 12 digits", line, "cccd_chuan")
            ok = False
        if v["gioi_tinh_chuan"] and v["gioi_tinh_chuan"] not in GENDERS:
            problems.add(f"giới tính '{v['gioi_tinh_chuan']}' phải là Nam hoặc Nữ / must be Nam or Nữ",
                         line, "gioi_tinh_chuan")
            ok = False
        try:
            parse_birth(v["ngay_sinh_chuan"])
        except ValueError:
            problems.add(f"ngày sinh '{v['ngay_sinh_chuan']}' phải là dd/mm/yyyy hoặc yyyy / "
                         "must be dd/mm/yyyy or yyyy", line, "ngay_sinh_chuan")
            ok = False
        if not ok:
            continue
        party_id, parcel_id, commune = known[ma_dong]
        rows.append({
            "ma_dong": ma_dong, "party_id": party_id, "parcel_id": parcel_id, "commune_code": commune,
            "ket_qua": ket_qua, "candidates": ";".join(candidates) or None, "diem": diem,
            "ly_do": v["ly_do"] or None, "ho_ten_chuan": v["ho_ten_chuan"] or None,
            "ngay_sinh_chuan": v["ngay_sinh_chuan"] or None,
            "gioi_tinh_chuan": v["gioi_tinh_chuan"] or None, "cccd_chuan": v["cccd_chuan"] or None,
        })
    return rows


def _status(ket_qua: str) -> str:
    return {KHOP: ResultStatus.READY, CAN_XAC_MINH: ResultStatus.OPEN,
            KHONG_KHOP: ResultStatus.CLOSED}[ket_qua].value


EVIDENCE_HEAD = ("ma_dong", "hang", "so_dinh_danh", "xac_suat", "trong_so")


def companion(result: Path, suffix: str) -> Path:
    """``ket_qua_doi_soat.csv`` → ``ket_qua_doi_soat<suffix>`` beside it."""
    return result.with_name(result.stem + suffix)


def read_evidence(path: Path, known: set[str]) -> dict[str, list[dict]]:
    """The explanation file a ``datdai reconcile`` run writes beside its result
    (``.giai_thich.csv``): per ``ma_dong``, its candidates best first, each {so_dinh_danh,
    xac_suat, trong_so, truong: {field: [level, bits]}}. A row naming a ``ma_dong`` not in the
    result, or a number that does not read, is a DeliveryError naming the row and field."""
    problems = ProblemCollector(limit=50)
    out: dict[str, list[dict]] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            head = reader.fieldnames or []
            missing = [c for c in EVIDENCE_HEAD if c not in head]
            if missing:
                raise DeliveryError(path, f"thiếu cột / missing columns {', '.join(missing)}")
            fields = [c[:-4] for c in head if c.endswith("_muc") and f"{c[:-4]}_diem" in head]
            for line, row in enumerate(reader, start=2):
                row = {k: restore(v) for k, v in row.items()}
                if row["ma_dong"] not in known:
                    problems.add(f"mã dòng '{row['ma_dong']}' không có trong kết quả / not a row "
                                 "of the result", line, "ma_dong")
                    continue
                try:
                    item = {"so_dinh_danh": row["so_dinh_danh"],
                            "xac_suat": float(row["xac_suat"]) if row["xac_suat"] else None,
                            "trong_so": float(row["trong_so"]) if row["trong_so"] else None,
                            "truong": {f: [row[f"{f}_muc"],
                                           float(row[f"{f}_diem"]) if row[f"{f}_diem"] else 0.0]
                                       for f in fields}}
                except ValueError as exc:
                    problems.add(f"không phải số / not a number: {exc}", line)
                    continue
                out.setdefault(row["ma_dong"], []).append(item)
    except UnicodeDecodeError as exc:
        raise DeliveryError(path, f"không phải UTF-8 / not UTF-8 text (byte {exc.start})") from None
    problems.raise_if_any(path, "tệp giải thích kết quả không hợp lệ / invalid explanation file")
    return out


def read_summary(path: Path) -> dict | None:
    """The run's summary written beside the result (``.tom_tat.json``), or None."""
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DeliveryError(path, f"không đọc được tệp tóm tắt / unreadable summary: {exc}") from None
    return value if isinstance(value, dict) else None


def record_result(conn: Connection, result_csv_path: str | Path, *, export_id: int, source: str = "DATDAI",
                  actor: str) -> int:
    """Store a reconciliation result file of export ``export_id``; returns the run id.

    The same file (sha256) for the same export is the same run: recording it again returns the
    existing run and stores nothing. ``source``: ``DATDAI`` (``datdai reconcile``) or ``C06``.
    The explanation and summary files a ``datdai reconcile`` run writes beside the result
    (:func:`companion`) are stored with it when present.
    """
    path = Path(result_csv_path)
    if source not in SOURCES:
        raise ReconcileError(f"nguồn '{source}' không hợp lệ (DATDAI, C06) / invalid source")
    if not actor:
        raise ReconcileError("cần người thực hiện / actor required")
    if conn.execute(select(s.c06_exports.c.id).where(s.c06_exports.c.id == export_id)).first() is None:
        raise ReconcileError(f"không có lần xuất #{export_id} / no such owners export")
    if not path.is_file():
        raise DeliveryError(path, "không tìm thấy tệp / file not found")
    sha = file_sha256(path)
    runs = s.reconcile_runs
    existing = conn.execute(select(runs.c.id).where(runs.c.export_id == export_id, runs.c.sha256 == sha)).scalar()
    if existing is not None:
        return existing
    problems = ProblemCollector(limit=200)
    rows = _read(path, _export_rows(conn, export_id), problems)
    problems.raise_if_any(path, "kết quả đối soát không hợp lệ, không lưu gì / invalid result file, "
                                "nothing stored")
    if not rows:
        raise DeliveryError(path, "tệp không có dòng kết quả nào / no result rows")
    evidence_file = companion(path, ".giai_thich.csv")
    evidence = (read_evidence(evidence_file, {r["ma_dong"] for r in rows})
                if evidence_file.is_file() else {})
    summary = read_summary(companion(path, ".tom_tat.json"))
    counts = Counter(r["ket_qua"] for r in rows)
    run_id = conn.execute(insert(runs).returning(runs.c.id), {
        "export_id": export_id, "source": source, "file_name": path.name, "sha256": sha,
        "created_at": _now(), "actor": actor,
        "counts": {"rows": len(rows), **{k: counts.get(k, 0) for k in OUTCOMES}},
        "summary": summary,
    }).scalar_one()
    for chunk in chunks(rows):
        conn.execute(insert(s.reconcile_results), [
            {**r, "run_id": run_id, "status": _status(r["ket_qua"]),
             "evidence": evidence.get(r["ma_dong"])} for r in chunk])
    return run_id


def run_counts(conn: Connection, run_id: int) -> dict:
    """The counts recorded with a run (rows, KHOP, CAN_XAC_MINH, KHONG_KHOP)."""
    return conn.execute(select(s.reconcile_runs.c.counts).where(s.reconcile_runs.c.id == run_id)).scalar_one() or {}
