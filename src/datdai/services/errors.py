"""Errors of the dossier workflow, each with the HTTP status the API maps it to."""

from __future__ import annotations


class DossierError(Exception):
    """A request about a dossier that cannot be done as asked; nothing was changed."""

    http_status = 400


class InvalidInput(DossierError):
    http_status = 422


class NotFound(DossierError):
    http_status = 404


class RoleNotAllowed(DossierError):
    """The role may not make this transition (or not on this dossier)."""

    http_status = 403


class TransitionNotAllowed(DossierError):
    """The transition is not allowed from the dossier's current state."""

    http_status = 409


class Conflict(DossierError):
    http_status = 409
