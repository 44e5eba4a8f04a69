"""Identity providers: who may prove an identity, and how it maps to a local account.

``POST /api/v1/auth/token`` asks the app's provider (``app.state.identity_provider``; default
:class:`LocalProvider`) to ``authenticate(username, password)``. The provider returns an
:class:`Identity` naming a **local account** (``users.username``) or None. The token is then
issued for that account, whose role and scope always come from the local ``users`` table:
an outside identity proves *who* someone is, never *what they may do* here.

Plugging in a national login (VNeID, or any OpenID Connect provider)
------------------------------------------------------------------
OIDC does not pass passwords through us; it is a browser redirect (authorization code flow with
PKCE). A provider for it implements :class:`RedirectIdentityProvider`:

1. ``authorization_url(state, nonce, redirect_uri)`` — where to send the browser (the provider's
   ``authorization_endpoint`` from its ``/.well-known/openid-configuration``, with our client id,
   ``scope=openid``, the state/nonce and the PKCE challenge);
2. ``complete(code, state, redirect_uri)`` — exchange the code at the ``token_endpoint``,
   validate the ID token (signature against the provider's JWKS, ``iss``, ``aud`` = our client id,
   ``exp``, ``nonce``) and return an :class:`Identity` whose ``username`` is the local account
   linked to the subject: for VNeID, the account whose ``users.personal_number`` is the verified
   personal number (citizens), or an account provisioned in advance with ``datdai user create``
   (staff). No linked, active account → None (401).

A web route ``GET /api/v1/auth/oidc/callback`` would call ``complete`` and then
``datdai.access.tokens.issue_token`` exactly as the password route does. None is shipped: there is
no VNeID test environment to validate against, and a fake one would only hide the real work.
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


@runtime_checkable
class RedirectIdentityProvider(Protocol):
    """A redirect-based provider (OIDC, VNeID): see the module documentation."""

    def authorization_url(self, state: str, nonce: str, redirect_uri: str) -> str: ...

    def complete(self, code: str, state: str, redirect_uri: str) -> Identity | None: ...


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
