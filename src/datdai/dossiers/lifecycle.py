"""The dossier lifecycle as data: states, roles, the allowed transitions, and the legal clock.

::

    DA_NOP ─► DA_TIEP_NHAN ─► DANG_XU_LY (steps) ─► CHO_PHE_DUYET ─► DA_PHE_DUYET ─► DA_TRA_KET_QUA
                   │  ▲            │  ▲   ▲                │
                   ▼  │            ▼  │   │                ▼
              YEU_CAU_BO_SUNG ◄────┘  │  CHO_NOP_THUE    TU_CHOI (with a reason)
                   (clock stops)      └── (clock stops)   RUT (withdrawn) from any open state

The legal clock: the deadline is the ``limit``-th working day after the day of receipt (the day of
receipt does not count), by the working-day calendar. A pause (supplement requested, waiting for
tax payment) started on day *s* and ended on day *e* stops the clock for the days *s+1 … e*: the
day the request is made is a day the office worked, the day the applicant comes back counts like a
day of receipt, i.e. not. So the deadline moves by ``working_days_between(s, e)`` working days.

Pure functions and constants; no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import StrEnum

from datdai.dossiers.errors import InvalidInput, RoleNotAllowed, TransitionNotAllowed

VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")  # Vietnam: UTC+7, no daylight saving


class State(StrEnum):
    DA_NOP = "DA_NOP"  # submitted
    DA_TIEP_NHAN = "DA_TIEP_NHAN"  # received (the legal clock starts)
    DANG_XU_LY = "DANG_XU_LY"  # processing, in a step
    YEU_CAU_BO_SUNG = "YEU_CAU_BO_SUNG"  # supplement requested: clock stopped
    CHO_NOP_THUE = "CHO_NOP_THUE"  # waiting for tax payment: clock stopped
    CHO_PHE_DUYET = "CHO_PHE_DUYET"  # waiting for approval
    DA_PHE_DUYET = "DA_PHE_DUYET"  # approved: the result is applied to the land data
    DA_TRA_KET_QUA = "DA_TRA_KET_QUA"  # result returned
    TU_CHOI = "TU_CHOI"  # rejected, with a reason
    RUT = "RUT"  # withdrawn by the applicant


class Role(StrEnum):
    ADMIN = "admin"
    DATA_OFFICER = "can_bo_du_lieu"
    CLERK = "mot_cua"  # one-stop desk
    MANAGER = "lanh_dao"
    CITIZEN = "cong_dan"  # the applicant: submit, withdraw, resubmit their own
    TAX = "he_thong_thue"
    NOTARY = "he_thong_cong_chung"


class Step(StrEnum):
    KIEM_TRA_DAN_CU = "KIEM_TRA_DAN_CU"  # applicant checked against the population register
    KIEM_TRA_THUC_DIA = "KIEM_TRA_THUC_DIA"  # field check
    CHUYEN_THUE = "CHUYEN_THUE"  # referral to the tax authority


class Timeliness(StrEnum):
    SOM_HAN = "SOM_HAN"  # returned before the due date
    DUNG_HAN = "DUNG_HAN"  # on the due date
    QUA_HAN = "QUA_HAN"  # after it


class PauseKind(StrEnum):
    BO_SUNG = "BO_SUNG"
    CHO_THUE = "CHO_THUE"


class Channel(StrEnum):
    ONLINE = "ONLINE"
    TRUC_TIEP = "TRUC_TIEP"


S, R = State, Role
_OFFICE = {R.ADMIN, R.DATA_OFFICER, R.CLERK}
_WITHDRAW = {R.ADMIN, R.CLERK, R.CITIZEN}

# (from, to) -> the roles that may make it. Anything else is refused.
TRANSITIONS: dict[tuple[State, State], frozenset[Role]] = {
    (S.DA_NOP, S.DA_TIEP_NHAN): frozenset({R.ADMIN, R.CLERK}),
    (S.DA_NOP, S.TU_CHOI): frozenset({R.ADMIN, R.CLERK}),
    (S.DA_TIEP_NHAN, S.DANG_XU_LY): frozenset(_OFFICE),
    (S.DA_TIEP_NHAN, S.YEU_CAU_BO_SUNG): frozenset(_OFFICE),
    (S.DA_TIEP_NHAN, S.TU_CHOI): frozenset({R.ADMIN, R.CLERK, R.MANAGER}),
    (S.DANG_XU_LY, S.DANG_XU_LY): frozenset({R.ADMIN, R.DATA_OFFICER}),  # next step
    (S.DANG_XU_LY, S.YEU_CAU_BO_SUNG): frozenset(_OFFICE),
    (S.DANG_XU_LY, S.CHO_NOP_THUE): frozenset({R.ADMIN, R.DATA_OFFICER, R.TAX}),  # tax notice issued
    (S.DANG_XU_LY, S.CHO_PHE_DUYET): frozenset({R.ADMIN, R.DATA_OFFICER}),
    (S.DANG_XU_LY, S.TU_CHOI): frozenset({R.ADMIN, R.MANAGER}),
    (S.YEU_CAU_BO_SUNG, S.DANG_XU_LY): frozenset({R.ADMIN, R.CLERK, R.CITIZEN}),  # resubmitted
    (S.CHO_NOP_THUE, S.DANG_XU_LY): frozenset({R.ADMIN, R.DATA_OFFICER, R.TAX}),  # payment confirmed
    (S.CHO_PHE_DUYET, S.DA_PHE_DUYET): frozenset({R.ADMIN, R.MANAGER}),
    (S.CHO_PHE_DUYET, S.DANG_XU_LY): frozenset({R.ADMIN, R.MANAGER}),  # sent back
    (S.CHO_PHE_DUYET, S.TU_CHOI): frozenset({R.ADMIN, R.MANAGER}),
    (S.DA_PHE_DUYET, S.DA_TRA_KET_QUA): frozenset({R.ADMIN, R.CLERK}),
    **{(s, S.RUT): frozenset(_WITHDRAW) for s in (
        S.DA_NOP, S.DA_TIEP_NHAN, S.DANG_XU_LY, S.YEU_CAU_BO_SUNG, S.CHO_NOP_THUE, S.CHO_PHE_DUYET)},
}

# Roles that may submit (create) a dossier.
SUBMIT_ROLES = frozenset({R.ADMIN, R.CLERK, R.CITIZEN, R.NOTARY})

PAUSE_STATES: dict[State, PauseKind] = {S.YEU_CAU_BO_SUNG: PauseKind.BO_SUNG, S.CHO_NOP_THUE: PauseKind.CHO_THUE}
FINAL_STATES = frozenset({S.DA_TRA_KET_QUA, S.TU_CHOI, S.RUT})
REASON_REQUIRED = {
    (S.DA_NOP, S.TU_CHOI), (S.DA_TIEP_NHAN, S.TU_CHOI), (S.DANG_XU_LY, S.TU_CHOI), (S.CHO_PHE_DUYET, S.TU_CHOI),
    (S.DA_TIEP_NHAN, S.YEU_CAU_BO_SUNG), (S.DANG_XU_LY, S.YEU_CAU_BO_SUNG), (S.CHO_PHE_DUYET, S.DANG_XU_LY),
}

STATE_LABELS = {
    S.DA_NOP: "Đã nộp", S.DA_TIEP_NHAN: "Đã tiếp nhận", S.DANG_XU_LY: "Đang xử lý",
    S.YEU_CAU_BO_SUNG: "Yêu cầu bổ sung", S.CHO_NOP_THUE: "Chờ nộp thuế", S.CHO_PHE_DUYET: "Chờ phê duyệt",
    S.DA_PHE_DUYET: "Đã phê duyệt", S.DA_TRA_KET_QUA: "Đã trả kết quả", S.TU_CHOI: "Từ chối", S.RUT: "Rút hồ sơ",
}


def parse_state(value: str) -> State:
    try:
        return State(value)
    except ValueError:
        raise InvalidInput(f"trạng thái không hợp lệ: {value!r} / unknown state; "
                           f"một trong {', '.join(State)}") from None


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(f"vai trò không hợp lệ: {value!r} / unknown role") from None


def check_transition(current: State, target: State, role: Role, reason: str | None = None) -> None:
    """Raise unless ``role`` may move a dossier from ``current`` to ``target``."""
    roles = TRANSITIONS.get((current, target))
    if roles is None:
        allowed = sorted(t for (f, t) in TRANSITIONS if f == current)
        raise TransitionNotAllowed(
            f"không được chuyển hồ sơ từ '{STATE_LABELS[current]}' ({current}) sang "
            f"'{STATE_LABELS[target]}' ({target}) / transition not allowed; "
            f"được phép / allowed: {', '.join(allowed) or 'không có / none'}")
    if role not in roles:
        raise RoleNotAllowed(
            f"vai trò {role} không được chuyển hồ sơ từ {current} sang {target} / role not allowed; "
            f"vai trò được phép / allowed roles: {', '.join(sorted(roles))}")
    if (current, target) in REASON_REQUIRED and not (reason and reason.strip()):
        raise InvalidInput(f"chuyển từ {current} sang {target} cần ghi lý do / a reason is required")


# ---------------------------------------------------------------- the legal clock

def utc(at: dt.datetime | None) -> dt.datetime:
    """``at`` as an aware UTC datetime (now when None; a naive value is taken as UTC)."""
    if at is None:
        return dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        return at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC)


def local_date(at: dt.datetime) -> dt.date:
    """The day in Vietnam of an instant (naive = UTC, as SQLite gives stored values back)."""
    return utc(at).astimezone(VN_TZ).date()


def calendar_pauses(pauses: Iterable[tuple[dt.date, dt.date | None]],
                    until: dt.date | None = None) -> list[tuple[dt.date, dt.date]]:
    """Stored pauses (from, to) as the calendar's inclusive not-counted ranges (from+1 … to).

    An open pause (to is None) runs until ``until`` when given, else it is left out."""
    out = []
    for start, end in pauses:
        end = end if end is not None else until
        if end is None:
            continue
        first = start + dt.timedelta(days=1)
        if first <= end:
            out.append((first, end))
    return out


def compute_due(calendar, received: dt.date, limit_days: int,
                pauses: Sequence[tuple[dt.date, dt.date | None]] = (), until: dt.date | None = None) -> dt.date:
    return calendar.due_date(received, limit_days, calendar_pauses(pauses, until))


def timeliness(due: dt.date, finished: dt.date) -> Timeliness:
    if finished < due:
        return Timeliness.SOM_HAN
    if finished == due:
        return Timeliness.DUNG_HAN
    return Timeliness.QUA_HAN


def overdue_now(calendar, *, state: State, received: dt.date | None, limit_days: int,
                pauses: Sequence[tuple[dt.date, dt.date | None]], today: dt.date) -> bool:
    """Whether an open dossier is past its deadline on ``today`` (a running pause counts as paused
    up to today, so a paused dossier becomes overdue only if it already was when it stopped)."""
    if state in FINAL_STATES or received is None:
        return False
    return today > compute_due(calendar, received, limit_days, pauses, until=today)
