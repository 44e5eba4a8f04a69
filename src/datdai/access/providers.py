"""Identity providers: who may prove an identity, and how it maps to a local account.

``POST /api/v1/auth/token`` asks the app's provider (``app.state.identity_provider``; default
:class:`LocalProvider`) to ``authenticate(username, password)``. The provider returns an
:class:`Identity` naming a **local account** (``users.username``) or None. The token is then
issued for that account, whose role and scope always come from the local ``users`` table:
an outside identity proves *who* someone is, never *what they may do* here.

Logging in through a national login (VNeID, or any OpenID Connect provider)
--------------------------------------------------------------------------
OIDC does not pass passwords through us; it is a browser redirect (authorization code flow with
PKCE, state and nonce): :class:`datdai.access.oidc.OidcProvider`, configured by ``DATDAI_OIDC_*``
(docs/citizens.md), driven by the citizens' pages (``web/ui/citizens.py``). The verified ID
token's personal number names the citizen's account (``auth/users.citizen_account``: found or
created, role ``cong_dan``); the session is then an ordinary token from
``datdai.access.tokens.issue_token``, exactly as after a password. Staff log in with local accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sqlalchemy import Engine

from datdai.access.users import check_password


@dataclass(frozen=True)
class Identity:
    username: str  # the local account (users.username) the identity maps to
    display_name: str | None = None
    provider: str = "local"


@runtime_checkable
class IdentityProvider(Protocol):
    """Checks a username and password; the identity of the local account, or None."""

    def authenticate(self, username: str, password: str) -> Identity | None: ...


class LocalProvider:
    """Local accounts: argon2 password hashes in ``users``, with lockout after repeated failures
    (``datdai.access.users.check_password``)."""

    name = "local"

    def __init__(self, engine: Engine):
        self.engine = engine

    def authenticate(self, username: str, password: str) -> Identity | None:
        if not username or not password or len(username) > 200 or len(password) > 1024:
            return None
        with self.engine.begin() as conn:  # the failure count is written even on failure
            user = check_password(conn, username, password)
        if user is None:
            return None
        return Identity(username=user.username, display_name=user.display_name, provider=self.name)
