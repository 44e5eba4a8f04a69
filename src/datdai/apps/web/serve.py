"""Running the app under uvicorn (``datdai serve``, ``datdai demo``).

uvicorn starts ``--workers N`` processes; each calls :func:`app_factory`, which opens **its own**
store (its own SQLAlchemy engine and connection pool: neither SQLite connections nor a psycopg
pool may cross a ``fork``) from ``DATDAI_SERVE_DB``, set by :func:`serve` in the parent, and closes
it when the worker stops. The event loop and HTTP parser are uvloop and httptools when installed
(``uvicorn[standard]``, a dependency), else asyncio and h11 — 2 to 4 times slower.

Several workers help where a request spends CPU in Python (JSON, auth, masking) — nearly every API
call; their in-process state is per worker: the auth cache (``web/auth.py``) and the rate-limit
buckets (``web/protection.py``).

Each worker also runs the outbox dispatcher in a thread (``services/outbox_worker.py``: messages
to tax, notaries, citizens), unless ``DATDAI_OUTBOX_DISPATCH=0`` (``datdai serve --no-dispatch``,
for a deployment running ``datdai outbox chay`` instead); several at once are safe (the lease).
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import os

from fastapi import FastAPI

from datdai.apps.web.app import create_app
from datdai.db.store import open_store
from datdai.dossiers.outbox_worker import start_background

ENV_DB = "DATDAI_SERVE_DB"
ENV_DISPATCH = "DATDAI_OUTBOX_DISPATCH"


def app_factory() -> FastAPI:
    """The app of one worker, on its own store (uvicorn ``factory=True``)."""

    store = open_store(os.environ[ENV_DB])
    app = create_app(store)
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app_):
        # what the worker loaded to start (modules, schemas, reference data) lives as long as the
        # worker: out of the collector's sight, so that a full collection under load scans only
        # what requests allocate (measured: 110-120 ms pauses every second or so -> 15-20 ms)
        gc.collect()
        gc.freeze()
        dispatcher = None
        if os.environ.get(ENV_DISPATCH, "1") != "0":
            dispatcher = start_background(store)
        try:
            async with inner(app_) as state:
                yield state
        finally:
            if dispatcher is not None:
                dispatcher.stop()
            store.close()

    app.router.lifespan_context = lifespan
    return app


def event_loop_and_parser() -> tuple[str, str]:
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return loop, http


def serve(url: str, *, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          access_log: bool = True, log_level: str = "info", dispatch: bool = True) -> None:
    """Serve the store at ``url`` with ``workers`` uvicorn processes (blocks); ``dispatch``: each
    worker sends the outbox."""
    import uvicorn

    os.environ[ENV_DB] = url
    os.environ[ENV_DISPATCH] = "1" if dispatch else "0"
    loop, http = event_loop_and_parser()
    uvicorn.run("datdai.apps.web.serve:app_factory", factory=True, host=host, port=port,
                workers=workers, loop=loop, http=http, access_log=access_log,
                log_level=log_level, proxy_headers=True)
