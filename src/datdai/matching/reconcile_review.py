"""The review of reconciliation results: the queue of open cases, and a person's decision.

A case shows the land record (party, documents, parcel) beside each candidate's record in the
population extract (``citizens``). Personal numbers and birth dates are masked unless the
caller asks otherwise (``mask=False``, for a person entitled to see them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, func, insert, select, update

from datdai.access.masking import mask_birth, mask_id_numbers, mask_number
from datdai.db import schema as s
from datdai.land.repository import chunks
from datdai.matching.reconcile_results import (
    IN_REVIEW,
    Decision,
    ReconcileError,
    ResultStatus,
    _now,
    split_codes,
)

# --------------------------------------------------------------- masking


def _shown(hide, value, mask: bool):
    """``hide(value)`` when ``mask``, else the full value (a role that needs it)."""
    return hide(value) if mask else value


def _birth_text(birth_date: dt.date | None, birth_year: int | None) -> str | None:
    if birth_date is not None:
        return birth_date.strftime("%d/%m/%Y")
    return f"{birth_year:04d}" if birth_year is not None else None


# --------------------------------------------------------------- the queue


@dataclass(slots=True)
class LandRecord:
    party_id: int | None
    party_code: str | None
    kind: str | None
    full_name: str | None
    birth: str | None  # dd/mm/yyyy or yyyy (masked: the year)
    gender: str | None
    personal_number: str | None
    documents: list[tuple[str | None, str]]  # (type, number)
    address: str | None
    parcel_id: int | None
    commune_code: str | None
    sheet_no: int | None
    parcel_no: int | None


@dataclass(slots=True)
class CandidateRecord:
    so_dinh_danh: str  # masked unless mask=False
    rank: int  # 1 = best
    found: bool  # False: the number is not in the population extract held by the store
    ho_ten: str | None = None
    so_cmnd: str | None = None
    ngay_sinh: str | None = None
    gioi_tinh: str | None = None
    thuong_tru: str | None = None
    noi_o_hien_tai: str | None = None
    # why the matcher proposed it: {xac_suat, trong_so, truong: {field: [level, bits]}}; None for
    # results returned by C06 or candidates of the ID stages alone
    evidence: dict | None = None


@dataclass(slots=True)
class ReviewCase:
    result_id: int
    run_id: int
    ma_dong: str
    ket_qua: str
    status: str
    diem: float | None
    reasons: list[str]
    review_reason: str | None
    decision: str | None
    decided_by: str | None
    land: LandRecord
    candidates: list[CandidateRecord] = field(default_factory=list)


def latest_runs_by_party():
    """Subquery: each party's latest run (the run that covers it now)."""
    r = s.reconcile_results
    return (select(r.c.party_id, func.max(r.c.run_id).label("run_id"))
            .where(r.c.party_id.is_not(None)).group_by(r.c.party_id).subquery("latest"))


def review_queue(conn: Connection, *, run_id: int | None = None, commune_code: str | None = None,
                 limit: int | None = 50, offset: int = 0, mask: bool = True) -> list[ReviewCase]:
    """The open cases (status MO, then postponed HOAN), by commune and row.

    ``run_id`` None: the cases of each party's latest run (a later run supersedes an earlier one).
    """
    r, p, q = s.reconcile_results, s.parties, s.parcels
    stmt = (select(r, p.c.code.label("p_code"), p.c.kind.label("p_kind"), p.c.full_name.label("p_name"),
                   p.c.birth_date.label("p_birth_date"), p.c.birth_year.label("p_birth_year"),
                   p.c.gender.label("p_gender"), p.c.personal_number.label("p_number"),
                   p.c.address.label("p_address"), q.c.sheet_no, q.c.parcel_no)
            .select_from(r.outerjoin(p, p.c.id == r.c.party_id).outerjoin(q, q.c.id == r.c.parcel_id))
            .where(r.c.status.in_(IN_REVIEW)))
    if run_id is not None:
        stmt = stmt.where(r.c.run_id == run_id)
    else:
        latest = latest_runs_by_party()
        stmt = stmt.join(latest, and_(latest.c.party_id == r.c.party_id, latest.c.run_id == r.c.run_id))
    if commune_code:
        stmt = stmt.where(r.c.commune_code == commune_code)
    stmt = stmt.order_by((r.c.status == ResultStatus.POSTPONED.value), r.c.commune_code, r.c.run_id,
                         r.c.ma_dong).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = conn.execute(stmt).all()
    if not rows:
        return []

    docs: dict[int, list[tuple[str | None, str]]] = defaultdict(list)
    party_ids = sorted({x.party_id for x in rows if x.party_id is not None})
    d = s.identity_documents
    for chunk in chunks(party_ids):
        for x in conn.execute(select(d.c.party_id, d.c.doc_type, d.c.number)
                              .where(d.c.party_id.in_(list(chunk))).order_by(d.c.id)):
            docs[x.party_id].append((x.doc_type, _shown(mask_number, x.number, mask)))
    numbers = sorted({n for x in rows for n in split_codes(x.candidates)})
    c = s.citizens
    citizens = {}
    for chunk in chunks(numbers):
        for x in conn.execute(select(c).where(c.c.so_dinh_danh.in_(list(chunk)))):
            citizens[x.so_dinh_danh] = x

    out = []
    for x in rows:
        evidence = {e.get("so_dinh_danh"): e for e in (x.evidence or []) if isinstance(e, dict)}
        land = LandRecord(
            party_id=x.party_id, party_code=x.p_code, kind=x.p_kind, full_name=x.p_name,
            birth=_shown(mask_birth, _birth_text(x.p_birth_date, x.p_birth_year), mask), gender=x.p_gender,
            personal_number=_shown(mask_number, x.p_number, mask), documents=docs.get(x.party_id, []),
            address=x.p_address, parcel_id=x.parcel_id, commune_code=x.commune_code,
            sheet_no=x.sheet_no, parcel_no=x.parcel_no)
        cands = []
        for rank, n in enumerate(split_codes(x.candidates), start=1):
            z = citizens.get(n)
            why = _evidence(evidence.get(n))
            if z is None:
                cands.append(CandidateRecord(so_dinh_danh=_shown(mask_number, n, mask), rank=rank, found=False,
                                             evidence=why))
            else:
                cands.append(CandidateRecord(
                    so_dinh_danh=_shown(mask_number, n, mask), rank=rank, found=True, ho_ten=z.ho_ten,
                    so_cmnd=_shown(mask_number, z.so_cmnd, mask), ngay_sinh=_shown(mask_birth, z.ngay_sinh, mask),
                    gioi_tinh=z.gioi_tinh, thuong_tru=z.thuong_tru, noi_o_hien_tai=z.noi_o_hien_tai,
                    evidence=why))
        out.append(ReviewCase(
            result_id=x.id, run_id=x.run_id, ma_dong=x.ma_dong, ket_qua=x.ket_qua, status=x.status,
            diem=x.diem, reasons=split_codes(x.ly_do), review_reason=x.review_reason,
            decision=x.decision, decided_by=x.decided_by, land=land, candidates=cands))
    return out


def _evidence(item: dict | None) -> dict | None:
    """A candidate's stored evidence without its number (the case shows the number, masked)."""
    if not item:
        return None
    return {"xac_suat": item.get("xac_suat"), "trong_so": item.get("trong_so"),
            "truong": item.get("truong") or {}}


# --------------------------------------------------------------- a decision


def record_event(conn: Connection, result_id: int, *, actor: str, from_status: str | None, to_status: str,
                 reason: str | None, at: dt.datetime, decision: str | None = None,
                 chosen_number: str | None = None, batch_id: int | None = None) -> None:
    conn.execute(insert(s.reconcile_decision_events), {
        "result_id": result_id, "at": at, "actor": actor, "from_status": from_status,
        "to_status": to_status, "decision": decision, "chosen_number": chosen_number,
        "reason": reason, "audit_batch_id": batch_id})


def decision_events(conn: Connection, result_id: int) -> list:
    e = s.reconcile_decision_events
    return conn.execute(select(e).where(e.c.result_id == result_id).order_by(e.c.id)).all()


def decide(conn: Connection, result_id: int, *, decision: str, chosen_number: str | None = None,
           reason: str, actor: str) -> str:
    """A person's decision on a case; returns the result's new status.

    ``CHON`` picks one of the listed candidates (``chosen_number``: the number, or its rank
    1, 2, …, in the list); ``KHONG_KHOP``: none of them; ``HOAN``: decide later. A reason is
    mandatory. Re-deciding is allowed until the result is applied (undo the application first).
    """
    try:
        d = Decision((decision or "").strip().upper())
    except ValueError:
        raise ReconcileError(f"quyết định không hợp lệ '{decision}' (CHON, KHONG_KHOP, HOAN)") from None
    reason = (reason or "").strip()
    if not reason:
        raise ReconcileError("cần ghi lý do quyết định / a reason is required")
    if not (actor or "").strip():
        raise ReconcileError("cần người quyết định / actor required")
    r = s.reconcile_results
    row = conn.execute(select(r).where(r.c.id == result_id)).first()
    if row is None:
        raise ReconcileError(f"không có kết quả đối soát #{result_id} / no such result")
    if row.status == ResultStatus.APPLIED.value:
        raise ReconcileError(f"kết quả #{result_id} đã được áp dụng vào dữ liệu: hoàn tác lần áp dụng trước "
                             "khi quyết định lại / already applied: undo the application first")
    if row.status not in IN_REVIEW and row.decision is None:
        raise ReconcileError(f"kết quả #{result_id} ({row.ket_qua}) không chờ xác minh / not a case for review")
    number = None
    if d == Decision.CHOOSE:
        candidates = split_codes(row.candidates)
        given = (chosen_number or "").strip().replace(" ", "").replace(".", "")
        if not given:
            raise ReconcileError("CHON cần số định danh được chọn / CHON needs the chosen number")
        if given.isdigit() and len(given) <= 2 and 1 <= int(given) <= len(candidates):
            number = candidates[int(given) - 1]
        elif given in candidates:
            number = given
        else:
            raise ReconcileError(f"số '{mask_id_numbers(given)}' không nằm trong các ứng viên của kết quả "
                                 f"#{result_id} / not one of the listed candidates")
    elif chosen_number:
        raise ReconcileError("chỉ ghi số định danh với quyết định CHON / a number goes with CHON only")
    to_status = {Decision.CHOOSE: ResultStatus.READY, Decision.NO_MATCH: ResultStatus.CLOSED,
                 Decision.POSTPONE: ResultStatus.POSTPONED}[d].value
    now = _now()
    conn.execute(update(r).where(r.c.id == result_id).values(
        decision=d.value, chosen_number=number, decided_by=actor, decided_at=now, decision_reason=reason,
        status=to_status))
    record_event(conn, result_id, actor=actor, from_status=row.status, to_status=to_status, reason=reason,
                 at=now, decision=d.value, chosen_number=number)
    return to_status
