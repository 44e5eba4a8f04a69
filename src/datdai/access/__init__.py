"""Who may see what: accounts, passwords, tokens, API keys, principals, roles, the commune scope
(:func:`datdai.access.visibility.scope_clause`), masking of personal data and the access log (no web
here: the FastAPI dependencies are in ``datdai.apps.web.auth``)."""

from datdai.access.principal import Principal
from datdai.access.roles import ROLES

__all__ = ["ROLES", "Principal"]
