"""The outbox dispatcher that runs by itself: a loop over :func:`datdai.dossiers.outbox.dispatch`.

Run as a background thread of each ``datdai serve`` worker (:func:`start_background`), and/or as a
separate process (``datdai outbox chay``). Any number may run at once: the lease of
``services/outbox.py`` lets one dispatcher only send a given message at a time. A failing store
(the database restarting) is logged and retried at the next round; it never stops the loop.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping

from datdai.db.store import Store
from datdai.dossiers import outbox as ob
from datdai.dossiers.errors import InvalidInput
from datdai.dossiers.partners import PartnerConfig, load_partners
from datdai.dossiers.senders import close_senders, senders_for

log = logging.getLogger("datdai.outbox")
INTERVAL = 5.0  # seconds between rounds when nothing was due


def check_lease(configs: Mapping[str, PartnerConfig], lease: dt.timedelta) -> None:
    """A sender must give up well before its claim expires, or another dispatcher could send the
    same message while the first is still waiting."""
    for c in configs.values():
        if dt.timedelta(seconds=c.timeout * 2) > lease:
            raise InvalidInput(f"đối tác {c.name}: thời gian chờ {c.timeout:g} s quá dài so với thời hạn giữ tin "
                               f"{lease.total_seconds():g} s (cần ≤ một nửa) / the timeout must be at most half "
                               "the lease")


def run(store: Store, senders: Mapping[str, Callable], *, stop: threading.Event | None = None,
        once: bool = False, interval: float = INTERVAL, lease: dt.timedelta = ob.LEASE,
        max_attempts: int = ob.MAX_ATTEMPTS, base_delay: dt.timedelta = ob.BASE_DELAY,
        worker: str | None = None, on_round: Callable[[ob.DispatchReport], None] | None = None,
        ) -> ob.DispatchReport:
    """Dispatch until ``stop`` is set (or one round with ``once``: everything due now, until a
    round sends nothing more). Returns what was done."""
    stop = stop or threading.Event()
    worker = worker or ob.worker_name()
    total = ob.DispatchReport()
    while not stop.is_set():
        try:
            report = ob.dispatch(store.transaction, senders, worker=worker, lease=lease,
                                 max_attempts=max_attempts, base_delay=base_delay)
        except Exception:  # the store is down or locked: try again next round
            if once:
                raise
            log.exception("gửi tin nhắn đối tác thất bại, thử lại sau %s s / dispatch round failed", interval)
            report = ob.DispatchReport()
        total.extend(report)
        if on_round is not None and report:
            on_round(report)
        for key in report.dead:
            log.error("tin nhắn %s bị bỏ sau nhiều lần gửi lỗi (LOI) / dead letter", key)
        if once and not report.sent:
            break  # nothing more is due (failures wait for their backoff)
        if not report.sent:
            stop.wait(interval)
    return total


class BackgroundDispatcher:
    """The dispatcher thread of one ``datdai serve`` worker."""

    def __init__(self, store: Store, configs: Mapping[str, PartnerConfig], *, interval: float = INTERVAL,
                 lease: dt.timedelta = ob.LEASE) -> None:
        check_lease(configs, lease)
        self.store, self.configs, self.interval, self.lease = store, dict(configs), interval, lease
        self.senders = senders_for(self.configs)
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="datdai-outbox", daemon=True)

    def _run(self) -> None:
        try:
            run(self.store, self.senders, stop=self.stop_event, interval=self.interval, lease=self.lease)
        finally:
            close_senders(self.senders)

    def start(self) -> BackgroundDispatcher:
        self.thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout)


def start_background(store: Store, environ: Mapping[str, str] | None = None) -> BackgroundDispatcher | None:
    """Start the dispatcher of the configured partners (``services/partners.py``), or None with a
    warning when no partner is configured (messages then wait in the outbox)."""
    configs = load_partners(environ=environ)
    if not configs:
        log.warning("chưa cấu hình đối tác nào (DATDAI_PARTNERS, DATDAI_PARTNER_<TEN>_URL): tin nhắn cho thuế, "
                    "công chứng, công dân nằm chờ trong hộp thư đi / no partner configured: the outbox is not sent")
        return None
    log.info("gửi tin nhắn đối tác: %s / outbox dispatcher started",
             ", ".join(f"{c.name} → {c.describe()}" for c in configs.values()))
    return BackgroundDispatcher(store, configs).start()
