"""Blocking database work of hot API routes, run off the event loop on a few threads.

Starlette runs sync routes on anyio's default pool of 40 threads. For a short read plus an
access-log insert that is counter-productive: 40 threads contend for the GIL (a thread that has
finished its SQLite call may wait a whole switch interval to get it back, while holding a pooled
connection or the write lock), and more threads than the engine's pool (5 + 10 overflow) means
connections are opened and closed all the time. :func:`run_db` runs the work on at most
``DB_THREADS`` threads per event loop instead; the route awaits it, so the work (including the
access-log commit) is done before the answer is sent. Measured with ``bench/bench_api.py`` (2
workers, 64 connections, SQLite): 2 threads beat 1, 4 and 8; running the work on the event loop
itself is faster still but lets one SQLite busy wait stall every request of the worker (p99 0.7 s).
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

DB_THREADS = 2
T = TypeVar("T")

_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = \
    weakref.WeakKeyDictionary()


def _limiter() -> CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = CapacityLimiter(DB_THREADS)
    return limiter


async def run_db(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``func(*args, **kwargs)`` on one of the database threads."""
    if kwargs:
        func = functools.partial(func, **kwargs)
    return await anyio.to_thread.run_sync(func, *args, limiter=_limiter())
