"""The outbox of messages to partners (Model 46: tax, notary; LGSP; e-mail and SMS to citizens),
with retries.

A message is written with :func:`enqueue` in the same transaction as the change that causes it
(e.g. the referral of a dossier to tax), so it exists if and only if that change is committed.
:func:`dispatch` sends the messages that are due (``services/outbox_worker.py`` runs it in a loop:
a background task of ``datdai serve``, or ``datdai outbox chay``):

* a message is first **claimed** in a short transaction of its own: a conditional ``UPDATE``
  (still pending, due, and no lease or an expired one) sets ``claimed_by`` and ``lease_until``;
  only the dispatcher whose UPDATE changed the row sends it. The same statement works on SQLite
  and PostgreSQL, so two dispatchers (two server workers, or a worker beside the server) never
  send one message at the same time. No transaction is open while the partner is called;
* the partner's sender is called (its timeout must be well under the lease), and only after it
  returns is the message marked sent (``DA_GUI``, ``last_error`` cleared) — by the dispatcher
  still holding the claim;
* a sender that raises records the error, counts the attempt and schedules the next one after an
  exponential backoff (``base_delay · 2^(attempts-1)``, at most ``max_delay``); after
  ``max_attempts`` failures the message is given up (``LOI``, a dead letter an operator can
  :func:`requeue`, from ``datdai outbox gui-lai`` or the admin's page ``/ui/tin-gui``);
* a dispatcher killed after the partner received a message but before marking it leaves it
  pending with its lease: once the lease has expired it is sent again. Delivery is therefore *at
  least once*; every message carries its ``idempotency_key`` (the ``Idempotency-Key`` header of
  the HTTP sender) so a partner that keeps one copy per key sees exactly one effect.

A sender receives the envelope ``{"idempotency_key", "topic", "partner", "message_id",
"payload"}`` and returns normally on success (it raises on any failure).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
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
LEASE = dt.timedelta(minutes=5)  # a claim's life: far longer than any sender's timeout


class Status(StrEnum):
    PENDING = "CHO_GUI"  # waiting to be sent (first time or retry)
    SENT = "DA_GUI"  # the partner's sender returned
    DEAD = "LOI"  # given up after MAX_ATTEMPTS failures: needs an operator


class Partner(StrEnum):
    TAX = "THUE"
    NOTARY = "CONG_CHUNG"
    LGSP = "LGSP"
    EMAIL = "EMAIL"  # citizens' notifications by e-mail (SMTP sender)
    SMS = "SMS"  # citizens' notifications by SMS (an HTTP gateway)


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
    claimed_by: str | None = None
    lease_until: dt.datetime | None = None

    @classmethod
    def from_row(cls, r) -> Message:
        m = dict(r._mapping)
        for k in ("next_attempt_at", "created_at", "sent_at", "lease_until"):
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
    lost: list[str] = field(default_factory=list)  # the lease expired and another dispatcher took over

    def __bool__(self) -> bool:
        return bool(self.sent or self.retried or self.dead or self.lost)

    def extend(self, other: DispatchReport) -> None:
        for name in ("sent", "retried", "dead", "lost"):
            getattr(self, name).extend(getattr(other, name))


def worker_name() -> str:
    """Who claims: host, process and a random part (unique per dispatcher)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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
                       .values(status=str(Status.SENT), sent_at=utc(at), last_error=None, claimed_by=None,
                         lease_until=None))
    return res.rowcount == 1


def requeue(conn: Connection, message_id: int, *, at: dt.datetime | None = None) -> Message:
    """Put a given-up (``LOI``) message back in the queue with a fresh count of attempts."""
    m = get_message(conn, message_id)
    if m.status != Status.DEAD:
        raise Conflict(f"tin nhắn #{message_id} đang ở trạng thái {m.status}, không phải {Status.DEAD} / "
                       "only a given-up message can be requeued")
    conn.execute(update(outbox).where(outbox.c.id == message_id)
                 .values(status=str(Status.PENDING), attempts=0, next_attempt_at=utc(at), claimed_by=None,
                         lease_until=None))
    return get_message(conn, message_id)


def _due_ids(conn: Connection, partners: list[str], now: dt.datetime, lease_now: dt.datetime,
             limit: int) -> list[int]:
    q = (select(outbox.c.id)
         .where((outbox.c.status == Status.PENDING) & (outbox.c.next_attempt_at <= now)
                & outbox.c.partner.in_(partners)
                & (outbox.c.lease_until.is_(None) | (outbox.c.lease_until <= lease_now)))
         .order_by(outbox.c.next_attempt_at, outbox.c.id).limit(limit))
    return list(conn.execute(q).scalars())


def claim(conn: Connection, message_id: int, worker: str, now: dt.datetime, *, lease: dt.timedelta = LEASE,
          lease_now: dt.datetime | None = None) -> bool:
    """Take a due, pending message for ``worker`` until ``lease_now + lease`` (one conditional
    UPDATE: of two dispatchers, one changes the row, the other none). True when taken."""
    lease_now = lease_now or wall_clock()
    res = conn.execute(update(outbox).where(
        (outbox.c.id == message_id) & (outbox.c.status == Status.PENDING) & (outbox.c.next_attempt_at <= now)
        & (outbox.c.lease_until.is_(None) | (outbox.c.lease_until <= lease_now)))
        .values(claimed_by=worker, lease_until=lease_now + lease))
    return res.rowcount == 1


def dispatch(
    conn_factory: Callable[[], AbstractContextManager[Connection]],
    senders: Mapping[str, Sender],
    now: dt.datetime | None = None,
    *,
    limit: int = 100,
    max_attempts: int = MAX_ATTEMPTS,
    base_delay: dt.timedelta = BASE_DELAY,
    max_delay: dt.timedelta = MAX_DELAY,
    worker: str | None = None,
    lease: dt.timedelta = LEASE,
    clock: Callable[[], dt.datetime] = wall_clock,
) -> DispatchReport:
    """Send the messages due at ``now`` to the partners that have a sender (others are left alone).

    ``conn_factory()`` opens one transaction (committed when its block ends without an error), e.g.
    ``store.transaction``. Each message is claimed, sent and marked (see the module doc for the
    lease, retries, giving up and crashes). ``now`` decides which messages are due and when the
    next attempt is (default: the clock); leases are always on ``clock``. Safe to run again at any
    time, and concurrently (SQLite and PostgreSQL).
    """
    if max_attempts < 1:
        raise InvalidInput("max_attempts phải ≥ 1 / max_attempts must be at least 1")
    if lease <= dt.timedelta(0):
        raise InvalidInput("thời hạn giữ tin nhắn phải > 0 / the lease must be positive")
    now = utc(now) if now is not None else clock()
    worker = worker or worker_name()
    report = DispatchReport()
    partners = sorted(str(p) for p in senders)
    if not partners:
        return report
    with conn_factory() as conn:
        ids = _due_ids(conn, partners, now, clock(), limit)
    for mid in ids:
        with conn_factory() as conn:
            if not claim(conn, mid, worker, now, lease=lease, lease_now=clock()):
                continue  # another dispatcher has it, or it was sent or rescheduled meanwhile
            m = get_message(conn, mid)
        mine = (outbox.c.id == mid) & (outbox.c.claimed_by == worker) & (outbox.c.status == Status.PENDING)
        try:
            senders[m.partner](m.envelope())
        except Exception as exc:  # the partner failed: record, retry later or give up
            attempts = m.attempts + 1
            error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
            if attempts >= max_attempts:
                values = {"status": str(Status.DEAD), "attempts": attempts, "last_error": error}
                outcome = report.dead
            else:
                values = {"attempts": attempts, "last_error": error,
                          "next_attempt_at": now + backoff(attempts, base_delay, max_delay)}
                outcome = report.retried
            with conn_factory() as conn:
                done = conn.execute(update(outbox).where(mine)
                                    .values(**values, claimed_by=None, lease_until=None)).rowcount == 1
            (outcome if done else report.lost).append(m.idempotency_key)
            continue
        with conn_factory() as conn:
            done = conn.execute(update(outbox).where(mine).values(
                status=str(Status.SENT), attempts=m.attempts + 1, sent_at=clock(), last_error=None,
                claimed_by=None, lease_until=None)).rowcount == 1
        (report.sent if done else report.lost).append(m.idempotency_key)
    return report
