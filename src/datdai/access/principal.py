"""Who is calling: an authenticated user or system client, with role and scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from datdai.access.roles import ADMIN, AUDITOR, CITIZEN, FULL_PERSONAL_DATA_ROLES, MANAGER
from datdai.access.scopes import scope_covers


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    scopes: frozenset[str]  # commune (5 digits) and/or province (2 digits) codes; empty = all
    personal_number: str | None  # a citizen's own number
    is_system: bool
    client_ip: str | None = field(default=None, compare=False)  # recorded in the access log

    def can_see_commune(self, commune_code: str) -> bool:
        """Admin → yes. A system client, manager or auditor with an empty scope → yes (the whole
        store); with a scope, only inside it. Staff → only inside their scope (a province code
        covers its communes, old and new codes). A citizen → no commune as such: what a citizen
        may see is decided by ownership (``personal_number``), not by area."""
        if self.role == ADMIN:
            return True
        if self.role == CITIZEN:
            return False
        if not self.scopes:
            return self.is_system or self.role in (MANAGER, AUDITOR)
        return scope_covers(self.scopes, commune_code)

    def needs_full_personal_data(self) -> bool:
        """True for the roles that see personal numbers and birth dates unmasked (see
        ``datdai.access.roles.FULL_PERSONAL_DATA_ROLES``): data officers, one-stop clerks and the
        C06, notary and tax systems. Admin, managers, auditors and citizens see them masked (a
        citizen's own numbers are theirs; routes decide that by ownership)."""
        return self.role in FULL_PERSONAL_DATA_ROLES
