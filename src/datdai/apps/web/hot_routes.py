"""A short way through the application for the plain case of the two load-benchmark routes.

``GET /api/v1/parcels?ma_xa&so_to&so_thua`` and ``GET /api/v1/exchange/c06/land-by-citizen/{n}``
must serve thousands of authenticated, access-logged requests a second on 2 cores (issue 6).
Measured with py-spy under wrk, FastAPI's per-request machinery (included-router matching,
dependency solving, parameter models, exit stacks, the request and response wrappers) took about
70 % of a worker's CPU for these routes, the route's own work (two indexed reads, masking, the
access-log row, JSON) under a quarter.

A :class:`HotRoute` sits first in the application's routes. Its ``matches`` — synchronous, no I/O —
takes a request only when everything about it is plain: the method and path, every parameter
present at most once and in canonical form, the credentials already in the worker's auth cache, the
role allowed and the commune in scope. It then runs the same code as the FastAPI route
(:attr:`HotRoute.serve`) and sends the answer. Any other request — missing or malformed parameter,
unknown or expired credentials, wrong role or scope — is not matched and goes on to the FastAPI
route, which is the contract (OpenAPI, validation messages, 401/403/422) and answers it as always.
So a hot route cannot answer differently from its FastAPI route; it only answers the plain case
sooner. It runs inside the same middleware (protection, error handling, exception handlers).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from starlette.responses import Response
from starlette.routing import BaseRoute, Match

from datdai.apps.web.auth import Principal, cached_principal

__all__ = ["HotRoute", "install_hot_routes", "plain_int", "query_params"]

# canonical decimal numbers only (FastAPI also accepts "+5", " 5 ", "5.0": those go the long way)
_PLAIN_INT = re.compile(r"0|[1-9][0-9]{0,17}")


def plain_int(text: str | None, low: int, high: int) -> int | None:
    """``text`` as an int when it is a canonical decimal within [low, high], else None."""
    if text is None or not _PLAIN_INT.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def query_params(scope, names: frozenset[str]) -> dict[str, str] | None:
    """The query parameters among ``names`` (others ignored, as FastAPI does); None when one of
    them is repeated or the query string is not plain ASCII without escapes."""
    raw: bytes = scope["query_string"]
    out: dict[str, str] = {}
    if not raw:
        return out
    if b"%" in raw or b"+" in raw or not raw.isascii():
        return None
    for part in raw.decode("ascii").split("&"):
        name, _, value = part.partition("=")
        if name in names:
            if name in out:
                return None
            out[name] = value
    return out


class HotRoute(BaseRoute):
    """``GET`` on paths matching ``pattern`` (whole path, after the root path). ``prepare(scope,
    principal, match)`` returns the arguments of ``serve(app, principal, *args)`` for a plain
    request (the role already checked), or None to leave the request to the FastAPI route."""

    def __init__(self, *, pattern: str, roles: frozenset[str] | tuple[str, ...],
                 prepare: Callable[[Any, Principal, re.Match], tuple | None],
                 serve: Callable[..., Awaitable[Response]]) -> None:
        self.regex = re.compile(pattern)
        self.roles = frozenset(roles)
        self.prepare = prepare
        self.serve = serve
        self.include_in_schema = False

    def matches(self, scope) -> tuple[Match, dict]:
        if scope["type"] != "http" or scope["method"] != "GET":
            return Match.NONE, {}
        path, root = scope["path"], scope.get("root_path")
        if root and path.startswith(root):
            path = path[len(root):]
        match = self.regex.fullmatch(path)
        if match is None:
            return Match.NONE, {}
        principal = cached_principal(scope)
        if principal is None or principal.role not in self.roles:
            return Match.NONE, {}
        args = self.prepare(scope, principal, match)
        if args is None:
            return Match.NONE, {}
        return Match.FULL, {"datdai.hot": (principal, args)}

    async def handle(self, scope, receive, send) -> None:
        principal, args = scope["datdai.hot"]
        response = await self.serve(scope["app"], principal, *args)
        await response(scope, receive, send)


def install_hot_routes(app: FastAPI, routes: list[HotRoute]) -> None:
    """Put ``routes`` first among the application's routes."""
    app.router.routes[0:0] = routes
