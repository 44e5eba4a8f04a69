"""Telling a citizen that their dossier changed state: an e-mail and/or an SMS, queued in the
outbox (``services/outbox.py``, partners ``EMAIL`` and ``SMS``) in the same transaction as the
change, so a message exists if and only if the change is committed; the dispatcher delivers it
(SMTP for e-mail) with the outbox's retries.

Called by :func:`datdai.dossiers.dossiers.create_dossier` (filed) and
:func:`datdai.dossiers.dossiers.transition` (every change of state; a move from one processing
step to the next is not a change of state and is not announced).

Who is told: the applicant, through the active citizen account (role ``cong_dan``) holding the
applicant's personal number — its ``users.email`` and ``users.phone``, filled from the identity
provider's verified ``email`` / ``phone_number`` claims at login (``auth/users.citizen_account``)
or set by the office. A dossier without a personal number, or whose applicant has no account or
no contact, gets no message: :func:`notify_state_change` returns an empty list, and the citizen
sees the change only on their page.

Payload (Vietnamese): ``{"to", "subject", "body", "dossier_code", "state", "state_label",
"due_date"}``; idempotency key ``TB:<dossier code>:<audit batch>:<EMAIL|SMS>`` (one per change).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from datdai.db.schema import services, users
from datdai.dossiers import lifecycle as lc
from datdai.dossiers.outbox import Message, Partner, enqueue
from datdai.kernel.text import vn_date

TOPIC = "CONG_DAN.THONG_BAO_TRANG_THAI"
CITIZEN_ROLE = "cong_dan"  # auth.roles.CITIZEN (auth and services do not import each other)
PORTAL_HINT = "Đăng nhập trang Công dân để xem chi tiết và tải kết quả."


def contacts(conn: Connection, personal_number: str | None) -> tuple[str | None, str | None]:
    """(e-mail, phone) of the active citizen account of ``personal_number``; (None, None) if none."""
    if not personal_number:
        return None, None
    row = conn.execute(select(users.c.email, users.c.phone)
                       .where(users.c.role == CITIZEN_ROLE, users.c.personal_number == personal_number,
                              users.c.active.is_(True)).order_by(users.c.id)).first()
    return (row.email, row.phone) if row else (None, None)


def _service_name(conn: Connection, code: str) -> str:
    name = conn.execute(select(services.c.name).where(services.c.code == code)).scalar()
    return name or code


def message_texts(d: Any, service_name: str, reason: str | None, at: dt.datetime) -> tuple[str, str, str]:
    """(subject, e-mail body, SMS text) of a dossier ``d`` (a services.dossiers.Dossier) now in its state."""
    label = lc.STATE_LABELS[lc.State(d.state)]
    day = vn_date(lc.local_date(at))
    subject = f"Hồ sơ {d.code}: {label}"
    lines = [f"Kính gửi {d.applicant_name},", "",
             f"Hồ sơ {d.code} ({service_name}) đã chuyển sang trạng thái «{label}» ngày {day}."]
    if d.due_date is not None and d.state not in lc.FINAL_STATES:
        lines.append(f"Hạn giải quyết: {vn_date(d.due_date)}.")
    if d.state == lc.State.YEU_CAU_BO_SUNG:
        lines.append(f"Cơ quan giải quyết yêu cầu bổ sung hồ sơ: {reason or '(xem trên trang Công dân)'}.")
        lines.append("Thời gian chờ bổ sung không tính vào thời hạn giải quyết.")
    elif d.state == lc.State.TU_CHOI:
        lines.append(f"Lý do từ chối: {reason or d.reject_reason or '—'}.")
    elif d.state == lc.State.DA_TRA_KET_QUA:
        lines.append("Kết quả đã sẵn sàng để tải về.")
    lines += ["", PORTAL_HINT, "", "Văn phòng đăng ký đất đai"]
    sms = f"Ho so {d.code}: {label}, ngay {day}."
    if d.state == lc.State.YEU_CAU_BO_SUNG:
        sms += " Can bo sung ho so."
    return subject, "\n".join(lines), sms


def notify_state_change(conn: Connection, d: Any, *, change_key: str, reason: str | None = None,
                        at: dt.datetime | None = None) -> list[Message]:
    """Queue the e-mail and/or SMS telling the applicant of dossier ``d`` its current state (in the
    caller's transaction). ``change_key`` names the change (the audit batch), so a repeat queues
    nothing new. Returns the messages queued (empty: no account or no contact)."""
    email, phone = contacts(conn, d.applicant_personal_number)
    if not email and not phone:
        return []
    at = lc.utc(at)
    subject, body, sms = message_texts(d, _service_name(conn, d.service_code), reason, at)
    common = {"subject": subject, "dossier_code": d.code, "state": str(d.state),
              "state_label": lc.STATE_LABELS[lc.State(d.state)],
              "due_date": d.due_date.isoformat() if d.due_date else None}
    out = []
    for partner, to, text in ((Partner.EMAIL, email, body), (Partner.SMS, phone, sms)):
        if not to:
            continue
        message, _ = enqueue(conn, TOPIC, str(partner), {"to": to, "body": text, **common},
                             f"TB:{d.code}:{change_key}:{partner}", dossier_id=d.id, at=at)
        out.append(message)
    return out
