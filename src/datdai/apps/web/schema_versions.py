"""Versioned exchange: a partner on an older schema keeps working when the schema changes (issue 6,
item 5).

The technical guidelines for land data exchange have changed three times (1.0, 2.0, 3.0). The routes
under ``/api/v1`` speak the current schema, :data:`CURRENT`. A partner system that still speaks an
older one says so in a header, ``X-Schema-Version: 2.0``, and :class:`SchemaVersionMiddleware`
converts at the edge, so that the routes (and the hot routes, which it wraps too) only ever see the
current schema:

* the request body (JSON) goes up the chain, from the partner's version to the current one;
* the response body (JSON, 2xx) comes down it, from the current version to the partner's;
* the response carries ``X-Schema-Version`` back.

Adapters are single steps between neighbouring versions, registered per (version, method, path):
:class:`SchemaAdapter` for version ``V`` converts between the shape of ``V`` and the shape of the
next newer version. Serving a 1.0 partner chains the 2.0 and the 1.0 steps. A route whose shape did
not change at a version has no step there and passes through.

Only versions that have been *declared* (:meth:`SchemaVersions.declare`, with what changed) are
accepted; any other value of the header is refused with 400 and the list of supported versions,
rather than silently answered in a shape the partner does not expect. When the guidelines change,
the current version moves on: the old one is declared, with adapters for the routes whose shape
changed, and partners on it keep working. No older version is declared today: the specifications
we build to (``docs/formats/``) describe only the current exchange formats, and an adapter for a
format nobody has written down would be guesswork.

Requests without the header — every request today, and the load-benchmark routes — cost one scan
of the header list. Malformed JSON in an adapted request body is 400, never 500. The registry is
per application (``app.state.schema_versions``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from datdai.apps.web.protection import buffer_body, replay_body

CURRENT = "3.0"
HEADER = b"x-schema-version"

Converter = Callable[[Any], Any]


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


@dataclass(frozen=True)
class SchemaAdapter:
    """One step between ``version`` and the next newer schema, for one route.

    ``path``: a regular expression matched against the whole request path (e.g.
    ``r"/api/v1/exchange/notary/contracts"``); ``request`` converts a body of ``version`` into the
    next version's shape, ``response`` a 2xx body of the next version into ``version``'s."""

    version: str
    method: str
    path: str
    request: Converter | None = None
    response: Converter | None = None
    _pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pattern", re.compile(self.path))

    def applies(self, method: str, path: str) -> bool:
        return method == self.method and self._pattern.fullmatch(path) is not None


class SchemaVersions:
    """The declared older versions and their adapters."""

    def __init__(self, current: str = CURRENT) -> None:
        self.current = current
        self.notes: dict[str, str] = {current: "phiên bản hiện hành / current"}
        self.adapters: list[SchemaAdapter] = []

    def declare(self, version: str, note: str) -> None:
        if version_key(version) >= version_key(self.current):
            raise ValueError(f"{version} is not older than the current schema {self.current}")
        self.notes[version] = note

    def register(self, adapter: SchemaAdapter) -> None:
        if adapter.version not in self.notes or adapter.version == self.current:
            raise ValueError(f"declare schema {adapter.version} before registering adapters for it")
        self.adapters.append(adapter)

    def supported(self) -> list[str]:
        return sorted(self.notes, key=version_key)

    def chain(self, version: str, method: str, path: str) -> list[SchemaAdapter]:
        """The steps for a partner on ``version``, newest first (the order responses go down)."""
        wanted = version_key(version)
        steps = [a for a in self.adapters if version_key(a.version) >= wanted and a.applies(method, path)]
        return sorted(steps, key=lambda a: version_key(a.version), reverse=True)


def _header(scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1").strip()
    return None


async def _json_error(send, status: int, detail: str) -> None:
    body = orjson.dumps({"detail": detail})
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class SchemaVersionMiddleware:
    def __init__(self, app) -> None:
        self.app = app
        self.versions: SchemaVersions | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        version = _header(scope, HEADER)
        if version is None:
            return await self.app(scope, receive, send)
        versions: SchemaVersions = scope["app"].state.schema_versions
        if version not in versions.notes:
            return await _json_error(send, 400, (
                f"Phiên bản lược đồ '{version[:20]}' không được hỗ trợ; hỗ trợ: {', '.join(versions.supported())} / "
                "unsupported X-Schema-Version"))
        steps = versions.chain(version, scope["method"], scope["path"])
        echo = (b"x-schema-version", version.encode())
        if steps and any(s.request for s in steps):
            body, _ = await buffer_body(receive)
            if body:
                try:
                    data = orjson.loads(body)
                except orjson.JSONDecodeError:
                    return await _json_error(send, 400, "Nội dung JSON không hợp lệ / malformed JSON body")
                for step in reversed(steps):  # up: oldest step first
                    if step.request:
                        data = step.request(data)
                body = orjson.dumps(data)
            scope = dict(scope, headers=[(k, v) for k, v in scope["headers"] if k != b"content-length"]
                         + [(b"content-length", str(len(body)).encode())])
            receive = replay_body(body, receive)  # the body read, then the original (disconnect)
        down = [s.response for s in steps if s.response]
        await self.app(scope, receive, _ResponseAdapter(send, echo, down))


class _ResponseAdapter:
    """Adds the echo header; with response steps, buffers a 2xx JSON answer and converts it."""

    def __init__(self, send, echo: tuple[bytes, bytes], steps: list[Converter]) -> None:
        self.send, self.echo, self.steps = send, echo, steps
        self.start: dict | None = None
        self.chunks: list[bytes] = []

    async def __call__(self, message) -> None:
        if message["type"] == "http.response.start":
            message = dict(message, headers=[*message.get("headers", []), self.echo])
            json_ok = 200 <= message["status"] < 300 and any(
                k.lower() == b"content-type" and v.startswith(b"application/json") for k, v in message["headers"])
            if not self.steps or not json_ok:
                self.steps = []
                return await self.send(message)
            self.start = message
            return None
        if message["type"] != "http.response.body" or self.start is None:
            return await self.send(message)
        self.chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return None
        data = orjson.loads(b"".join(self.chunks))
        for step in self.steps:  # down: newest step first
            data = step(data)
        body = orjson.dumps(data)
        headers = [(k, v) for k, v in self.start["headers"] if k.lower() != b"content-length"]
        await self.send(dict(self.start, headers=[*headers, (b"content-length", str(len(body)).encode())]))
        await self.send({"type": "http.response.body", "body": body})


def install_schema_versions(app, versions: SchemaVersions | None = None) -> SchemaVersions:
    """Put the middleware on ``app`` (inside the protection middleware: size limits, rate limits
    and CSRF apply first) with an empty registry of older versions."""
    app.state.schema_versions = versions or SchemaVersions()
    app.add_middleware(SchemaVersionMiddleware)
    return app.state.schema_versions
