"""The parcel read as the API (``web/api/parcels.py``) and the map page (``web/ui/parcel_map.py``)
use it: the statements and the shaping of ``store/parcel_rights.py``, with what the caller may see
decided from its role — personal numbers masked and birth dates shown as a year unless the role
needs them (a citizen sees their own in full) — and the statements compiled for the fast reads of
``web/reads.py``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, literal, select

from datdai.auth.roles import CITIZEN
from datdai.store.ownership import citizen_parcel_ids, number_param
from datdai.store.parcel_rights import (
    ID_QUERY,
    KEY_QUERY,
    PARCEL_COLUMNS,
    RIGHTS_QUERY,
    birth_text,
)
from datdai.store.parcel_rights import fill_rights as _fill_rights
from datdai.web.auth import Principal
from datdai.web.reads import Read
from datdai.web.routing import full_numbers

__all__ = ["ID_READ", "KEY_READ", "OWNED", "OWNED_READ", "PARCEL_COLUMNS", "RIGHTS_QUERY", "RIGHTS_READ",
           "STAFF_READERS", "attach_rights", "birth_text", "fill_rights"]

STAFF_READERS = ("admin", "can_bo_du_lieu", "mot_cua", "lanh_dao", "kiem_toan")

# built once: statement construction is a measurable part of a lookup (a load-benchmark target)
KEY_READ = Read(KEY_QUERY)
ID_READ = Read(ID_QUERY)
OWNED = select(literal(1)).where(bindparam("parcel_id").in_(citizen_parcel_ids(number_param())))
OWNED_READ = Read(OWNED)
RIGHTS_READ = Read(RIGHTS_QUERY, expanding="parcel_ids")


def fill_rights(parcels_out: list[dict[str, Any]], rows, principal: Principal) -> list[str]:
    """Fill each parcel's ``rights`` from the rows of :data:`RIGHTS_QUERY` as ``principal`` may see
    them; returns the access-log subjects touched."""
    mine = principal.personal_number if principal.role == CITIZEN else None
    return _fill_rights(parcels_out, rows, everyone=full_numbers(principal), mine=mine)


def attach_rights(conn: Connection, parcels_out: list[dict[str, Any]], principal: Principal) -> list[str]:
    """:func:`fill_rights` with the rows read on ``conn``."""
    if not parcels_out:
        return []
    return fill_rights(parcels_out, conn.execute(RIGHTS_QUERY, {"parcel_ids": [x["id"] for x in parcels_out]}),
                       principal)
