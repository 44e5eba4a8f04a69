"""The outbox of messages to partners (Model 46: tax, notary; later LGSP), with retries.

A message is written with :func:`enqueue` in the same transaction as the change that causes it
(e.g. the referral of a dossier to tax), so it exists if and only if that change is committed.
:func:`dispatch` sends the messages that are due, each in its own transaction:

* the row is locked (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so two dispatchers never send one
  message at the same time), the partner's sender is called, and only after it returns is the
  message marked sent (``DA_GUI``) and the transaction committed;
* a sender that raises records the error, counts the attempt and schedules the next one after an
  exponential backoff (``base_delay · 2^(attempts-1)``, at most ``max_delay``); after
  ``max_attempts`` failures the message is given up (``LOI``, a dead letter an operator can
  :func:`requeue`);
* a crash after the partner received a message but before the commit leaves it pending: it is
  sent again. Delivery is *at least once*; every message carries its ``idempotency_key`` so the
  partner keeps one copy.

A sender receives the envelope ``{"idempotency_key", "topic", "partner", "message_id",
"payload"}`` and returns normally on success (it raises on any failure).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, insert, select, update

from datdai.db.schema import outbox
from datdai.dossiers.errors import Conflict, InvalidInput, NotFound
from datdai.dossiers.lifecycle import utc

MAX_ATTEMPTS = 8
BASE_DELAY = dt.timedelta(minutes=1)
MAX_DELAY = dt.timedelta(hours=6)
MAX_ERROR_CHARS = 2000


class Status(StrEnum):
    PENDING = "CHO_GUI"  # waiting to be sent (first time or retry)
    SENT = "DA_GUI"  # the partner's sender returned
    DEAD = "LOI"  # given up after MAX_ATTEMPTS failures: needs an operator


class Partner(StrEnum):
    TAX = "THUE"
    NOTARY = "CONG_CHUNG"
    LGSP = "LGSP"


Sender = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Message:
    id: int
    topic: str
    partner: str
    payload: dict
    idempotency_key: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    dossier_id: int | None

    @classmethod
    def from_row(cls, r) -> Message:
        m = dict(r._mapping)
        for k in ("next_attempt_at", "created_at", "sent_at"):
            if m[k] is not None:
                m[k] = utc(m[k])
        return cls(**m)

    def envelope(self) -> dict[str, Any]:
        return {"idempotency_key": self.idempotency_key, "topic": self.topic, "partner": self.partner,
                "message_id": self.id, "payload": self.payload}


@dataclass
class DispatchReport:
    sent: list[str] = field(default_factory=list)  # idempotency keys
    retried: list[str] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)


def enqueue(conn: Connection, topic: str, partner: str, payload: dict[str, Any], idempotency_key: str, *,
            dossier_id: int | None = None, at: dt.datetime | None = None) -> tuple[Message, bool]:
    """Add a message in the caller's transaction. Returns (message, created): the same key with
    the same topic, partner and payload returns the stored message; with other content it is a
    :class:`~datdai.dossiers.errors.Conflict`."""
    if not topic or not partner:
        raise InvalidInput("tin nhắn cần chủ đề và đối tác / a message needs a topic and a partner")
    if not idempotency_key or not idempotency_key.strip() or len(idempotency_key) > 200:
        raise InvalidInput("khóa idempotency không hợp lệ (1–200 ký tự) / invalid idempotency key")
    found = conn.execute(select(outbox).where(outbox.c.idempotency_key == idempotency_key)).first()
    if found is not None:
        m = Message.from_row(found)
        if (m.topic, m.partner, m.payload) != (topic, str(partner), payload):
            raise Conflict(f"khóa {idempotency_key} đã dùng cho một tin nhắn khác / "
                           "the idempotency key was used for another message")
        return m, False
    at = utc(at)
    mid = conn.execute(insert(outbox).returning(outbox.c.id), {
        "topic": topic, "partner": str(partner), "payload": payload, "idempotency_key": idempotency_key,
        "status": str(Status.PENDING), "attempts": 0, "next_attempt_at": at, "last_error": None,
        "created_at": at, "sent_at": None, "dossier_id": dossier_id}).scalar_one()
    return get_message(conn, mid), True


def get_message(conn: Connection, message: int | str) -> Message:
    """A message by id or by idempotency key."""
    col = outbox.c.id if isinstance(message, int) else outbox.c.idempotency_key
    r = conn.execute(select(outbox).where(col == message)).first()
    if r is None:
        raise NotFound(f"không có tin nhắn {message} / no such outbox message")
    return Message.from_row(r)


def messages(conn: Connection, *, dossier_id: int | None = None, status: str | None = None,
             partner: str | None = None) -> list[Message]:
    q = select(outbox).order_by(outbox.c.id)
    if dossier_id is not None:
        q = q.where(outbox.c.dossier_id == dossier_id)
    if status is not None:
        q = q.where(outbox.c.status == str(status))
    if partner is not None:
        q = q.where(outbox.c.partner == str(partner))
    return [Message.from_row(r) for r in conn.execute(q)]


def backoff(attempts: int, base: dt.timedelta = BASE_DELAY, cap: dt.timedelta = MAX_DELAY) -> dt.timedelta:
    """The wait after the ``attempts``-th failure: base, 2·base, 4·base, … at most ``cap``."""
    return min(base * (2 ** min(max(attempts - 1, 0), 30)), cap)


def mark_sent(conn: Connection, message_id: int, *, at: dt.datetime | None = None) -> bool:
    """Mark a pending message sent (e.g. delivered by another channel); False if it was not pending."""
    res = conn.execute(update(outbox).where((outbox.c.id == message_id) & (outbox.c.status == Status.PENDING))
                       .values(status=str(Status.SENT), sent_at=utc(at), last_error=None))
    return res.rowcount == 1


def requeue(conn: Connection, message_id: int, *, at: dt.datetime | None = None) -> Message:
    """Put a given-up (``LOI``) message back in the queue with a fresh count of attempts."""
    m = get_message(conn, message_id)
    if m.status != Status.DEAD:
        raise Conflict(f"tin nhắn #{message_id} đang ở trạng thái {m.status}, không phải {Status.DEAD} / "
                       "only a given-up message can be requeued")
    conn.execute(update(outbox).where(outbox.c.id == message_id)
                 .values(status=str(Status.PENDING), attempts=0, next_attempt_at=utc(at)))
    return get_message(conn, message_id)


def _due_ids(conn: Connection, partners: list[str], now: dt.datetime, limit: int) -> list[int]:
    q = (select(outbox.c.id)
         .where((outbox.c.status == Status.PENDING) & (outbox.c.next_attempt_at <= now)
                & outbox.c.partner.in_(partners))
         .order_by(outbox.c.next_attempt_at, outbox.c.id).limit(limit))
    return list(conn.execute(q).scalars())


def dispatch(
    conn_factory: Callable[[], AbstractContextManager[Connection]],
    senders: Mapping[str, Sender],
    now: dt.datetime | None = None,
    *,
    limit: int = 100,
    max_attempts: int = MAX_ATTEMPTS,
    base_delay: dt.timedelta = BASE_DELAY,
    max_delay: dt.timedelta = MAX_DELAY,
) -> DispatchReport:
    """Send the messages due at ``now`` to the partners that have a sender (others are left alone).

    ``conn_factory()`` opens one transaction (committed when its block ends without an error), e.g.
    ``store.transaction``. Each message is sent and marked in its own transaction; see the module
    doc for retries, giving up and crashes. Safe to run again at any time, and concurrently on
    PostgreSQL.
    """
    if max_attempts < 1:
        raise InvalidInput("max_attempts phải ≥ 1 / max_attempts must be at least 1")
    now = utc(now)
    report = DispatchReport()
    partners = sorted(str(p) for p in senders)
    if not partners:
        return report
    with conn_factory() as conn:
        ids = _due_ids(conn, partners, now, limit)
    for mid in ids:
        with conn_factory() as conn:
            r = conn.execute(select(outbox).where(outbox.c.id == mid)
                             .with_for_update(skip_locked=True)).first()
            if r is None:
                continue  # another dispatcher has it
            m = Message.from_row(r)
            if m.status != Status.PENDING or m.next_attempt_at > now:
                continue  # sent or rescheduled meanwhile
            try:
                senders[m.partner](m.envelope())
            except Exception as exc:  # the partner failed: record, retry later or give up
                attempts = m.attempts + 1
                error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
                if attempts >= max_attempts:
                    values = {"status": str(Status.DEAD), "attempts": attempts, "last_error": error}
                    report.dead.append(m.idempotency_key)
                else:
                    values = {"attempts": attempts, "last_error": error,
                              "next_attempt_at": now + backoff(attempts, base_delay, max_delay)}
                    report.retried.append(m.idempotency_key)
                conn.execute(update(outbox).where(outbox.c.id == mid).values(**values))
                continue
            conn.execute(update(outbox).where(outbox.c.id == mid)
                         .values(status=str(Status.SENT), attempts=m.attempts + 1, sent_at=now))
            report.sent.append(m.idempotency_key)
    return report
