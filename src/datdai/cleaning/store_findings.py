"""Quality runs and their findings in the store, and the review of each finding.

A finding is datdai's own record about the land data, written directly (no audit trail); its
history is ``finding_events``. What a finding changes in the land data — an automatic fix, a
person's correction — goes through :class:`~datdai.db.audit.AuditTrail`, so it can be undone.

* :func:`record_check` stores a run and its findings. A finding is known by its fingerprint
  (rule, parcel key, side, field, the values found): checking the same data again finds the
  same rows, keeps their status and only marks them seen by the new run.
* :func:`apply_auto_fixes` applies the safe proposals of a run (legacy encoding, name case and
  spacing, ID number format or a lost leading zero, an old land use code with a one-to-one
  conversion), in one audit batch; :func:`undo_auto_fixes` reverts that batch.
* :func:`set_status` records a person's decision, with an optional corrected value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from datdai.access.principal import Principal
from datdai.access.visibility import scope_clause
from datdai.cleaning.findings import AUTO_FIX, Side, Status
from datdai.cleaning.fix_targets import FindingError, Records, to_int, writes_for
from datdai.cleaning.registry import all_rules
from datdai.db import schema as s
from datdai.db.audit import AuditTrail, revert_batch
from datdai.land.repository import chunks

if TYPE_CHECKING:
    from datdai.cleaning.runner import CheckResult
    from datdai.cleaning.to_dataset import RowLinks

CHUNK = 2000
# Rules whose proposals are safe to apply without a person (the finding must also say so):
# each rule says so itself (``Rule.auto_fix``)
AUTO_FIX_RULES = frozenset(r.code for r in all_rules() if r.auto_fix)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------- fingerprints

_FP_FIELDS = ("ma_loi", "ma_xa", "so_to", "so_thua", "doi_tuong", "nguon", "truong",
              "gia_tri_ban_do", "gia_tri_thuoc_tinh")


def finding_fingerprints(rows: Sequence[dict]) -> list[str]:
    """The stable identity of each finding: rule, parcel key, target, side, field and the values
    found, plus its rank among otherwise identical findings (by row). The message wording and
    the row numbers are left out, so a re-check of the same data finds the same fingerprints."""
    order = sorted(range(len(rows)), key=lambda i: (rows[i].get("dong") is None, rows[i].get("dong") or 0, i))
    seen: Counter[str] = Counter()
    out = [""] * len(rows)
    for i in order:
        base = "\x1f".join("\x00" if rows[i].get(c) is None else str(rows[i][c]) for c in _FP_FIELDS)
        n = seen[base]
        seen[base] += 1
        out[i] = hashlib.sha256(f"{base}\x1e{n}".encode()).hexdigest()
    return out


# ---------------------------------------------------------------- recording a check


def _parcel_ids_by_key(conn: Connection, communes: Iterable[str]) -> dict[tuple[str, int, int], int]:
    """The first (lowest id) parcel of each key in the given communes."""
    t = s.parcels
    out: dict[tuple[str, int, int], int] = {}
    for chunk in chunks(sorted(set(communes)), CHUNK):
        q = (select(t.c.commune_code, t.c.sheet_no, t.c.parcel_no, func.min(t.c.id))
             .where(t.c.commune_code.in_(list(chunk)))
             .group_by(t.c.commune_code, t.c.sheet_no, t.c.parcel_no))
        out.update({(c, a, b): i for c, a, b, i in conn.execute(q)})
    return out


def _loaded_parcel_ids(conn: Connection, batch_id: int) -> list[int]:
    """Ids of the parcels a load batch inserted, in insertion order (= the dataset's order)."""
    c = s.audit_changes
    return list(conn.execute(
        select(c.c.entity_id).where(c.c.batch_id == batch_id, c.c.entity == "parcels",
                                    c.c.action == "insert").order_by(c.c.entity_id)).scalars())


def _party_ids(conn: Connection, codes: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for chunk in chunks(sorted(set(codes)), CHUNK):
        out.update(dict(conn.execute(select(s.parties.c.code, s.parties.c.id)
                                     .where(s.parties.c.code.in_(list(chunk)))).all()))
    return out


def record_check(conn: Connection, result: CheckResult, *, actor: str, source: str,
                 delivery_id: int | None = None, links: RowLinks | None = None,
                 engine: str | None = None, params: dict | None = None,
                 load_batch_id: int | None = None) -> int:
    """Store a quality run and its findings; returns the run id.

    Findings are linked to the stored parcel (by key; a map-side finding to the very feature's
    parcel when ``links`` and the load batch — ``load_batch_id``, else the delivery's — say
    which) and to the party of its register row (``links``). A finding already stored (same
    fingerprint) keeps its row and status: only its last-seen run changes.
    """
    started = _now()
    run_id = conn.execute(insert(s.quality_runs).returning(s.quality_runs.c.id), {
        "delivery_id": delivery_id, "source": source, "started_at": started, "actor": actor,
        "engine": engine, "rules": [r.code for r in result.rules], "params": params or {},
    }).scalar_one()

    per_commune = Counter(k for k in result.parcels["ma_xa"].to_pylist() if k is not None)
    if per_commune:
        conn.execute(insert(s.quality_run_communes), [
            {"run_id": run_id, "commune_code": c, "parcels": n} for c, n in sorted(per_commune.items())])

    rows = result.findings.to_pylist()
    fps = finding_fingerprints(rows)
    by_key = _parcel_ids_by_key(conn, {r["ma_xa"] for r in rows if r["ma_xa"]})
    feature_ids: dict[int, int] = {}
    party_of_row: dict[int, int] = {}
    if links is not None:
        batch = load_batch_id
        if batch is None and delivery_id is not None:
            batch = conn.execute(select(s.deliveries.c.audit_batch_id)
                                 .where(s.deliveries.c.id == delivery_id)).scalar_one_or_none()
        if batch is not None:
            loaded = _loaded_parcel_ids(conn, batch)
            feature_ids = {row: loaded[i] for row, i in links.feature_parcel.items() if i < len(loaded)}
        codes = _party_ids(conn, links.register_party.values())
        party_of_row = {row: codes[c] for row, c in links.register_party.items() if c in codes}

    def parcel_id(r: dict) -> int | None:
        if r["nguon"] == Side.MAP and r["dong"] in feature_ids:
            return feature_ids[r["dong"]]
        so_to, so_thua = to_int(r["so_to"]), to_int(r["so_thua"])
        if so_to is None or so_thua is None:
            return None
        return by_key.get((r["ma_xa"], so_to, so_thua))

    def party_id(r: dict) -> int | None:
        if r["nguon"] == Side.REGISTER and r["doi_tuong"] in ("NGUOI_SU_DUNG", "GIAY_TO"):
            return party_of_row.get(r["dong"])
        return None

    existing: dict[str, int] = {}
    f = s.findings
    for chunk in chunks(fps, CHUNK):
        existing.update(dict(conn.execute(select(f.c.fingerprint, f.c.id).where(f.c.fingerprint.in_(list(chunk)))).all()))

    new_rows, seen_rows = [], []
    for r, fp in zip(rows, fps, strict=True):
        pid, yid = parcel_id(r), party_id(r)
        if fp in existing:
            seen_rows.append({"b_id": existing[fp], "b_parcel": pid, "b_party": yid})
            continue
        existing[fp] = -1  # the same fingerprint twice in one run cannot happen (rank), but be safe
        new_rows.append({
            "run_id": run_id, "last_run_id": run_id, "rule_code": r["ma_loi"], "severity": r["muc_do"],
            "target": r["doi_tuong"], "commune_code": r["ma_xa"], "sheet_no": r["so_to"],
            "parcel_no": r["so_thua"], "parcel_id": pid, "party_id": yid, "side": r["nguon"],
            "source_row": r["dong"], "field": r["truong"], "map_value": r["gia_tri_ban_do"],
            "register_value": r["gia_tri_thuoc_tinh"], "proposed_fix": r["de_xuat"],
            "auto_fixable": r["sua_tu_dong"] == AUTO_FIX, "message": r["mo_ta"] or "",
            "status": Status.OPEN.value, "fingerprint": fp, "created_at": started,
            "updated_at": started, "audit_change_id": None,
        })
    for chunk in chunks(new_rows, CHUNK):
        conn.execute(insert(f), list(chunk))
    if seen_rows:
        stmt = (update(f).where(f.c.id == bindparam("b_id"))
                .values(last_run_id=run_id, updated_at=started,
                        parcel_id=func.coalesce(f.c.parcel_id, bindparam("b_parcel")),
                        party_id=func.coalesce(f.c.party_id, bindparam("b_party"))))
        for chunk in chunks(seen_rows, CHUNK):
            conn.execute(stmt, list(chunk))

    counts = {"findings": len(rows), "new": len(new_rows), "seen_before": len(seen_rows),
              "parcels": result.parcels.num_rows, "by_rule": result.count_by_rule()}
    conn.execute(update(s.quality_runs).where(s.quality_runs.c.id == run_id)
                 .values(counts=counts, finished_at=_now()))
    return run_id


def _event(conn: Connection, finding_id: int, *, actor: str, from_status: str | None, to_status: str,
           note: str | None, batch_id: int | None, at: dt.datetime) -> None:
    conn.execute(insert(s.finding_events), {
        "finding_id": finding_id, "at": at, "actor": actor, "from_status": from_status,
        "to_status": to_status, "note": note, "audit_batch_id": batch_id})


def _set(conn: Connection, finding_id: int, at: dt.datetime, **values) -> None:
    conn.execute(update(s.findings).where(s.findings.c.id == finding_id).values(updated_at=at, **values))


# ---------------------------------------------------------------- automatic fixes


@dataclass(slots=True)
class AutoFixResult:
    fixed: int = 0  # findings set to TU_SUA
    changes: int = 0  # records changed
    skipped: int = 0  # auto-fixable findings left open (no record, or the record changed since)
    batch_id: int | None = None
    by_rule: dict[str, int] = field(default_factory=dict)


def apply_auto_fixes(conn: Connection, run_id: int, *, actor: str) -> AutoFixResult:
    """Apply every safe proposal of the run's open findings, in one audit batch.

    A proposal is written only where the record still holds the value the finding saw; a
    finding whose record already holds the proposal (another row of the same person fixed it)
    is marked fixed too. Findings that cannot be fixed safely stay open. The records are read
    and written in bulk: a few statements whatever the number of fixes.
    """
    f = s.findings
    rows = conn.execute(select(f).where(
        f.c.last_run_id == run_id, f.c.auto_fixable.is_(True), f.c.status == Status.OPEN.value,
        f.c.rule_code.in_(sorted(AUTO_FIX_RULES)), f.c.proposed_fix.is_not(None),
    ).order_by(f.c.id)).all()
    out = AutoFixResult()
    if not rows:
        return out
    records = Records(conn)
    records.prefetch(rows)
    pending: dict[str, dict[int, dict[str, Any]]] = {}
    decided: list[tuple[Any, list[tuple[str, int]]]] = []  # finding, records it relies on
    for r in rows:
        writes = writes_for(records, r, r.proposed_fix, auto=True)
        targets: list[tuple[str, int]] = []
        ok = bool(writes)
        for w in writes:
            cur = records.current(w.table, w.entity_id, w.column)
            if cur == w.value:
                if w.entity_id in pending.get(w.table, {}):
                    targets.append((w.table, w.entity_id))
            elif cur != w.recorded:
                ok = False  # changed since the check: a person must look
        if not ok:
            out.skipped += 1
            continue
        for w in writes:
            if records.current(w.table, w.entity_id, w.column) != w.value:
                pending.setdefault(w.table, {}).setdefault(w.entity_id, {})[w.column] = w.value
                records.set(w)
                targets.append((w.table, w.entity_id))
        decided.append((r, targets))
    if not decided:
        return out
    by_rule = Counter(r.rule_code for r, _ in decided)
    reason = "tự sửa lỗi an toàn / safe automatic fixes: " + ", ".join(
        f"{k} ({n})" for k, n in sorted(by_rule.items()))
    trail = AuditTrail(conn, actor=actor, source=f"kiểm tra chất lượng #{run_id}: tự sửa", reason=reason)
    change_of: dict[tuple[str, int], int] = {}
    for table, changes in pending.items():
        for entity_id, change_id in trail.update_many(table, changes).items():
            change_of[(table, entity_id)] = change_id
    now = _now()
    updates, events = [], []
    for r, targets in decided:
        change_id = next((change_of[t] for t in targets if t in change_of), None)
        note = f"{r.rule_code}: {r.message}"
        if change_id is None:
            note += " (giá trị đã lưu đã đúng / the stored value was already right)"
        updates.append({"b_id": r.id, "b_change": change_id})
        events.append({"finding_id": r.id, "at": now, "actor": actor, "from_status": r.status,
                       "to_status": Status.AUTO_FIXED.value, "note": note, "audit_batch_id": trail.batch_id})
    stmt = (update(f).where(f.c.id == bindparam("b_id"))
            .values(status=Status.AUTO_FIXED.value, audit_change_id=bindparam("b_change"), updated_at=now))
    for chunk in chunks(updates, CHUNK):
        conn.execute(stmt, list(chunk))
    for chunk in chunks(events, CHUNK):
        conn.execute(insert(s.finding_events), list(chunk))
    conn.execute(update(s.quality_runs).where(s.quality_runs.c.id == run_id)
                 .values(fix_batch_id=trail.batch_id))
    out.fixed, out.changes, out.batch_id = len(decided), len(change_of), trail.batch_id
    out.by_rule = dict(sorted(by_rule.items()))
    return out


def undo_auto_fixes(conn: Connection, run_id: int, *, actor: str, reason: str) -> int:
    """Revert the automatic fixes of a run (one audit batch) and reopen their findings.
    Refused (:class:`~datdai.db.audit.RevertConflict`) when a fixed record changed since."""
    run = conn.execute(select(s.quality_runs).where(s.quality_runs.c.id == run_id)).first()
    if run is None:
        raise FindingError(f"không có lần kiểm tra #{run_id} / no such quality run")
    if run.fix_batch_id is None:
        raise FindingError(f"lần kiểm tra #{run_id} không có sửa tự động / the run made no automatic fix")
    revert_id = revert_batch(conn, run.fix_batch_id, actor=actor, reason=reason)
    f, e = s.findings, s.finding_events
    ids = list(conn.execute(select(f.c.id).where(
        f.c.status == Status.AUTO_FIXED.value,
        f.c.id.in_(select(e.c.finding_id).where(e.c.audit_batch_id == run.fix_batch_id,
                                                 e.c.to_status == Status.AUTO_FIXED.value)),
    ).order_by(f.c.id)).scalars())
    now = _now()
    for fid in ids:
        _set(conn, fid, now, status=Status.OPEN.value, audit_change_id=None)
        _event(conn, fid, actor=actor, from_status=Status.AUTO_FIXED.value, to_status=Status.OPEN.value,
               note=reason, batch_id=revert_id, at=now)
    return len(ids)


# ---------------------------------------------------------------- a person's decision


def set_status(conn: Connection, finding_id: int, status: Status | str, *, actor: str,
               note: str | None = None, value: str | None = None) -> int | None:
    """Record a decision on a finding: DA_SUA (fixed; ``value``, when given, is written through
    the audit trail where the finding points), CHAP_NHAN (accepted as it is), BAC_BO (not a
    defect) or MO (reopened). Returns the audit batch of the correction, if any."""
    try:
        new = Status(status)
    except ValueError:
        raise FindingError(f"trạng thái không hợp lệ '{status}' (MO, DA_SUA, CHAP_NHAN, BAC_BO)") from None
    if new == Status.AUTO_FIXED:
        raise FindingError("trạng thái TU_SUA chỉ do sửa tự động đặt / TU_SUA is set by automatic fixes only")
    if new == Status.GONE:
        raise FindingError("trạng thái KHONG_CON chỉ do kiểm tra lại giao nộp sửa đặt / KHONG_CON is set by "
                           "the re-check of a corrected delivery only")
    finding = conn.execute(select(s.findings).where(s.findings.c.id == finding_id)).first()
    if finding is None:
        raise FindingError(f"không có phát hiện #{finding_id} / no such finding")
    if value is not None and new != Status.FIXED:
        raise FindingError("chỉ ghi giá trị sửa với trạng thái DA_SUA / a value goes with DA_SUA only")
    if new.value == finding.status and value is None:
        raise FindingError(f"phát hiện #{finding_id} đã ở trạng thái {new.value} / already {new.value}")
    now = _now()
    batch_id = change_id = None
    if value is not None:
        writes = writes_for(Records(conn), finding, value, auto=False)
        if not writes:
            raise FindingError(
                f"không xác định được bản ghi để ghi giá trị cho lỗi {finding.rule_code} "
                f"(trường {finding.field}) / no record to write this value to")
        trail = AuditTrail(conn, actor=actor, source=f"xử lý phát hiện #{finding_id} ({finding.rule_code})",
                           reason=note or f"{finding.rule_code}: {finding.message}")
        batch_id = trail.batch_id
        by_table: dict[str, dict[int, dict[str, Any]]] = {}
        for w in writes:
            by_table.setdefault(w.table, {}).setdefault(w.entity_id, {})[w.column] = w.value
        for table, changes in by_table.items():
            for change in trail.update_many(table, changes).values():
                change_id = change_id or change
    values: dict[str, Any] = {"status": new.value}
    if change_id is not None:
        values["audit_change_id"] = change_id
    _set(conn, finding_id, now, **values)
    _event(conn, finding_id, actor=actor, from_status=finding.status, to_status=new.value,
           note=note, batch_id=batch_id, at=now)
    return batch_id


# ---------------------------------------------------------------- reading


def finding_events(conn: Connection, finding_id: int) -> list[Any]:
    e = s.finding_events
    return conn.execute(select(e).where(e.c.finding_id == finding_id).order_by(e.c.id)).all()


def list_findings(conn: Connection, *, commune_code: str | None = None, rule_code: str | None = None,
                  status: str | None = None, run_id: int | None = None, limit: int | None = 100,
                  offset: int = 0, principal: Principal | None = None) -> list[Any]:
    """Findings by commune and id, filtered; only those of the communes ``principal`` sees when
    one is given."""
    f = s.findings
    q = select(f).order_by(f.c.commune_code, f.c.id).offset(offset)
    if principal is not None:
        q = q.where(scope_clause(conn, principal, f.c.commune_code))
    if limit is not None:
        q = q.limit(limit)
    if commune_code:
        q = q.where(f.c.commune_code == commune_code)
    if rule_code:
        q = q.where(f.c.rule_code == rule_code)
    if status:
        q = q.where(f.c.status == Status(status).value)
    if run_id is not None:
        q = q.where(f.c.last_run_id == run_id)
    return conn.execute(q).all()
