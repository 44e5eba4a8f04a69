"""Password guessing slowed per account and per address, with back-off (issue 18, item 7).

Each failed login counts against the account tried and against the address it came from. Past a
few free failures, the next attempt must wait, the wait doubling with each further failure up to a
cap: a guesser gets ever slower while a person who mistyped twice is not held up. An account's
count is cleared by a successful login; an address's only by time (the failures of a window are
forgotten), so that staff logging in successfully behind one NAT address do not reset the count of
a guesser among them — and since the address's wait is capped at a minute, a guesser among them
slows their logins down, never locks them out. The database lockout of ``auth/users.py`` (5
consecutive failures lock the account 15 minutes) stays behind it.

In the process (per worker), like the request rate limits of ``web/protection.py``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_KEYS = 100_000


@dataclass(frozen=True)
class ThrottleSettings:
    account_free: int = 3  # failures of an account before it must wait
    account_max_wait: float = 300.0  # seconds
    address_free: int = 20  # failures from an address before it must wait
    address_max_wait: float = 60.0
    base_wait: float = 1.0  # the first wait; doubled with each further failure
    window: float = 900.0  # failures older than this are forgotten


class LoginThrottle:
    def __init__(self, settings: ThrottleSettings | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings or ThrottleSettings()
        self.clock = clock
        self._lock = threading.Lock()
        # key → [failures, time of the last failure]
        self._accounts: dict[str, list[float]] = {}
        self._addresses: dict[str, list[float]] = {}

    @staticmethod
    def _account_key(username: str) -> str:
        return (username or "").strip().lower()[:200]

    def _wait(self, table: dict, key: str, free: int, cap: float, now: float) -> float:
        entry = table.get(key)
        if entry is None:
            return 0.0
        failures, last = entry
        if now - last > self.settings.window:
            del table[key]
            return 0.0
        if failures < free:
            return 0.0
        wait = min(cap, self.settings.base_wait * 2 ** (failures - free))
        return max(0.0, last + wait - now)

    def wait(self, username: str, address: str | None) -> int:
        """Seconds before ``username`` may try again from ``address`` (0: now)."""
        s, now = self.settings, self.clock()
        with self._lock:
            seconds = max(
                self._wait(self._accounts, self._account_key(username), s.account_free,
                           s.account_max_wait, now),
                self._wait(self._addresses, address or "?", s.address_free, s.address_max_wait, now))
        return math.ceil(seconds) if seconds > 0 else 0

    def _count(self, table: dict, key: str, now: float) -> None:
        if key not in table and len(table) >= MAX_KEYS:
            stale = [k for k, (_, last) in table.items() if now - last > self.settings.window]
            for k in stale:
                del table[k]
            if len(table) >= MAX_KEYS:
                table.clear()
        entry = table.get(key)
        if entry is None or now - entry[1] > self.settings.window:
            table[key] = [1, now]
        else:
            entry[0] += 1
            entry[1] = now

    def failed(self, username: str, address: str | None) -> None:
        now = self.clock()
        with self._lock:
            self._count(self._accounts, self._account_key(username), now)
            self._count(self._addresses, address or "?", now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._accounts.pop(self._account_key(username), None)


__all__ = ["LoginThrottle", "ThrottleSettings"]
