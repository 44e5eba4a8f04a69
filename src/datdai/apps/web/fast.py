"""What the hot API routes share: the worker's raw reader (``db/fast_reads.py``), its group-commit
access-log writer (``access/access_writer.py``) and a JSON response that skips re-validation.

Both are per application (one per uvicorn worker process), created on first use and closed with
the application (:func:`install_fast_paths`, from ``web/app.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from datdai.access.access_writer import AccessLogUnavailable, AccessLogWriter, Entry, open_writer
from datdai.apps.web.auth import Principal
from datdai.db.fast_reads import Reader, open_reader

__all__ = ["install_fast_paths", "json_response", "log_read", "reader_of", "writer_of"]


def reader_of(app: FastAPI) -> Reader:
    state = app.state
    reader = getattr(state, "reader", None)
    if reader is None:
        reader = state.reader = open_reader(state.store)
    return reader


def writer_of(app: FastAPI) -> AccessLogWriter:
    state = app.state
    writer = getattr(state, "access_writer", None)
    if writer is None:
        writer = state.access_writer = open_writer(state.store)
    return writer


async def log_read(app: FastAPI, principal: Principal, *, action: str, resource: str, purpose: str,
                   subjects: Sequence[str] = ()) -> None:
    """Write the access-log row of an answer (group commit); returns once it is committed."""
    await writer_of(app).write(Entry(
        username=principal.username, role=principal.role, action=action, resource=resource,
        purpose=purpose, subjects=[str(s) for s in subjects], client_ip=principal.client_ip))


def json_response(content: Any, status_code: int = 200) -> Response:
    """``content`` (already in the shape of the route's ``response_model``) as JSON, serialised once
    with orjson instead of validated again by pydantic and then encoded."""
    return Response(orjson.dumps(content), status_code=status_code, media_type="application/json")


def install_fast_paths(app: FastAPI) -> None:
    """Close the reader and writer when ``app`` stops; answer 503 when the access log is down."""
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app_):
        try:
            async with inner(app_) as state:
                yield state
        finally:
            reader = getattr(app_.state, "reader", None)
            writer = getattr(app_.state, "access_writer", None)
            app_.state.reader = app_.state.access_writer = None
            if reader is not None:
                await reader.close()
            if writer is not None:
                await writer.close()

    app.router.lifespan_context = lifespan

    async def unavailable(_request: Request, exc: Exception) -> Response:
        return JSONResponse(status_code=503, headers={"Retry-After": "5"}, content={
            "detail": "Không ghi được nhật ký truy cập nên không trả dữ liệu cá nhân; thử lại sau / "
                      "the access log could not be written, so no personal data is returned; retry later"})

    app.add_exception_handler(AccessLogUnavailable, unavailable)
