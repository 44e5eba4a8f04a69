"""Failed logins slowed per account and per address, with back-off (auth/login_throttle.py)."""

from __future__ import annotations

from datdai.access.login_throttle import LoginThrottle, ThrottleSettings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_account_backs_off_and_a_success_clears_it():
    clock = Clock()
    t = LoginThrottle(ThrottleSettings(account_free=3, base_wait=1.0, account_max_wait=8.0), clock)
    for _ in range(3):
        assert t.wait("An", "1.1.1.1") == 0
        t.failed("An", "1.1.1.1")
    assert t.wait("an", "2.2.2.2") == 1  # the account, from any address, case-insensitive
    waits = []
    for _ in range(5):
        clock.now += t.wait("an", "2.2.2.2")
        t.failed("an", "2.2.2.2")
        waits.append(t.wait("an", "2.2.2.2"))
    assert waits == [2, 4, 8, 8, 8]  # doubling, capped
    assert t.wait("binh", "3.3.3.3") == 0  # another account elsewhere is not held up
    t.succeeded("an")
    assert t.wait("an", "3.3.3.3") == 0


def test_address_backs_off_over_many_accounts_and_forgets():
    clock = Clock()
    t = LoginThrottle(ThrottleSettings(address_free=5, address_max_wait=60.0, window=900.0), clock)
    for i in range(5):
        t.failed(f"user{i}", "9.9.9.9")
    assert t.wait("someone-else", "9.9.9.9") == 1
    assert t.wait("someone-else", "8.8.8.8") == 0
    for _ in range(10):
        t.failed("x", "9.9.9.9")
    assert t.wait("someone-else", "9.9.9.9") == 60  # capped: a person behind it waits, never locked out
    t.succeeded("someone-else")  # a success does not clear the address
    assert t.wait("someone-else", "9.9.9.9") == 60
    clock.now += 901
    assert t.wait("someone-else", "9.9.9.9") == 0
