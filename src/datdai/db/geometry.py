"""A geometry column that works on SQLite (EWKB in a BLOB) and PostGIS (a real geometry).

Values on the Python side are shapely geometries carrying their SRID (``shapely.get_srid``):
each parcel keeps the SRID of its own VN-2000 TM-3 zone, because a merged 2025 province can
span several zones. On PostgreSQL the column is ``geometry`` with a GiST index; the values go
through ``ST_GeomFromEWKB`` / ``ST_AsEWKB`` so that both backends exchange the same bytes.
"""

from __future__ import annotations

from typing import Any

import shapely
from sqlalchemy import func
from sqlalchemy.types import LargeBinary, TypeDecorator, UserDefinedType


class _PostgisGeometry(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "geometry"

    def bind_expression(self, bindvalue):
        return func.ST_GeomFromEWKB(bindvalue, type_=self)

    def column_expression(self, col):
        # keep the column's own type so that the decorator's result processing applies
        return func.ST_AsEWKB(col, type_=col.type)


class Geometry(TypeDecorator):
    """shapely geometry with SRID ⇄ EWKB (SQLite BLOB) or PostGIS geometry."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(_PostgisGeometry())
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, (bytes, bytearray, memoryview)):
            value = shapely.from_wkb(bytes(value))
        return shapely.to_wkb(value, include_srid=True)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return shapely.from_wkb(bytes(value))
