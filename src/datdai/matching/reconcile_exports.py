"""The owners exports sent for matching: which party and parcel each ``ma_dong`` of a file was.

Written by :func:`datdai.matching.c06_export.export_c06` when it writes a file; a
reconciliation result of that file (ours or C06's) is brought back to the store through it.
Every export is recorded, also a repeat of the same file: each is personal data leaving the
system (who, when, which file).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import islice

from sqlalchemy import Connection, insert

from datdai.db import schema as s

CHUNK = 5000


def record_export(conn: Connection, *, file_name: str, sha256: str, actor: str, scope: str | None,
                  links: Iterable[tuple[str, int | None, int | None, str | None]]) -> int:
    """Store one export and its rows ``(ma_dong, party_id, parcel_id, commune_code)``; returns its id."""
    export_id = conn.execute(insert(s.c06_exports).returning(s.c06_exports.c.id), {
        "created_at": dt.datetime.now(dt.UTC), "actor": actor, "file_name": file_name,
        "sha256": sha256, "row_count": 0, "scope": scope or None,
    }).scalar_one()
    it = iter(links)
    n = 0
    while batch := list(islice(it, CHUNK)):
        conn.execute(insert(s.c06_export_rows), [
            {"export_id": export_id, "ma_dong": m, "party_id": p, "parcel_id": q, "commune_code": c}
            for m, p, q, c in batch])
        n += len(batch)
    conn.execute(s.c06_exports.update().where(s.c06_exports.c.id == export_id).values(row_count=n))
    return export_id
