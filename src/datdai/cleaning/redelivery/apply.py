"""A corrected delivery for communes already in the store: plan, apply, re-check, revert.

:func:`redeliver` reads and checks the delivery as ``datdai import`` does, converts it, and
computes the plan (:func:`~datdai.cleaning.redelivery.plan.compute_plan`). Without ``apply`` nothing is
written. With ``apply``, in ONE transaction and ONE audit batch:

1. the changed parcels are updated in place (their id stays: findings, dossiers and history keep
   pointing at them): geometry and the attributes the delivery changed; a value a person corrected
   stays when the delivery carries another (``XUNG_DOT``);
2. the holders of parcels whose land users changed are detached (the holding's link to the parcel
   deleted; a holding left without parcel is deleted with its rights and certificate, unless
   assets, documents or financial obligations hang on it) and the delivery's holdings, rights and
   certificates attached; a land user already in the store (same name key and number) is reused,
   so a person's corrections and a confirmed personal number stay;
3. removed parcels are deleted (refused, nothing applied, if a dossier or an asset points at one),
   added ones inserted;
4. the delivery's findings are recorded as a quality run of this delivery (a finding already known
   keeps its status: decisions people made stay), with one ``REDELIVERY_CONFLICT`` finding per value
   kept against the delivery (both values shown); an open finding of these communes the re-check no
   longer sees is closed (``KHONG_CON``) with the reason and the batch.

Any error rolls everything back. :func:`revert_redelivery` reverts the batch (the store exactly as
before, through the audit trail), reopens the findings it closed and closes the ones it opened.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, String, cast, func, insert, select, update

from datdai.cleaning.check import read_delivery
from datdai.cleaning.config import load_config
from datdai.cleaning.delivery_import import delivery_fingerprint, find_delivery
from datdai.cleaning.findings import FINDING_SCHEMA, Severity, Side, Status, Target
from datdai.cleaning.redelivery.plan import (
    DELIVERY_FIELD,
    FINDING_FIELD,
    MAP_SIDE,
    Kind,
    Plan,
    compute_plan,
    dataset_holders,
    read_holders,
)
from datdai.cleaning.runner import CheckResult, run_rules
from datdai.cleaning.store_findings import record_check
from datdai.cleaning.to_dataset import RowLinks, delivery_to_dataset
from datdai.compute import open_engine
from datdai.db import schema as s
from datdai.db.audit import AuditTrail, revert_batch
from datdai.db.store import Store
from datdai.kernel.errors import Conflict, InvalidInput
from datdai.kernel.model import LandDataset, Party
from datdai.land.repository import chunks, parcel_row, party_row

Progress = Callable[[str, int, int], None]
REDELIVERY = "giao_nop_sua"  # deliveries.counts["kind"] of a delivery applied by this module
REDELIVERY_CONFLICT = "REDELIVERY_CONFLICT"


class RedeliveryRefused(Conflict):
    """The plan cannot be applied as it stands (a removed parcel still in use)."""


@dataclass
class RedeliveryResult:
    fingerprint: str
    plan: Plan | None = None
    delivery_id: int | None = None
    already_imported: bool = False
    imported_at: dt.datetime | None = None
    applied: bool = False
    batch_id: int | None = None
    run_id: int | None = None
    closed: int = 0  # findings closed by the re-check (KHONG_CON)
    opened: int = 0  # findings first seen by the re-check
    counts: dict[str, Any] = field(default_factory=dict)
    findings_by_rule: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def _reverted(conn: Connection, batch_id: int | None) -> bool:
    if batch_id is None:
        return False
    b = s.audit_batches
    return conn.execute(select(b.c.reverted_by_batch_id).where(b.c.id == batch_id)).scalar_one_or_none() is not None


def redeliver(store: Store, parcels: str | Path, register: str | Path, *, config: str | Path | None = None,
              actor: str = "datdai", apply: bool = False, progress: Progress | None = None,
              engine: str = "duckdb") -> RedeliveryResult:
    """Plan (and with ``apply``, apply) a delivery for communes that may already hold data."""
    parcels, register = Path(parcels), Path(register)
    timings: dict[str, float] = {}
    cfg = load_config(config)
    fp = delivery_fingerprint(parcels, register, cfg)
    with store.read() as conn:
        known = find_delivery(conn, fp)
        if known is not None and _reverted(conn, known.audit_batch_id):
            known_id: int | None = known.id
        elif known is not None:
            return RedeliveryResult(fingerprint=fp, delivery_id=known.id, already_imported=True,
                                    imported_at=known.imported_at, counts=dict(known.counts or {}))
        else:
            known_id = None
    t0 = time.perf_counter()
    read = read_delivery(parcels, register, cfg)
    timings["read"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with open_engine(engine) as eng:
        result = run_rules(read.parcels.table, read.register.table, engine=eng, config=cfg, progress=progress)
    timings["check"] = time.perf_counter() - t0
    dataset, links = delivery_to_dataset(read.parcels.table, read.register.table, read.parcels.srid)
    if not apply:
        with store.read() as conn:
            plan = compute_plan(conn, dataset)
        return RedeliveryResult(fingerprint=fp, plan=plan, warnings=list(read.warnings),
                                findings_by_rule=result.count_by_rule(), timings=timings)
    t0 = time.perf_counter()
    with store.transaction() as conn:
        out = apply_delivery(conn, dataset, links, result, fingerprint=fp, parcel_source=parcels.name,
                             register_source=register.name, actor=actor, engine=engine,
                             params=cfg.rule_params, reuse_delivery_id=known_id, progress=progress)
    timings["apply"] = time.perf_counter() - t0
    out.warnings, out.timings = list(read.warnings), timings
    return out


# ---------------------------------------------------------------- applying


class _Seq:
    """Codes of the records a re-delivery creates: ``P25195-L12-00001`` (L: its audit batch), so
    they never collide with the codes of the first import or of another re-delivery."""

    def __init__(self, batch_id: int) -> None:
        self.batch_id = batch_id
        self.next: Counter[tuple[str, str]] = Counter()

    def __call__(self, prefix: str, commune: str) -> str:
        self.next[(prefix, commune)] += 1
        return f"{prefix}{commune}-L{self.batch_id}-{self.next[(prefix, commune)]:05d}"


def _referenced(conn: Connection, parcel_ids: list[int]) -> dict[int, str]:
    """Stored parcels something else still points at (a dossier, an asset) → what."""
    out: dict[int, str] = {}
    for chunk in chunks(parcel_ids, 2000):
        for pid, code in conn.execute(select(s.dossiers.c.parcel_id, s.dossiers.c.code)
                                      .where(s.dossiers.c.parcel_id.in_(list(chunk)))):
            out.setdefault(pid, f"hồ sơ {code}")
        for pid, code in conn.execute(select(s.assets.c.parcel_id, s.assets.c.code)
                                      .where(s.assets.c.parcel_id.in_(list(chunk)))):
            out.setdefault(pid, f"tài sản {code}")
    return out


def apply_delivery(conn: Connection, data: LandDataset, links: RowLinks, result: CheckResult, *,
                   fingerprint: str, parcel_source: str, register_source: str, actor: str,
                   engine: str | None = None, params: dict | None = None,
                   reuse_delivery_id: int | None = None, progress: Progress | None = None) -> RedeliveryResult:
    """Apply a converted delivery to its communes in the caller's transaction (see the module)."""
    plan = compute_plan(conn, data)
    source = f"giao nộp sửa / re-delivery {parcel_source} + {register_source}"
    trail = AuditTrail(conn, actor=actor, source=source,
                       reason="cập nhật từng thửa theo giao nộp sửa / per-parcel update from a corrected delivery")
    batch = trail.batch_id
    now = dt.datetime.now(dt.UTC)
    d = s.deliveries
    row = {"fingerprint": fingerprint, "parcel_source": parcel_source, "register_source": register_source,
           "imported_at": now, "actor": actor, "audit_batch_id": batch, "counts": {"kind": REDELIVERY}}
    if reuse_delivery_id is None:
        delivery_id = conn.execute(insert(d).returning(d.c.id), row).scalar_one()
    else:  # the same files, applied again after their batch was reverted
        delivery_id = reuse_delivery_id
        conn.execute(update(d).where(d.c.id == delivery_id).values(**row))

    def step(name: str, done: int, total: int) -> None:
        if progress:
            progress(name, done, total)

    keys_of = {c.key: c for c in plan.changes}
    all_ids = {i: c.key for c in plan.changes for i in c.store_ids}
    holders = read_holders(conn, all_ids)  # land users of the changed keys, before any change
    codes = _Seq(batch)

    # 1. parcels updated in place
    step("Cập nhật thửa đất", 0, 4)
    updates = {pid: vals for c in plan.changes for pid, vals in c.updates.items()}
    trail.update_many("parcels", updates)

    # 2. holders detached from parcels whose land users change, or that go
    detach_keys = {c.key for c in plan.changes if Kind.OWNERS in c.kinds or Kind.REMOVED in c.kinds}
    to_delete = [i for c in plan.changes for i in
                 (c.store_ids if Kind.REMOVED in c.kinds else c.store_ids[len(c.new_index):])]
    detach_ids = sorted({i for k in detach_keys for i in keys_of[k].store_ids} | set(to_delete))
    hp = s.holding_parcels
    touched: set[int] = set()
    for chunk in chunks(detach_ids, 2000):
        for link_id, holding_id in conn.execute(select(hp.c.id, hp.c.holding_id)
                                                .where(hp.c.parcel_id.in_(list(chunk))).order_by(hp.c.id)).all():
            trail.delete("holding_parcels", link_id)
            touched.add(holding_id)

    # 3. removed parcels deleted (refused while in use), added ones inserted
    step("Bỏ và thêm thửa đất", 1, 4)
    used = _referenced(conn, to_delete)
    if used:
        shown = ", ".join(f"{'/'.join(map(str, all_ids[i]))} ({what})" for i, what in sorted(used.items())[:10])
        raise RedeliveryRefused(
            f"giao nộp bỏ {len(used)} thửa đang được dùng: {shown}; không áp dụng gì. Xử lý hồ sơ/tài sản "
            "trước, hoặc yêu cầu đơn vị thi công giữ các thửa này / the delivery removes parcels still in use; "
            "nothing applied")
    for pid in to_delete:
        trail.delete("parcels", pid)
    first_id: dict[tuple[str, int, int], int] = {c.key: c.store_ids[0] for c in plan.changes
                                                 if c.store_ids and Kind.REMOVED not in c.kinds}
    new_rows = [i for c in plan.changes for i in
                (c.new_index if Kind.ADDED in c.kinds else c.new_index[len(c.store_ids):])]
    ids = trail.insert_many("parcels", [parcel_row(data.parcels[i]) for i in new_rows])
    for i, pid in zip(new_rows, ids, strict=True):
        first_id.setdefault(data.parcels[i].key, pid)

    # 4. the delivery's holders attached where they changed or the parcel is new
    step("Cập nhật người sử dụng đất", 2, 4)
    attach_keys = {c.key for c in plan.changes if Kind.OWNERS in c.kinds or Kind.ADDED in c.kinds}
    _, _, key_of_party = dataset_holders(data)
    party_id_of: dict[str, int] = {}  # the delivery's party code → stored party id
    for p in data.parties:
        if key_of_party[p.party_id] in holders.party_of:
            party_id_of[p.party_id] = holders.party_of[key_of_party[p.party_id]]
    # land users of unchanged keys are in the store too: found by holder key among the communes
    missing = [p for p in data.parties if p.party_id not in party_id_of]
    if missing:
        everyone = _commune_holders(conn, plan.communes)
        for p in missing:
            pid = everyone.get(key_of_party[p.party_id])
            if pid is not None:
                party_id_of[p.party_id] = pid
    parties_by_code = {p.party_id: p for p in data.parties}
    inserted_parties = 0

    def party(code: str) -> int:
        nonlocal inserted_parties
        if code not in party_id_of:
            p: Party = parties_by_code[code]
            new_id = trail.insert("parties", {**party_row(p), "code": codes("P", code[1:6])})
            for doc in p.documents:
                trail.insert("identity_documents", {
                    "party_id": new_id, "doc_type": doc.doc_type.value if doc.doc_type else None,
                    "number": doc.number, "issue_date": doc.issue_date, "issue_place": doc.issue_place})
            party_id_of[code] = new_id
            inserted_parties += 1
        return party_id_of[code]

    rights_of: dict[str, list] = defaultdict(list)
    for r in data.rights:
        rights_of[r.holding_id].append(r)
    certs_of: dict[str, list] = defaultdict(list)
    for c in data.certificates:
        certs_of[c.holding_id].append(c)
    holdings_added = rights_added = 0
    for h in data.holdings:
        keys = [k for k in dict.fromkeys(h.parcel_keys) if k in attach_keys and k in first_id]
        if not keys:
            continue
        commune = keys[0][0]
        hid = trail.insert("holdings", {"code": codes("H", commune)})
        holdings_added += 1
        trail.insert_many("holding_parcels", [{"holding_id": hid, "parcel_id": pid}
                                              for pid in dict.fromkeys(first_id[k] for k in keys)])
        rights = [{"code": codes("R", commune), "holding_id": hid, "party_id": party(r.party_id),
                   "kind": r.kind.value, "share": r.share,
                   "purpose_codes": "+".join(r.purpose_codes) if r.purpose_codes else None,
                   "term": r.term, "term_end": r.term_end, "origin": r.origin, "form_of_use": r.form_of_use,
                   "asset_id": None} for r in rights_of[h.holding_id]]
        rights_added += len(trail.insert_many("rights", rights))
        trail.insert_many("certificates", [
            {"serial": c.serial, "form": c.form.value, "holding_id": hid, "issue_date": c.issue_date,
             "issuer": c.issuer, "register_entry": c.register_entry} for c in certs_of[h.holding_id]])
    holdings_removed = _drop_orphans(conn, trail, touched)

    # 5. the re-check: the delivery's findings, the conflicts, what is no longer found
    step("Kiểm tra lại các phát hiện", 3, 4)
    code_of = _codes_of(conn, set(party_id_of.values()))
    register_party = {row: code_of[party_id_of[c]] for row, c in links.register_party.items()
                      if c in party_id_of}
    conflicts = _conflict_findings(plan)
    checked = dataclasses.replace(result, findings=pa.concat_tables([result.findings, conflicts]))
    run_id = record_check(conn, checked, actor=actor, source=source, delivery_id=delivery_id,
                          links=RowLinks(register_party=register_party), engine=engine, params=params)
    rules = [r.code for r in result.rules] + [REDELIVERY_CONFLICT]
    closed = close_gone_findings(conn, plan.communes, run_id, rules, actor=actor, delivery_id=delivery_id,
                                 batch_id=batch)
    run_counts = conn.execute(select(s.quality_runs.c.counts).where(s.quality_runs.c.id == run_id)).scalar_one()
    counts = {"kind": REDELIVERY, **plan.counts(), "parcels_updated": len(updates),
              "parcels_deleted": len(to_delete), "parcels_inserted": len(ids),
              "parties_inserted": inserted_parties, "holdings_added": holdings_added,
              "holdings_removed": holdings_removed, "rights_added": rights_added,
              "findings": result.findings.num_rows, "conflicts": conflicts.num_rows,
              "findings_new": run_counts["new"], "findings_closed": closed}
    conn.execute(update(d).where(d.c.id == delivery_id).values(counts=counts))
    step("Hoàn tất", 4, 4)
    return RedeliveryResult(fingerprint=fingerprint, plan=plan, delivery_id=delivery_id, imported_at=now,
                            applied=True, batch_id=batch, run_id=run_id, closed=closed,
                            opened=run_counts["new"], counts=counts,
                            findings_by_rule=checked.count_by_rule())


def _commune_holders(conn: Connection, communes: list[str]) -> dict[tuple[str, str], int]:
    p = s.parcels
    ids: dict[int, tuple[str, int, int]] = {}
    for chunk in chunks(communes, 500):
        for pid, c, a, b in conn.execute(select(p.c.id, p.c.commune_code, p.c.sheet_no, p.c.parcel_no)
                                         .where(p.c.commune_code.in_(list(chunk)))):
            ids[pid] = (c, a, b)
    return read_holders(conn, ids).party_of


def _codes_of(conn: Connection, party_ids: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in chunks(sorted(party_ids), 2000):
        out.update(dict(conn.execute(select(s.parties.c.id, s.parties.c.code)
                                     .where(s.parties.c.id.in_(list(chunk)))).all()))
    return out


def _drop_orphans(conn: Connection, trail: AuditTrail, holding_ids: set[int]) -> int:
    """Delete the holdings left without parcel (with their rights and certificates), unless
    assets, documents or financial obligations hang on them. Returns how many went."""
    if not holding_ids:
        return 0
    hp, r, c = s.holding_parcels, s.rights, s.certificates
    ids = sorted(holding_ids)
    linked = set(conn.execute(select(hp.c.holding_id).where(hp.c.holding_id.in_(ids))).scalars())
    kept = set(conn.execute(select(s.assets.c.holding_id).where(s.assets.c.holding_id.in_(ids))).scalars())
    kept |= set(conn.execute(select(s.source_documents.c.holding_id)
                             .where(s.source_documents.c.holding_id.in_(ids))).scalars())
    kept |= set(conn.execute(select(r.c.holding_id).join(s.financial_obligations,
                                                          s.financial_obligations.c.right_id == r.c.id)
                             .where(r.c.holding_id.in_(ids))).scalars())
    gone = [h for h in ids if h not in linked and h not in kept]
    for h in gone:
        for rid in conn.execute(select(r.c.id).where(r.c.holding_id == h).order_by(r.c.id)).scalars().all():
            trail.delete("rights", rid)
        for cid in conn.execute(select(c.c.id).where(c.c.holding_id == h).order_by(c.c.id)).scalars().all():
            trail.delete("certificates", cid)
        trail.delete("holdings", h)
    return len(gone)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _conflict_findings(plan: Plan) -> pa.Table:
    """One finding per value a person corrected and the delivery brings otherwise: the store's
    (kept) value on its side, the delivery's as the proposal, both in the message."""
    rows = []
    for ch in plan.changes:
        for f in ch.fields:
            if not f.conflict:
                continue
            side = Side.MAP if f.column in MAP_SIDE else Side.REGISTER
            kept, brought = _text(f.old), _text(f.new)
            rows.append({
                "ma_xa": ch.key[0], "so_to": str(ch.key[1]), "so_thua": str(ch.key[2]),
                "ma_loi": REDELIVERY_CONFLICT, "muc_do": Severity.WARNING.value,
                "mo_ta": (f"{DELIVERY_FIELD[f.column]}: giá trị đã sửa trong CSDL «{kept}» khác giá trị giao nộp mới "
                          f"«{brought}» (giao nộp trước: «{_text(f.delivered)}»); giữ giá trị đã sửa, cần cán bộ "
                          "xem xét / a corrected value differs from the new delivery; the corrected value is kept"),
                "gia_tri_ban_do": kept if side == Side.MAP else None,
                "gia_tri_thuoc_tinh": kept if side == Side.REGISTER else None,
                "de_xuat": brought, "doi_tuong": Target.PARCEL.value, "nguon": side.value, "dong": None,
                "truong": FINDING_FIELD[f.column], "sua_tu_dong": None,
            })
    return pa.Table.from_pylist(rows, schema=FINDING_SCHEMA)


def close_gone_findings(conn: Connection, communes: list[str], run_id: int, rules: list[str], *,
                        actor: str, delivery_id: int, batch_id: int) -> int:
    """Close the open findings of ``communes`` that the re-check (``run_id``, which ran ``rules``)
    no longer found. Decisions people made (any status but MO) stay as they are."""
    f = s.findings
    ids: list[int] = []
    for chunk in chunks(communes, 500):
        ids += conn.execute(select(f.c.id).where(
            f.c.commune_code.in_(list(chunk)), f.c.status == Status.OPEN.value, f.c.last_run_id != run_id,
            f.c.rule_code.in_(rules)).order_by(f.c.id)).scalars().all()
    note = (f"không còn thấy khi kiểm tra lại giao nộp #{delivery_id} (lô thay đổi #{batch_id}) / "
            f"no longer found by the re-check of delivery #{delivery_id}")
    _move(conn, ids, Status.OPEN, Status.GONE, actor=actor, note=note, batch_id=batch_id)
    return len(ids)


def _move(conn: Connection, ids: list[int], from_status: Status, to_status: Status, *, actor: str, note: str,
          batch_id: int | None) -> None:
    now = dt.datetime.now(dt.UTC)
    f = s.findings
    for chunk in chunks(ids, 2000):
        conn.execute(update(f).where(f.c.id.in_(list(chunk))).values(status=to_status.value, updated_at=now))
        conn.execute(insert(s.finding_events), [
            {"finding_id": i, "at": now, "actor": actor, "from_status": from_status.value,
             "to_status": to_status.value, "note": note, "audit_batch_id": batch_id} for i in chunk])


# ---------------------------------------------------------------- revert


@dataclass(slots=True)
class RevertResult:
    delivery_id: int
    batch_id: int  # the batch reverted
    revert_batch_id: int
    reopened: int  # findings the re-check had closed, open again
    closed: int  # findings the re-check had opened, closed


def revert_redelivery(conn: Connection, delivery_id: int, *, actor: str, reason: str) -> RevertResult:
    """Undo an applied re-delivery in the caller's transaction (see the module)."""
    d = conn.execute(select(s.deliveries).where(s.deliveries.c.id == delivery_id)).first()
    if d is None:
        raise InvalidInput(f"không có giao nộp #{delivery_id} / no such delivery")
    if (d.counts or {}).get("kind") != REDELIVERY:
        raise InvalidInput(f"giao nộp #{delivery_id} là lần nhập đầu, không phải giao nộp sửa; hoàn tác lần nhập "
                           "đầu chưa hỗ trợ / only a corrected delivery can be reverted here")
    revert_id = revert_batch(conn, d.audit_batch_id, actor=actor, reason=reason)
    f, e = s.findings, s.finding_events
    closed_by = list(conn.execute(select(f.c.id).where(
        f.c.status == Status.GONE.value,
        f.c.id.in_(select(e.c.finding_id).where(e.c.audit_batch_id == d.audit_batch_id,
                                                 e.c.to_status == Status.GONE.value))).order_by(f.c.id)).scalars())
    note = f"hoàn tác giao nộp sửa #{delivery_id}: {reason}"
    _move(conn, closed_by, Status.GONE, Status.OPEN, actor=actor, note=note, batch_id=revert_id)
    runs = select(s.quality_runs.c.id).where(s.quality_runs.c.delivery_id == delivery_id)
    opened_by = list(conn.execute(select(f.c.id).where(f.c.run_id.in_(runs), f.c.status == Status.OPEN.value)
                                  .order_by(f.c.id)).scalars())
    _move(conn, opened_by, Status.OPEN, Status.GONE, actor=actor, note=note, batch_id=revert_id)
    communes = sorted(set(conn.execute(select(s.quality_run_communes.c.commune_code)
                                       .where(s.quality_run_communes.c.run_id.in_(runs))).scalars()))
    _relink(conn, communes)
    return RevertResult(delivery_id, d.audit_batch_id, revert_id, len(closed_by), len(opened_by))


def _relink(conn: Connection, communes: list[str]) -> None:
    """Findings whose parcel a re-delivery deleted lost their link (SET NULL); the revert brought the
    parcel back: link them again by key (the first parcel of the key)."""
    f, p = s.findings, s.parcels
    first = (select(func.min(p.c.id)).where(p.c.commune_code == f.c.commune_code,
                                            cast(p.c.sheet_no, String) == f.c.sheet_no,
                                            cast(p.c.parcel_no, String) == f.c.parcel_no)
             .scalar_subquery())
    for chunk in chunks(communes, 500):
        conn.execute(update(f).where(f.c.parcel_id.is_(None), f.c.target == Target.PARCEL.value,
                                     f.c.commune_code.in_(list(chunk))).values(parcel_id=first))
