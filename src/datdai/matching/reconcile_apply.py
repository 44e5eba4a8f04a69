"""Applying reconciliation results to the land store, through the audit trail, and undoing it.

For every ``KHOP`` and every ``CHON`` decision of a run the party receives the register's
values: personal number, name (with diacritics), birth date or year, gender, and a CCCD
identity document when it has none with that number — all in one audit batch. Precision
guards send a result back to review (status MO, with the reason) instead of applying it:

* ``SO_DINH_DANH_TRUNG``: the number would go to two different parties whose names differ
  (in this run, or a party of the store already holds it);
* ``NHIEU_SO_DINH_DANH``: the run gives one party two different numbers;
* ``DA_CO_SO_KHAC``: the party already holds a different personal number (a person's explicit
  ``CHON`` decision may replace it: it is recorded with its reason and can be undone);
* ``KHONG_CON_BAN_GHI``: the party is no longer in the store.

Organisations are never given a personal number (the result is closed).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, bindparam, insert, select, update

from datdai.db import schema as s
from datdai.db.audit import AuditTrail, revert_batch
from datdai.kernel.model import DocumentType, PartyKind
from datdai.land.repository import chunks
from datdai.matching.reconcile_results import (
    GENDERS,
    KHOP,
    Decision,
    ReconcileError,
    ResultStatus,
    _now,
    parse_birth,
    record_result,
)

SHARED_NUMBER = "SO_DINH_DANH_TRUNG"
PARTY_TWO_NUMBERS = "NHIEU_SO_DINH_DANH"
OTHER_NUMBER = "DA_CO_SO_KHAC"
PARTY_GONE = "KHONG_CON_BAN_GHI"
ORGANISATION = "TO_CHUC"

_MESSAGES = {
    SHARED_NUMBER: "số định danh này cũng thuộc/được đề xuất cho người sử dụng đất khác có tên khác / "
                   "the number would go to another party with a different name",
    PARTY_TWO_NUMBERS: "cùng một người sử dụng đất được đề xuất nhiều số định danh khác nhau / "
                       "several different numbers for one party",
    OTHER_NUMBER: "hồ sơ đã có số định danh khác / the party already holds a different number",
    PARTY_GONE: "không còn bản ghi người sử dụng đất / the party is no longer in the store",
    ORGANISATION: "tổ chức: không gán số định danh cá nhân / an organisation gets no personal number",
}


@dataclass(slots=True)
class ApplyResult:
    applied: int = 0  # results whose party was changed
    unchanged: int = 0  # results whose party already held the values
    conflicts: int = 0  # results sent back to review by a guard
    skipped: int = 0  # results closed without change (organisations)
    parties_changed: int = 0
    documents_added: int = 0
    batch_id: int | None = None


def _digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def _name_keys(names: dict[int, str]) -> dict[int, str]:
    """party id → comparison key of its name (legacy encodings repaired, prefixes dropped, folded)."""
    from datdai.cleaning.prepare import name_key
    from datdai.kernel.legacy import repair_text

    ids = list(names)
    if not ids:
        return {}
    keys = name_key(pa.array([repair_text(names[i] or "")[0] for i in ids], pa.string())).to_pylist()
    return dict(zip(ids, keys, strict=True))


def _fetch(conn: Connection, table, column, ids) -> list:
    out = []
    for chunk in chunks(sorted(ids)):
        out.extend(conn.execute(select(table).where(column.in_(list(chunk)))).all())
    return out


def _enrichment(party, file_row, citizen, number: str) -> tuple[dict[str, Any], str]:
    """The party's changes and the CCCD number its document should carry."""
    name = (file_row.ho_ten_chuan if file_row.ket_qua == KHOP else None) or (citizen.ho_ten if citizen else None)
    born = (file_row.ngay_sinh_chuan if file_row.ket_qua == KHOP else None) or (citizen.ngay_sinh if citizen else None)
    gender = (file_row.gioi_tinh_chuan if file_row.ket_qua == KHOP else None) or (citizen.gioi_tinh if citizen else None)
    cccd = (file_row.cccd_chuan if file_row.ket_qua == KHOP else None) or number
    values: dict[str, Any] = {"personal_number": number}
    if name and name.strip():
        values["full_name"] = name.strip()
    try:
        day, year = parse_birth(born)
    except ValueError:
        day, year = None, None
    if day is not None:
        values["birth_date"], values["birth_year"] = day, year
    elif year is not None:
        values["birth_year"] = year
        if party.birth_date is not None and party.birth_date.year != year:
            values["birth_date"] = None
    if gender in GENDERS:
        values["gender"] = gender
    changes = {k: v for k, v in values.items() if getattr(party, k) != v}
    return changes, cccd


def apply_results(conn: Connection, run_id: int, *, actor: str) -> ApplyResult:
    """Apply the run's ``KHOP`` results and ``CHON`` decisions (status CHO_AP_DUNG) in one audit
    batch. Idempotent: what is applied is not applied again. See the module for the guards."""
    runs, r = s.reconcile_runs, s.reconcile_results
    if conn.execute(select(runs.c.id).where(runs.c.id == run_id)).first() is None:
        raise ReconcileError(f"không có lần đối soát #{run_id} / no such reconciliation run")
    rows = conn.execute(select(r).where(r.c.run_id == run_id, r.c.status == ResultStatus.READY.value)
                        .order_by(r.c.id)).all()
    out = ApplyResult()
    if not rows:
        return out

    def number_of(x) -> str:
        return x.chosen_number if x.decision == Decision.CHOOSE.value else x.candidates

    parties = {p.id: p for p in _fetch(conn, s.parties, s.parties.c.id, {x.party_id for x in rows if x.party_id})}
    numbers = {number_of(x) for x in rows}
    citizens = {c.so_dinh_danh: c for c in _fetch(conn, s.citizens, s.citizens.c.so_dinh_danh, numbers)}
    holders: dict[str, set[int]] = defaultdict(set)  # number → parties of the store holding it
    for p in _fetch(conn, s.parties, s.parties.c.personal_number, numbers):
        parties.setdefault(p.id, p)
        holders[p.personal_number].add(p.id)

    verdict: dict[int, str] = {}  # result id → guard code (conflict) or ORGANISATION
    live = []
    for x in rows:
        p = parties.get(x.party_id) if x.party_id is not None else None
        if p is None:
            verdict[x.id] = PARTY_GONE
        elif p.kind == PartyKind.ORGANISATION.value:
            verdict[x.id] = ORGANISATION
        else:
            live.append(x)
    by_party: dict[int, set[str]] = defaultdict(set)
    for x in live:
        by_party[x.party_id].add(number_of(x))
    for x in live:
        if len(by_party[x.party_id]) > 1:
            verdict[x.id] = PARTY_TWO_NUMBERS
    live = [x for x in live if x.id not in verdict]
    by_number: dict[str, set[int]] = defaultdict(set)
    for x in live:
        by_number[number_of(x)].add(x.party_id)
    # only numbers that would go to more than one party need their names compared
    several = {n: ids | holders.get(n, set()) for n, ids in by_number.items()
               if len(ids | holders.get(n, set())) > 1}
    keys = _name_keys({pid: parties[pid].full_name for ids in several.values() for pid in ids})
    shared = {n for n, ids in several.items() if len({keys[i] for i in ids}) > 1}
    for x in live:
        n, p = number_of(x), parties[x.party_id]
        if n in shared:
            verdict[x.id] = SHARED_NUMBER
        elif p.personal_number and p.personal_number != n and x.decision != Decision.CHOOSE.value:
            verdict[x.id] = OTHER_NUMBER
    live = [x for x in live if x.id not in verdict]

    # the changes, one set per party (several rows of one person agree by now)
    changes: dict[int, dict[str, Any]] = {}
    wanted_docs: dict[int, str] = {}
    for x in live:
        if x.party_id in changes:
            continue
        n = number_of(x)
        changes[x.party_id], wanted_docs[x.party_id] = _enrichment(parties[x.party_id], x, citizens.get(n), n)
    have_docs: dict[int, set[str]] = defaultdict(set)
    for d in _fetch(conn, s.identity_documents, s.identity_documents.c.party_id, set(wanted_docs)):
        have_docs[d.party_id].add(_digits(d.number))
    new_docs = [{"party_id": pid, "doc_type": DocumentType.CCCD.value, "number": num}
                for pid, num in sorted(wanted_docs.items()) if num not in have_docs[pid]]
    to_change = {pid: c for pid, c in changes.items() if c}
    touched = set(to_change) | {d["party_id"] for d in new_docs}

    batch_id = None
    if touched:
        trail = AuditTrail(conn, actor=actor, source=f"đối soát dân cư #{run_id}: áp dụng",
                           reason=f"làm giàu thông tin người sử dụng đất từ CSDL dân cư (lần đối soát #{run_id}) / "
                                  "enrich land users from the population register")
        batch_id = trail.batch_id
        out.parties_changed = len(trail.update_many("parties", to_change)) if to_change else 0
        if new_docs:
            out.documents_added = len(trail.insert_many("identity_documents", new_docs))
    out.batch_id = batch_id

    now = _now()
    updates, events = [], []
    for x in rows:
        code = verdict.get(x.id)
        if code is None:
            status, note = ResultStatus.APPLIED.value, None
            if x.party_id in touched:
                out.applied += 1
                reason = "đã áp dụng / applied"
            else:
                out.unchanged += 1
                reason = "hồ sơ đã đúng, không thay đổi / already held the values"
        elif code == ORGANISATION:
            status, note, reason = ResultStatus.CLOSED.value, f"{code}: {_MESSAGES[code]}", _MESSAGES[code]
            out.skipped += 1
        else:
            status, note, reason = ResultStatus.OPEN.value, f"{code}: {_MESSAGES[code]}", _MESSAGES[code]
            out.conflicts += 1
        applied = status == ResultStatus.APPLIED.value
        updates.append({"b_id": x.id, "b_status": status, "b_note": note,
                        "b_batch": batch_id if applied else None})
        events.append({"result_id": x.id, "at": now, "actor": actor, "from_status": x.status,
                       "to_status": status, "decision": None, "chosen_number": None, "reason": reason,
                       "audit_batch_id": batch_id if applied else None})
    stmt = (update(r).where(r.c.id == bindparam("b_id"))
            .values(status=bindparam("b_status"), review_reason=bindparam("b_note"),
                    applied_batch_id=bindparam("b_batch")))
    for chunk in chunks(updates):
        conn.execute(stmt, list(chunk))
    for chunk in chunks(events):
        conn.execute(insert(s.reconcile_decision_events), list(chunk))
    return out


def undo_apply(conn: Connection, run_id: int, *, actor: str, reason: str) -> int:
    """Revert the run's applications (their audit batches, newest first) and mark its applied
    results as not applied (CHO_AP_DUNG). Refused with
    :class:`~datdai.db.audit.RevertConflict` when an enriched record changed since.
    Returns the number of results marked not applied."""
    if not (reason or "").strip():
        raise ReconcileError("cần ghi lý do hoàn tác / a reason is required")
    r = s.reconcile_results
    if conn.execute(select(s.reconcile_runs.c.id).where(s.reconcile_runs.c.id == run_id)).first() is None:
        raise ReconcileError(f"không có lần đối soát #{run_id} / no such reconciliation run")
    rows = conn.execute(select(r.c.id, r.c.applied_batch_id).where(
        r.c.run_id == run_id, r.c.status == ResultStatus.APPLIED.value)).all()
    if not rows:
        raise ReconcileError(f"lần đối soát #{run_id} chưa áp dụng kết quả nào / nothing applied")
    batches = sorted({x.applied_batch_id for x in rows if x.applied_batch_id is not None}, reverse=True)
    reverts = {b: revert_batch(conn, b, actor=actor, reason=reason) for b in batches}
    now = _now()
    conn.execute(update(r).where(r.c.run_id == run_id, r.c.status == ResultStatus.APPLIED.value)
                 .values(status=ResultStatus.READY.value, applied_batch_id=None))
    events = [{"result_id": x.id, "at": now, "actor": actor, "from_status": ResultStatus.APPLIED.value,
               "to_status": ResultStatus.READY.value, "decision": None, "chosen_number": None,
               "reason": reason, "audit_batch_id": reverts.get(x.applied_batch_id)} for x in rows]
    for chunk in chunks(events):
        conn.execute(insert(s.reconcile_decision_events), list(chunk))
    return len(rows)


def import_c06_results(conn: Connection, path: str | Path, *, export_id: int,
                       actor: str) -> tuple[int, ApplyResult]:
    """A result file returned by C06 (same format): recorded (source C06) and applied, in the
    caller's transaction. Returns (run id, what the application did)."""
    run_id = record_result(conn, path, export_id=export_id, source="C06", actor=actor)
    return run_id, apply_results(conn, run_id, actor=actor)
