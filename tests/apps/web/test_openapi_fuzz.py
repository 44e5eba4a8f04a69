"""A bounded schemathesis run over /openapi.json (issue 6): no 5xx for any generated input, and
every documented response matches its schema.

The app runs in process (ASGI) on a temporary SQLite store with the small land dataset of the
service tests and the demo accounts. Each operation is called with the token of the demo account
whose role the route is for (clerk for dossiers, manager for stats, each partner for its exchange
routes, the data officer elsewhere), so the generated cases reach the handlers rather than stop at
403. Bounded: few examples per operation, derandomized, no deadline — about a minute in CI.

Known 5xx bugs of routes still being fixed go in ``KNOWN_FAILURES`` (operation label → reason);
those operations are xfailed, not skipped, so they show in the report until fixed.
"""

from __future__ import annotations

from unittest import mock

import pytest
import schemathesis
from argon2 import PasswordHasher
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from datdai.access import passwords
from datdai.access.demo import create_demo_accounts
from datdai.access.tokens import issue_token
from datdai.apps.web.app import create_app
from datdai.apps.web.protection import ProtectionSettings
from datdai.db.store import open_store
from tests.dossiers.dossier_helpers import load_land

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 25

# path prefix under /api/v1 → the demo account whose role the routes are for
ACCOUNT_BY_PREFIX = [
    ("/api/v1/exchange/c06", "c06"),
    ("/api/v1/exchange/notary", "congchung"),
    ("/api/v1/exchange/tax", "thue"),
    ("/api/v1/stats", "lanhdao"),
    ("/api/v1/dossiers", "motcua"),
    ("/api/v1/audit", "kiemtoan"),
    ("/api/v1/access-log", "kiemtoan"),
]
DEFAULT_ACCOUNT = "dulieu"

# "METHOD /path" → why it still fails (a 5xx found by this run, to be fixed in the route)
KNOWN_FAILURES: dict[str, str] = {}


def account_for(path: str) -> str:
    for prefix, account in ACCOUNT_BY_PREFIX:
        if path.startswith(prefix):
            return account
    return DEFAULT_ACCOUNT


# The schema comes from the routes alone, so the app is made at import (schemathesis parametrizes
# the test per operation at collection) and gets its store from the fixture. (The lazy
# ``schemathesis.pytest.from_fixture`` of schemathesis 4.32 fails on pytest 9: it sets
# ``node._nodeid``.)
APP = create_app(None)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def tokens(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "store.db"
    store = open_store(f"sqlite:///{path}", create=True)
    load_land(store)
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with mock.patch.object(passwords, "_hasher", cheap), store.transaction() as conn:
        demo = create_demo_accounts(conn)
        issued = {u: issue_token(conn, u).token for u in demo.usernames}
    APP.state.store = store
    # one client sends every request: the per-client rate limit is tested elsewhere
    APP.state.protection = ProtectionSettings(rate_per_second=0)
    with mock.patch.object(passwords, "_hasher", cheap):  # POST /auth/token stays fast
        yield issued
    APP.state.store = None
    store.close()


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_error_and_responses_match_the_schema(case, tokens):
    label = f"{case.method.upper()} {case.path}"
    if label in KNOWN_FAILURES:
        pytest.xfail(KNOWN_FAILURES[label])
    token = tokens[account_for(case.path)]
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                          checks=[not_a_server_error, response_schema_conformance])
