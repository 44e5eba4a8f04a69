"""Dossiers (hồ sơ thủ tục hành chính): creation, transitions, the legal clock, the population check.

Every function works in the caller's transaction and wraps its writes in a savepoint, so a refused
request leaves nothing behind even if the caller goes on and commits. A transition changes the
``dossiers`` row through the audit trail (one batch, source ``dossier <code>``; on approval the
result applied to the land data is in the same batch) and adds a row to ``dossier_events``.
"""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from datdai.db.audit import AuditTrail
from datdai.db.schema import citizens, dossier_events, dossier_pauses, dossiers, parcels, parties
from datdai.dossiers import lifecycle as lc
from datdai.dossiers.apply_result import apply_result
from datdai.dossiers.calendar import default_calendar
from datdai.dossiers.catalog import service_limit
from datdai.dossiers.errors import Conflict, InvalidInput, NotFound, RoleNotAllowed
from datdai.dossiers.lifecycle import Channel, Role, State, Step
from datdai.dossiers.notifications import notify_state_change
from datdai.dossiers.registry import get_service
from datdai.kernel.text import control_characters
from datdai.land.ownership import citizen_parcel_ids, number_param


def _calendar(calendar):
    if calendar is not None:
        return calendar

    return default_calendar()


@dataclass(frozen=True)
class Dossier:
    id: int
    code: str
    service_code: str
    channel: str
    applicant_party_id: int | None
    applicant_personal_number: str | None
    applicant_name: str
    parcel_id: int | None
    commune_code: str | None
    disadvantaged: bool
    state: State
    step: str | None
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_date: dt.date | None
    finished_at: dt.datetime | None
    result: str | None
    timeliness: str | None
    reject_reason: str | None
    idempotency_key: str | None
    notary_contract_no: str | None
    payload: dict
    population_check: dict | None
    created_by: str

    @classmethod
    def from_row(cls, r) -> Dossier:
        m = dict(r._mapping)
        m["state"] = State(m["state"])
        m["payload"] = m["payload"] or {}
        for k in ("submitted_at", "received_at", "finished_at"):
            if m[k] is not None:
                m[k] = lc.utc(m[k])
        return cls(**m)


@dataclass(frozen=True)
class Event:
    from_state: str | None
    to_state: str
    step: str | None
    actor: str
    role: str
    at: dt.datetime
    reason: str | None
    audit_batch_id: int | None


def get_dossier(conn: Connection, dossier: int | str) -> Dossier:
    """A dossier by id or by code."""
    col = dossiers.c.id if isinstance(dossier, int) else dossiers.c.code
    r = conn.execute(select(dossiers).where(col == dossier)).first()
    if r is None:
        raise NotFound(f"không có hồ sơ {dossier} / no such dossier")
    return Dossier.from_row(r)


def events(conn: Connection, dossier_id: int) -> list[Event]:
    q = (select(dossier_events).where(dossier_events.c.dossier_id == dossier_id)
         .order_by(dossier_events.c.id))
    return [Event(r.from_state, r.to_state, r.step, r.actor, r.role, lc.utc(r.at), r.reason, r.audit_batch_id)
            for r in conn.execute(q)]


def pauses(conn: Connection, dossier_id: int) -> list[tuple[str, dt.date, dt.date | None]]:
    """(kind, paused_from, paused_to) of a dossier, in order."""
    q = (select(dossier_pauses.c.kind, dossier_pauses.c.paused_from, dossier_pauses.c.paused_to)
         .where(dossier_pauses.c.dossier_id == dossier_id).order_by(dossier_pauses.c.id))
    return [tuple(r) for r in conn.execute(q)]


def _norm(value: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", value or "").casefold().split())


def _new_code(at: dt.datetime) -> str:
    return f"HS-{lc.local_date(at):%Y%m%d}-{secrets.token_hex(4).upper()}"


def create_dossier(
    conn: Connection,
    *,
    service_code: str,
    applicant_name: str,
    actor: str,
    role: str = Role.CLERK,
    channel: str = Channel.TRUC_TIEP,
    applicant_personal_number: str | None = None,
    applicant_party_id: int | None = None,
    parcel_id: int | None = None,
    disadvantaged: bool = False,
    payload: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    notary_contract_no: str | None = None,
    citizen_number: str | None = None,
    code: str | None = None,
    at: dt.datetime | None = None,
) -> tuple[Dossier, bool]:
    """Submit a dossier (state DA_NOP). Returns (dossier, created).

    The same ``idempotency_key`` returns the dossier it created the first time, with
    ``created=False``, whatever else is sent. A repeated ``notary_contract_no`` is a
    :class:`Conflict`. A ``parcel_id`` that does not exist is :class:`NotFound`; nothing is written.
    A citizen (role ``cong_dan``) files only for themself: ``citizen_number`` must be the
    applicant's personal number; and only for a parcel they hold through a verified link
    (``store/ownership.py``), unless the procedure allows others (``non_holders_may_file`` in the
    catalog).
    """
    role = lc.parse_role(role)
    if role not in lc.SUBMIT_ROLES:
        raise RoleNotAllowed(f"vai trò {role} không được nộp hồ sơ / role may not submit a dossier")
    if idempotency_key is not None:
        if not idempotency_key.strip() or len(idempotency_key) > 200:
            raise InvalidInput("Idempotency-Key không hợp lệ (1–200 ký tự) / invalid idempotency key")
        found = conn.execute(select(dossiers).where(dossiers.c.idempotency_key == idempotency_key)).first()
        if found is not None:
            return Dossier.from_row(found), False
    try:
        channel = Channel(channel)
    except ValueError:
        raise InvalidInput(f"kênh nộp không hợp lệ: {channel!r} (ONLINE / TRUC_TIEP) / invalid channel") from None
    applicant_name = unicodedata.normalize("NFC", (applicant_name or "").strip())
    if not applicant_name:
        raise InvalidInput("thiếu tên người nộp / the applicant's name is required")
    if bad := control_characters(applicant_name):
        error = InvalidInput(f"tên người nộp chứa ký tự điều khiển {', '.join(bad[:5])} / the applicant's "
                             "name holds control characters")
        error.field = "applicant_name"
        raise error
    if applicant_personal_number is not None and not (
            len(applicant_personal_number) == 12 and applicant_personal_number.isdigit()):
        raise InvalidInput(f"số định danh cá nhân phải gồm 12 chữ số: {applicant_personal_number!r} / "
                           "a personal number has 12 digits")
    if role == Role.CITIZEN and (not citizen_number or citizen_number != applicant_personal_number):
        raise RoleNotAllowed("công dân chỉ nộp hồ sơ của chính mình / a citizen files only their own dossier")
    service = get_service(conn, service_code)
    commune_code = None
    if parcel_id is not None:
        p = conn.execute(select(parcels.c.commune_code).where(parcels.c.id == parcel_id)).first()
        if p is None:
            raise NotFound(f"không có thửa đất #{parcel_id} / no such parcel")
        commune_code = p.commune_code
        if role == Role.CITIZEN and not service.non_holders_may_file:
            held = conn.execute(select(literal(1)).where(literal(parcel_id).in_(
                citizen_parcel_ids(number_param()))), {"number": citizen_number}).first()
            if held is None:
                raise RoleNotAllowed(
                    f"công dân chỉ nộp hồ sơ {service.code} cho thửa đất mình có quyền qua số định danh đã xác "
                    f"thực; thửa #{parcel_id} không phải / a citizen files this procedure only for a parcel they "
                    "hold through a verified personal number")
    if applicant_party_id is not None:
        if conn.execute(select(parties.c.id).where(parties.c.id == applicant_party_id)).first() is None:
            raise NotFound(f"không có người sử dụng đất #{applicant_party_id} / no such party")
    elif applicant_personal_number is not None:
        ids = list(conn.execute(select(parties.c.id).where(
            parties.c.personal_number == applicant_personal_number)).scalars())
        if len(ids) == 1:
            applicant_party_id = ids[0]
    if notary_contract_no is not None:
        dup = conn.execute(select(dossiers.c.code).where(dossiers.c.notary_contract_no == notary_contract_no)).first()
        if dup is not None:
            raise Conflict(f"hợp đồng công chứng {notary_contract_no} đã có hồ sơ {dup.code} / "
                           "a dossier exists for this notarised contract")
    at = lc.utc(at)
    values = {
        "code": code or _new_code(at), "service_code": service.code, "channel": str(channel),
        "applicant_party_id": applicant_party_id, "applicant_personal_number": applicant_personal_number,
        "applicant_name": applicant_name, "parcel_id": parcel_id, "commune_code": commune_code,
        "disadvantaged": bool(disadvantaged), "state": str(State.DA_NOP), "step": None,
        "submitted_at": at, "received_at": None, "due_date": None, "finished_at": None, "result": None,
        "timeliness": None, "reject_reason": None, "idempotency_key": idempotency_key,
        "notary_contract_no": notary_contract_no, "payload": payload or {}, "population_check": None,
        "created_by": actor,
    }
    try:
        with conn.begin_nested():
            trail = AuditTrail(conn, actor=actor, source=f"dossier {values['code']}",
                               reason=f"nộp hồ sơ {service.code} ({channel})")
            dossier_id = trail.insert("dossiers", values)
            conn.execute(insert(dossier_events).values(
                dossier_id=dossier_id, from_state=None, to_state=str(State.DA_NOP), step=None, actor=actor,
                role=str(role), at=at, reason=None, audit_batch_id=trail.batch_id))
            # the applicant is told (e-mail / SMS through the outbox), in this transaction
            notify_state_change(conn, get_dossier(conn, dossier_id), change_key=str(trail.batch_id), at=at)
    except IntegrityError:
        # a concurrent request with the same key won the race: theirs is the dossier
        if idempotency_key is not None:
            found = conn.execute(select(dossiers).where(dossiers.c.idempotency_key == idempotency_key)).first()
            if found is not None:
                return Dossier.from_row(found), False
        raise Conflict("hồ sơ trùng mã hoặc trùng hợp đồng công chứng / duplicate dossier") from None
    return get_dossier(conn, dossier_id), True


def service_limit_for(conn: Connection, d: Dossier) -> int:
    return service_limit(get_service(conn, d.service_code), d.disadvantaged)


def check_applicant(conn: Connection, d: Dossier, at: dt.datetime) -> dict[str, Any]:
    """The applicant against the population register (``citizens``) and the land record (parties).

    ``result``: KHOP (the number is in the register with the same name), LECH_TEN (found, another
    name), KHONG_CO_TRONG_DAN_CU (not in the register extract), KHONG_CO_SO_DINH_DANH (none given).
    """
    number = d.applicant_personal_number
    out: dict[str, Any] = {"checked_at": at.isoformat(), "personal_number": number}
    if not number:
        out.update(result="KHONG_CO_SO_DINH_DANH", citizen_found=False, party_ids=[])
        return out
    citizen = conn.execute(select(citizens.c.ho_ten, citizens.c.ngay_sinh)
                           .where(citizens.c.so_dinh_danh == number)).first()
    party_ids = list(conn.execute(select(parties.c.id).where(parties.c.personal_number == number)
                                  .order_by(parties.c.id)).scalars())
    if d.applicant_party_id is not None and d.applicant_party_id not in party_ids:
        party_ids.append(d.applicant_party_id)
    out["party_ids"] = party_ids
    out["citizen_found"] = citizen is not None
    if citizen is None:
        out["result"] = "KHONG_CO_TRONG_DAN_CU"
    else:
        out["register_name"] = citizen.ho_ten
        out["result"] = "KHOP" if _norm(citizen.ho_ten) == _norm(d.applicant_name) else "LECH_TEN"
    return out


def transition(
    conn: Connection,
    dossier: int | str,
    to_state: str,
    *,
    actor: str,
    role: str,
    reason: str | None = None,
    step: str | None = None,
    at: dt.datetime | None = None,
    citizen_number: str | None = None,
    payload: dict[str, Any] | None = None,
    calendar=None,
) -> Dossier:
    """Move a dossier to ``to_state`` (or, DANG_XU_LY → DANG_XU_LY, to the next ``step``).

    Refused with a :class:`~datdai.dossiers.errors.DossierError` (nothing changed) when the
    transition is not allowed from the current state (409), the role may not make it (403), or a
    required reason is missing (422). ``payload`` (e.g. the new holders of a transfer) is merged
    into the dossier's payload before the result is applied on approval.
    """
    target = lc.parse_state(to_state)
    role = lc.parse_role(role)
    d = get_dossier(conn, dossier)
    # PostgreSQL: lock the row, so two concurrent transitions of one dossier run one after the other
    conn.execute(select(dossiers.c.id).where(dossiers.c.id == d.id).with_for_update())
    d = get_dossier(conn, d.id)
    lc.check_transition(d.state, target, role, reason)
    if role == Role.CITIZEN and (not citizen_number or citizen_number != d.applicant_personal_number):
        raise RoleNotAllowed("công dân chỉ thao tác trên hồ sơ của chính mình / a citizen acts only on their own dossier")
    if step is not None:
        valid_steps = set(Step) | {s.code for s in get_service(conn, d.service_code).steps}
        if step not in valid_steps:
            raise InvalidInput(f"bước xử lý không hợp lệ: {step!r} / unknown step")
        if target != State.DANG_XU_LY:
            raise InvalidInput("chỉ trạng thái DANG_XU_LY có bước xử lý / only DANG_XU_LY has steps")
    if d.state == target == State.DANG_XU_LY and (step is None or step == d.step):
        raise InvalidInput("chuyển bước cần một bước khác bước hiện tại / give the next step")
    at = lc.utc(at)
    today = lc.local_date(at)
    cal = _calendar(calendar)
    changes: dict[str, Any] = {"state": str(target)}
    if payload:
        changes["payload"] = {**d.payload, **payload}
    if target == State.DANG_XU_LY:
        changes["step"] = step or d.step or str(Step.KIEM_TRA_DAN_CU)
    elif target in lc.PAUSE_STATES:
        changes["step"] = d.step  # kept: processing resumes in the step it stopped in
    else:
        changes["step"] = None

    with conn.begin_nested():
        trail = AuditTrail(conn, actor=actor, source=f"dossier {d.code}",
                           reason=reason or f"chuyển trạng thái {d.state} → {target}")
        if d.state in lc.PAUSE_STATES:  # the clock restarts (or the dossier ends while paused)
            conn.execute(update(dossier_pauses)
                         .where((dossier_pauses.c.dossier_id == d.id) & dossier_pauses.c.paused_to.is_(None))
                         .values(paused_to=today))
        if target in lc.PAUSE_STATES:
            conn.execute(insert(dossier_pauses).values(dossier_id=d.id, kind=str(lc.PAUSE_STATES[target]),
                                                       paused_from=today, paused_to=None, reason=reason))
        received = lc.local_date(d.received_at) if d.received_at is not None else None
        if target == State.DA_TIEP_NHAN:
            received = today
            changes["received_at"] = at
        if received is not None and (target == State.DA_TIEP_NHAN or d.state in lc.PAUSE_STATES):
            stored = [(f, t) for _, f, t in pauses(conn, d.id)]
            changes["due_date"] = lc.compute_due(cal, received, service_limit_for(conn, d), stored)
        if target in lc.FINAL_STATES:
            changes["finished_at"] = at
            changes["result"] = str(target)
            due = changes.get("due_date", d.due_date)
            if received is not None and due is not None and target != State.RUT:
                changes["timeliness"] = str(lc.timeliness(due, today))
        if target == State.TU_CHOI:
            changes["reject_reason"] = reason.strip()
        if changes.get("step") == Step.KIEM_TRA_DAN_CU and d.step != Step.KIEM_TRA_DAN_CU:
            changes["population_check"] = check_applicant(conn, d, at)
        trail.update("dossiers", d.id, changes)
        conn.execute(insert(dossier_events).values(
            dossier_id=d.id, from_state=str(d.state), to_state=str(target), step=changes.get("step"),
            actor=actor, role=str(role), at=at, reason=reason, audit_batch_id=trail.batch_id))
        if target == State.DA_PHE_DUYET:
            apply_result(conn, trail, get_dossier(conn, d.id))
        if target != d.state:  # a change of state (not the next step): the applicant is told
            notify_state_change(conn, get_dossier(conn, d.id), change_key=str(trail.batch_id), reason=reason,
                                at=at)
    return get_dossier(conn, d.id)


def is_overdue_now(conn: Connection, d: Dossier, today: dt.date, calendar=None) -> bool:
    """Whether an open dossier is past its deadline on ``today`` (pauses not counted)."""
    received = lc.local_date(d.received_at) if d.received_at is not None else None
    return lc.overdue_now(_calendar(calendar), state=d.state, received=received,
                          limit_days=service_limit_for(conn, d),
                          pauses=[(f, t) for _, f, t in pauses(conn, d.id)], today=today)
