"""Accounts, passwords, tokens, API keys, the access log and identity providers (no web here:
the FastAPI dependencies are in ``datdai.web.auth``)."""

from datdai.auth.principal import Principal
from datdai.auth.roles import ROLES

__all__ = ["ROLES", "Principal"]
