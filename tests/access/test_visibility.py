"""The one scope clause: an account sees the communes of its scope, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from datdai.access.principal import Principal
from datdai.access.visibility import scope_clause, sees_every_commune, visible_communes

ROWS = [(1, "25216"), (2, "25219"), (3, "26500"), (4, None)]  # two communes of Bình Phước (70), one of Đồng Nai (75)


def _who(role: str, *scopes: str) -> Principal:
    return Principal(username="u", role=role, scopes=frozenset(scopes), personal_number=None,
                     is_system=False)


@pytest.fixture
def places(store):
    table = Table("scope_probe", MetaData(), Column("id", Integer, primary_key=True),
                  Column("commune_code", String(8)))
    with store.transaction() as conn:
        table.create(conn)
        conn.execute(insert(table), [{"id": i, "commune_code": c} for i, c in ROWS])
    return table


def _ids(store, table, principal, **kw) -> list[int]:
    with store.read() as conn:
        clause = scope_clause(conn, principal, table.c.commune_code, **kw)
        return sorted(conn.execute(select(table.c.id).where(clause)).scalars())


@pytest.mark.parametrize(("principal", "ids", "with_unplaced"), [
    (_who("can_bo_du_lieu", "25216"), [1], [1, 4]),
    (_who("can_bo_du_lieu", "70"), [1, 2], [1, 2, 4]),  # a province covers its communes
    (_who("mot_cua", "25219", "26500"), [2, 3], [2, 3, 4]),
    (_who("can_bo_du_lieu"), [], [4]),  # staff without a scope see no commune
    (_who("admin"), [1, 2, 3, 4], [1, 2, 3, 4]),
    (_who("lanh_dao"), [1, 2, 3, 4], [1, 2, 3, 4]),  # a manager without a scope: the whole store
])
def test_each_account_sees_its_communes(store, places, principal, ids, with_unplaced):
    assert _ids(store, places, principal) == ids
    assert _ids(store, places, principal, unplaced=True) == with_unplaced


def test_visible_communes_lists_the_codes_or_none_for_all(store, places):
    with store.read() as conn:
        assert visible_communes(conn, _who("can_bo_du_lieu", "70"), places.c.commune_code) == [
            "25216", "25219"]
        assert visible_communes(conn, _who("admin"), places.c.commune_code) is None
    assert sees_every_commune(_who("lanh_dao")) and not sees_every_commune(_who("lanh_dao", "70"))
