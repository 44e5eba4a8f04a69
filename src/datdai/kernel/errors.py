"""The one family of errors a user can act on: a request that cannot be done as asked, nothing
changed. Each kind carries its HTTP status (``web/routing.py`` answers every one of them the same
way) and its exit code (``cli.py`` exits with it); the message is Vietnamese first, then English.

Errors of the program itself (a bug, a broken invariant) are not in this family: they surface
as HTTP 500 and exit code 1.
"""

from __future__ import annotations


class DatdaiError(Exception):
    """A request that cannot be done as asked; nothing was changed."""

    http_status = 400
    exit_code = 2
    field: str | None = None  # the field at fault, when one is


class InvalidInput(DatdaiError):
    """Input that does not follow the format or the rules (a file, a field, an option)."""

    http_status = 422


class NotFound(DatdaiError):
    http_status = 404


class Forbidden(DatdaiError):
    """The role or the admin scope does not allow it."""

    http_status = 403


class Conflict(DatdaiError):
    """Not possible in the current state (a dossier's state, a record changed since)."""

    http_status = 409


class Unavailable(DatdaiError):
    """A resource the request needs cannot be reached or used (the store, a partner)."""

    http_status = 503
