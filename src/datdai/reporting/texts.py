"""What the office writes into its monthly report, kept per office scope and month
(``report_texts``): sections II (problems), III (next month's tasks), IV (proposals), the
difficulties per service of the appendix, and the document's particulars (number, date, place,
governing and issuing body, signer, recipients). Never generated: empty until someone writes it.

A month with nothing saved yet starts from the particulars of the scope's latest earlier month
(the signer and recipients rarely change); its sections start empty.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, insert, select, update

from datdai.db.schema import report_texts
from datdai.dossiers.errors import InvalidInput
from datdai.dossiers.stats import month_bounds

SECTIONS = ("problems", "tasks", "proposals")
PARTICULARS = ("number", "symbol", "report_date", "place", "superior", "issuer", "signer_title",
               "signer_name", "recipients")
MAX_TEXT = 20_000  # characters per section
MAX_SHORT = {"number": 20, "symbol": 40}
MAX_LINE = 500  # place, bodies, signer
MAX_NOTES = 100  # services with a note


@dataclass(frozen=True)
class ReportTexts:
    scope_code: str
    month: str
    problems: str = ""
    tasks: str = ""
    proposals: str = ""
    service_notes: Mapping[str, str] = field(default_factory=dict)
    number: str | None = None
    symbol: str | None = None
    report_date: dt.date | None = None
    place: str | None = None
    superior: str | None = None
    issuer: str | None = None
    signer_title: str | None = None
    signer_name: str | None = None
    recipients: str | None = None
    updated_at: dt.datetime | None = None
    updated_by: str | None = None
    stored: bool = False  # False: nothing saved for this month yet


def _bad(message: str, name: str) -> InvalidInput:
    exc = InvalidInput(message)
    exc.field = name  # the API's error body names it
    return exc


def scope_code(codes: Iterable[str] | None) -> str:
    """The key of an office's scope: its province or commune codes, sorted, joined by ','."""
    return ",".join(sorted({c.strip() for c in codes or () if c and c.strip()}))


def _row_texts(r, *, month: str | None = None, sections: bool = True) -> ReportTexts:
    return ReportTexts(
        scope_code=r.scope_code, month=month or r.month,
        problems=r.problems if sections else "", tasks=r.tasks if sections else "",
        proposals=r.proposals if sections else "",
        service_notes=dict(r.service_notes or {}) if sections else {},
        **{k: getattr(r, k) for k in PARTICULARS},
        updated_at=r.updated_at if sections else None, updated_by=r.updated_by if sections else None,
        stored=sections)


def get_texts(conn: Connection, scope: str, month: str) -> ReportTexts:
    """The texts of ``scope`` for ``month`` (see the module doc for a month not saved yet)."""
    month_bounds(month)
    t = report_texts
    row = conn.execute(select(t).where(t.c.scope_code == scope, t.c.month == month)).first()
    if row is not None:
        return _row_texts(row)
    earlier = conn.execute(select(t).where(t.c.scope_code == scope, t.c.month < month)
                           .order_by(t.c.month.desc()).limit(1)).first()
    if earlier is not None:
        return _row_texts(earlier, month=month, sections=False)
    return ReportTexts(scope_code=scope, month=month)


def _clean(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str):
        raise _bad(f"'{name}' phải là chuỗi / must be a string", name)
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if "\x00" in text:
        raise _bad(f"'{name}' chứa ký tự không hợp lệ / contains an invalid character", name)
    if len(text) > limit:
        raise _bad(f"'{name}' dài quá {limit} ký tự / longer than {limit} characters", name)
    return text


def validate(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values to store, cleaned (NFC, trimmed, limits); unknown keys refused."""
    unknown = set(values) - set(SECTIONS) - set(PARTICULARS) - {"service_notes"}
    if unknown:
        raise _bad(f"trường không hợp lệ / unknown fields: {', '.join(sorted(unknown))}",
                   sorted(unknown)[0])
    out: dict[str, Any] = {}
    for k, v in values.items():
        if k in SECTIONS:
            out[k] = _clean("" if v is None else v, k, MAX_TEXT)
        elif k == "service_notes":
            if v is None:
                out[k] = {}
                continue
            if not isinstance(v, Mapping) or len(v) > MAX_NOTES:
                raise _bad("'service_notes' phải là bảng mã thủ tục → nội dung (tối đa "
                           f"{MAX_NOTES}) / must map service codes to text", k)
            notes = {_clean(code, "service_notes", 60): _clean(text, f"service_notes.{code}", 2000)
                     for code, text in v.items()}
            out[k] = {c: n for c, n in notes.items() if c and n}
        elif k == "report_date":
            if v is None or isinstance(v, dt.date):
                out[k] = v
            else:
                raise _bad("'report_date' phải là ngày / must be a date", k)
        elif v is None:
            out[k] = None
        else:
            out[k] = _clean(v, k, MAX_SHORT.get(k, MAX_TEXT if k == "recipients" else MAX_LINE)) or None
    return out


def save_texts(conn: Connection, scope: str, month: str, values: Mapping[str, Any], *,
               actor: str, at: dt.datetime | None = None) -> ReportTexts:
    """Create or change the texts of ``scope`` and ``month`` (only the keys given change; a new
    month starts from :func:`get_texts`); records who and when."""
    month_bounds(month)
    cleaned = validate(values)
    current = get_texts(conn, scope, month)
    merged = replace(current, **cleaned)
    row = {k: getattr(merged, k) for k in (*SECTIONS, *PARTICULARS)}
    row["service_notes"] = dict(merged.service_notes)
    row["updated_at"] = at or dt.datetime.now(dt.UTC)
    row["updated_by"] = actor
    t = report_texts
    if current.stored:
        conn.execute(update(t).where(t.c.scope_code == scope, t.c.month == month).values(**row))
    else:
        conn.execute(insert(t).values(scope_code=scope, month=month, **row))
    return get_texts(conn, scope, month)


__all__ = ["PARTICULARS", "SECTIONS", "ReportTexts", "get_texts", "save_texts", "scope_code", "validate"]
