"""Errors of the dossier workflow: the kinds of :mod:`datdai.kernel.errors`, and the two refusals
of the lifecycle. ``DossierError`` is the family's base (older name, kept for the dossier code)."""

from __future__ import annotations

from datdai.kernel.errors import Conflict, DatdaiError, Forbidden, InvalidInput, NotFound

DossierError = DatdaiError


class RoleNotAllowed(Forbidden):
    """The role may not make this transition (or not on this dossier)."""


class TransitionNotAllowed(Conflict):
    """The transition is not allowed from the dossier's current state."""


__all__ = ["Conflict", "DossierError", "Forbidden", "InvalidInput", "NotFound", "RoleNotAllowed",
           "TransitionNotAllowed"]
