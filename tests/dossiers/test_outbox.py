"""The outbox dispatcher: at-least-once delivery with idempotency keys, retries with capped
exponential backoff, dead letters, and a crash between the partner's receipt and the commit."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest

from datdai.dossiers import outbox as ob
from datdai.dossiers.errors import Conflict

T0 = dt.datetime(2025, 6, 5, 2, 0, tzinfo=dt.UTC)


class Partner:
    """Keeps one copy per idempotency key; fails its first ``failures`` calls."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls: list[str] = []
        self.kept: dict[str, dict] = {}

    def __call__(self, envelope: dict) -> None:
        self.calls.append(envelope["idempotency_key"])
        if self.failures:
            self.failures -= 1
            raise TimeoutError("đối tác không phản hồi")
        self.kept.setdefault(envelope["idempotency_key"], envelope["payload"])


class Crash(BaseException):
    """The process dies (not an error the dispatcher handles)."""


def _enqueue(store, key: str, partner: str = "THUE", payload: dict | None = None, at=T0):
    with store.transaction() as conn:
        return ob.enqueue(conn, "THUE.CHUYEN_THONG_TIN_DIA_CHINH", partner, payload or {"ma_hs": key}, key, at=at)[0]


def _get(store, mid: int) -> ob.Message:
    with store.read() as conn:
        return ob.get_message(conn, mid)


def test_enqueue_is_idempotent_and_rolls_back_with_its_transaction(store):
    m = _enqueue(store, "k1")
    assert (m.status, m.attempts, m.next_attempt_at) == ("CHO_GUI", 0, T0)
    with store.transaction() as conn:
        again, created = ob.enqueue(conn, m.topic, "THUE", {"ma_hs": "k1"}, "k1")
        assert again.id == m.id and not created
        with pytest.raises(Conflict):
            ob.enqueue(conn, m.topic, "THUE", {"ma_hs": "khác"}, "k1")
    with pytest.raises(RuntimeError), store.transaction() as conn:
        ob.enqueue(conn, "X", "THUE", {}, "k2")
        raise RuntimeError("the change that caused the message failed")
    with store.read() as conn:
        assert [x.idempotency_key for x in ob.messages(conn)] == ["k1"]


def test_backoff_doubles_up_to_the_cap():
    assert [ob.backoff(n, dt.timedelta(minutes=1), dt.timedelta(minutes=10)) for n in range(1, 7)] == [
        dt.timedelta(minutes=x) for x in (1, 2, 4, 8, 10, 10)]
    assert ob.backoff(10_000) == ob.MAX_DELAY


def test_retries_then_gives_up_then_requeue(store):
    m = _enqueue(store, "k-dead")
    partner = Partner(failures=100)
    now = T0
    for attempt in range(1, 4):
        r = ob.dispatch(store.transaction, {"THUE": partner}, now, max_attempts=4,
                        base_delay=dt.timedelta(minutes=1), max_delay=dt.timedelta(minutes=3))
        assert r.retried == ["k-dead"]
        got = _get(store, m.id)
        assert got.attempts == attempt and "TimeoutError" in got.last_error
        now = got.next_attempt_at
        assert now - T0 == [None, dt.timedelta(minutes=1), dt.timedelta(minutes=3), dt.timedelta(minutes=6)][attempt]
    r = ob.dispatch(store.transaction, {"THUE": partner}, now, max_attempts=4)
    assert r.dead == ["k-dead"] and _get(store, m.id).status == "LOI"
    assert ob.dispatch(store.transaction, {"THUE": partner}, now + dt.timedelta(days=1)).sent == []
    assert len(partner.calls) == 4
    with store.transaction() as conn:
        again = ob.requeue(conn, m.id, at=now)
        assert (again.status, again.attempts) == ("CHO_GUI", 0)
        with pytest.raises(Conflict):
            ob.requeue(conn, m.id)
    partner.failures = 0
    assert ob.dispatch(store.transaction, {"THUE": partner}, now).sent == ["k-dead"]
    assert list(partner.kept) == ["k-dead"] and _get(store, m.id).status == "DA_GUI"


def test_crash_after_send_before_commit_resends_with_the_same_key(store):
    m1, m2 = _enqueue(store, "k-a"), _enqueue(store, "k-b")
    partner = Partner()
    opened = []

    @contextmanager
    def crashing_transaction():
        # the first transaction lists the due messages, the second claims k-a, k-a is sent, the
        # third marks it sent and the process dies before the commit
        with store.transaction() as conn:
            opened.append(1)
            yield conn
            if len(opened) == 3:
                raise Crash()

    clock = [T0]
    with pytest.raises(Crash):
        ob.dispatch(crashing_transaction, {"THUE": partner}, T0, worker="w1", clock=lambda: clock[0])
    assert partner.calls == ["k-a"] and list(partner.kept) == ["k-a"]
    a = _get(store, m1.id)
    assert (a.status, a.attempts, a.claimed_by, a.lease_until) == ("CHO_GUI", 0, "w1", T0 + ob.LEASE)
    assert _get(store, m2.id).status == "CHO_GUI"
    # restarted within the lease: k-a is still held by the dead dispatcher, k-b is sent
    r = ob.dispatch(store.transaction, {"THUE": partner}, T0, worker="w2", clock=lambda: clock[0])
    assert r.sent == ["k-b"]
    # once the lease has expired k-a is sent again; the partner sees it twice and keeps one copy
    clock[0] = T0 + ob.LEASE
    r = ob.dispatch(store.transaction, {"THUE": partner}, T0, worker="w2", clock=lambda: clock[0])
    assert r.sent == ["k-a"]
    assert partner.calls == ["k-a", "k-b", "k-a"] and list(partner.kept) == ["k-a", "k-b"]
    for m in (m1, m2):
        got = _get(store, m.id)
        assert (got.status, got.claimed_by, got.lease_until, got.last_error) == ("DA_GUI", None, None, None)
    assert ob.dispatch(store.transaction, {"THUE": partner}, T0 + dt.timedelta(hours=1)).sent == []


def test_a_claimed_message_is_sent_by_one_dispatcher_only(store):
    m = _enqueue(store, "k-one")
    with store.transaction() as conn:
        assert ob.claim(conn, m.id, "w1", T0, lease_now=T0)
        assert not ob.claim(conn, m.id, "w2", T0, lease_now=T0 + ob.LEASE / 2)
    partner = Partner()
    assert ob.dispatch(store.transaction, {"THUE": partner}, T0, worker="w2", clock=lambda: T0).sent == []
    assert partner.calls == []
    # the first dispatcher's lease expires; the second takes it over; the first cannot mark it any more
    with store.transaction() as conn:
        assert ob.claim(conn, m.id, "w2", T0, lease_now=T0 + ob.LEASE)
    again = ob.dispatch(store.transaction, {"THUE": partner}, T0, worker="w1", clock=lambda: T0 + 3 * ob.LEASE)
    assert again.sent == ["k-one"] and partner.calls == ["k-one"]  # w2's lease expired in turn


def test_success_after_failures_clears_the_error(store):
    m = _enqueue(store, "k-flaky")
    partner = Partner(failures=1)
    assert ob.dispatch(store.transaction, {"THUE": partner}, T0).retried == ["k-flaky"]
    assert "TimeoutError" in _get(store, m.id).last_error
    r = ob.dispatch(store.transaction, {"THUE": partner}, T0 + dt.timedelta(hours=1))
    got = _get(store, m.id)
    assert r.sent == ["k-flaky"] and (got.status, got.attempts, got.last_error) == ("DA_GUI", 2, None)


def test_only_due_messages_of_the_given_partners(store):
    _enqueue(store, "k-tax")
    _enqueue(store, "k-notary", partner="CONG_CHUNG")
    _enqueue(store, "k-later", at=T0 + dt.timedelta(hours=1))
    tax = Partner()
    r = ob.dispatch(store.transaction, {"THUE": tax}, T0)
    assert r.sent == ["k-tax"] and tax.calls == ["k-tax"]
    with store.read() as conn:
        pending = [m.idempotency_key for m in ob.messages(conn, status="CHO_GUI")]
    assert pending == ["k-notary", "k-later"]
    assert ob.dispatch(store.transaction, {}, T0).sent == []
    notary = Partner()
    r = ob.dispatch(store.transaction, {"THUE": tax, "CONG_CHUNG": notary}, T0 + dt.timedelta(hours=2), limit=1)
    assert r.sent == ["k-notary"]
    r = ob.dispatch(store.transaction, {"THUE": tax, "CONG_CHUNG": notary}, T0 + dt.timedelta(hours=2))
    assert r.sent == ["k-later"]
    envelope_keys = {"idempotency_key", "topic", "partner", "message_id", "payload"}
    seen = []
    ob.dispatch(store.transaction, {"THUE": seen.append}, T0)  # nothing due any more
    assert seen == []
    _enqueue(store, "k-env")
    ob.dispatch(store.transaction, {"THUE": seen.append}, T0)
    assert set(seen[0]) == envelope_keys and seen[0]["payload"] == {"ma_hs": "k-env"}
