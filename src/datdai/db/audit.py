"""The audit trail: the one place through which land and owner data change.

Every insert, update and delete of an audited table (``schema.AUDITED_TABLES``) is written with
its batch (actor, time, reason, source such as "reconcile batch 12") and the row before and
after. A single change or a whole batch can be reverted; a revert is itself a new audited batch,
and refuses to run over a record that has changed since (the person must look first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import shapely
from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Numeric,
    Table,
    bindparam,
    insert,
    select,
    text,
    update,
)
from sqlalchemy import delete as sa_delete

from datdai.db.geometry import Geometry
from datdai.db.schema import AUDITED_TABLES, audit_batches, audit_changes
from datdai.kernel.errors import Conflict


class AuditError(Conflict):
    """A change that cannot be made or reverted as asked."""


class RevertConflict(AuditError):
    """The record changed after the change being reverted."""


def _to_json(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):  # a JSON column (e.g. a dossier's payload)
        return {str(k): _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    if isinstance(value, Decimal):
        # canonical text, so that 0.5 and 0.5000000000 (read back from NUMERIC) compare equal
        return format(value.normalize(), "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, shapely.Geometry):
        return shapely.to_wkb(value, hex=True, include_srid=True)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex().upper()
    raise TypeError(f"cannot record {type(value).__name__} in the audit trail")


def _from_json(table: Table, column: str, value: Any) -> Any:
    if value is None:
        return None
    col_type = table.c[column].type
    if isinstance(col_type, Geometry):
        return shapely.from_wkb(value)
    if isinstance(col_type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(col_type, Date):
        return dt.date.fromisoformat(value)
    if isinstance(col_type, Numeric) and col_type.asdecimal:
        return Decimal(value)
    return value


def snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _to_json(v) for k, v in row.items()}


def _restore(table: Table, snap: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _from_json(table, k, v) for k, v in snap.items()}


def _full_row(table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
    """The row as the database will hold it: absent columns take their scalar default or NULL."""
    out = {}
    for col in table.columns:
        if col.name == "id":
            continue
        if col.name in values:
            out[col.name] = values[col.name]
        elif col.default is not None and col.default.is_scalar:
            out[col.name] = col.default.arg
        else:
            out[col.name] = None
    unknown = set(values) - set(out)
    if unknown:
        raise AuditError(f"cột không có trong bảng {table.name}: {sorted(unknown)} / unknown columns")
    return out


def _table(name: str) -> Table:
    try:
        return AUDITED_TABLES[name]
    except KeyError:
        raise AuditError(f"bảng '{name}' không thuộc nhật ký thay đổi / not an audited table") from None


@dataclass(frozen=True, slots=True)
class Change:
    id: int
    batch_id: int
    entity: str
    entity_id: int
    action: str
    before: dict | None
    after: dict | None
    actor: str
    source: str
    reason: str
    at: dt.datetime
    reverts_change_id: int | None
    reverted_by_change_id: int | None


class AuditTrail:
    """One batch of changes, open on a connection inside the caller's transaction."""

    def __init__(self, conn: Connection, *, actor: str, source: str, reason: str,
                 reverts_batch_id: int | None = None) -> None:
        if not actor or not source or not reason:
            raise AuditError("mỗi thay đổi cần người thực hiện, nguồn và lý do / actor, source, reason required")
        self.conn = conn
        self.batch_id: int = conn.execute(
            insert(audit_batches).returning(audit_batches.c.id),
            {
                "actor": actor,
                "source": source,
                "reason": reason,
                "created_at": dt.datetime.now(dt.UTC),
                "reverts_batch_id": reverts_batch_id,
            },
        ).scalar_one()

    def _record(self, entity: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(audit_changes), [{"batch_id": self.batch_id, "entity": entity, **r} for r in rows])

    def insert(self, table_name: str, values: Mapping[str, Any]) -> int:
        return self.insert_many(table_name, [values])[0]

    def insert_many(self, table_name: str, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert rows (in one round of executemany) and record each; returns their ids in order."""
        if not rows:
            return []
        table = _table(table_name)
        rows = [_full_row(table, r) for r in rows]
        if self.conn.dialect.name == "postgresql":
            # Take the ids from the sequence first, then a plain executemany (psycopg pipelines
            # it); INSERT … RETURNING for thousands of rows makes one huge statement that psycopg
            # re-parses on every page, several times slower.
            ids = list(self.conn.execute(
                text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                {"t": table.name, "n": len(rows)},
            ).scalars())
            self.conn.execute(insert(table), [{"id": i, **r} for i, r in zip(ids, rows, strict=True)])
        else:
            ids = list(
                self.conn.execute(
                    insert(table).returning(table.c.id, sort_by_parameter_order=True), list(rows)
                ).scalars()
            )
        self._record(
            table_name,
            [
                {"entity_id": i, "action": "insert", "before": None, "after": snapshot({"id": i, **r})}
                for i, r in zip(ids, rows, strict=True)
            ],
        )
        return ids

    def _current(self, table: Table, entity_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(select(table).where(table.c.id == entity_id)).mappings().first()
        return dict(row) if row is not None else None

    def update(self, table_name: str, entity_id: int, changes: Mapping[str, Any]) -> bool:
        """Update one row; records only when something really changes. Returns whether it did."""
        table = _table(table_name)
        before = self._current(table, entity_id)
        if before is None:
            raise AuditError(f"không có bản ghi {table_name} #{entity_id} / no such record")
        if "id" in changes:
            raise AuditError("không được đổi khóa chính / the id cannot change")
        after = {**before, **changes}
        before_s, after_s = snapshot(before), snapshot(after)
        if before_s == after_s:
            return False
        self.conn.execute(update(table).where(table.c.id == entity_id).values(**changes))
        self._record(table_name, [{"entity_id": entity_id, "action": "update", "before": before_s, "after": after_s}])
        return True

    def update_many(self, table_name: str, changes: Mapping[int, Mapping[str, Any]]) -> dict[int, int]:
        """Update several rows, each with its own changes, in a few statements; records only the
        rows that really change. Returns entity id → id of its recorded change."""
        table = _table(table_name)
        ids = list(changes)
        befores: dict[int, dict[str, Any]] = {}
        for i in range(0, len(ids), 1000):
            for row in self.conn.execute(select(table).where(table.c.id.in_(ids[i: i + 1000]))).mappings():
                befores[row["id"]] = dict(row)
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        records: list[dict[str, Any]] = []
        for entity_id in ids:
            values = changes[entity_id]
            if "id" in values:
                raise AuditError("không được đổi khóa chính / the id cannot change")
            before = befores.get(entity_id)
            if before is None:
                raise AuditError(f"không có bản ghi {table_name} #{entity_id} / no such record")
            before_s, after_s = snapshot(before), snapshot({**before, **values})
            if before_s == after_s:
                continue
            cols = tuple(sorted(values))
            groups.setdefault(cols, []).append({"_id": entity_id, **{f"_v_{c}": values[c] for c in cols}})
            records.append({"entity_id": entity_id, "action": "update", "before": before_s, "after": after_s})
        for cols, params in groups.items():
            stmt = (update(table).where(table.c.id == bindparam("_id"))
                    .values({c: bindparam(f"_v_{c}", type_=table.c[c].type) for c in cols}))
            self.conn.execute(stmt, params)
        if not records:
            return {}
        rows = [{"batch_id": self.batch_id, "entity": table_name, **r} for r in records]
        if self.conn.dialect.name == "postgresql":
            change_ids = list(self.conn.execute(
                text("SELECT nextval(pg_get_serial_sequence('audit_changes', 'id')) FROM generate_series(1, :n)"),
                {"n": len(rows)}).scalars())
            self.conn.execute(insert(audit_changes), [{"id": i, **r} for i, r in zip(change_ids, rows, strict=True)])
        else:
            change_ids = list(self.conn.execute(
                insert(audit_changes).returning(audit_changes.c.id, sort_by_parameter_order=True), rows).scalars())
        return {r["entity_id"]: i for r, i in zip(records, change_ids, strict=True)}

    def delete(self, table_name: str, entity_id: int) -> None:
        table = _table(table_name)
        before = self._current(table, entity_id)
        if before is None:
            raise AuditError(f"không có bản ghi {table_name} #{entity_id} / no such record")
        self.conn.execute(sa_delete(table).where(table.c.id == entity_id))
        self._record(table_name, [{"entity_id": entity_id, "action": "delete", "before": snapshot(before), "after": None}])


def _change_rows(conn: Connection, where) -> list[Change]:
    q = (
        select(audit_changes, audit_batches.c.actor, audit_batches.c.source, audit_batches.c.reason,
               audit_batches.c.created_at)
        .join(audit_batches, audit_batches.c.id == audit_changes.c.batch_id)
        .where(where)
        .order_by(audit_changes.c.id)
    )
    return [
        Change(id=r.id, batch_id=r.batch_id, entity=r.entity, entity_id=r.entity_id, action=r.action,
               before=r.before, after=r.after, actor=r.actor, source=r.source, reason=r.reason,
               at=r.created_at, reverts_change_id=r.reverts_change_id,
               reverted_by_change_id=r.reverted_by_change_id)
        for r in conn.execute(q)
    ]


def history(conn: Connection, entity: str, entity_id: int) -> list[Change]:
    """Every recorded change of one record, oldest first."""
    _table(entity)
    return _change_rows(conn, (audit_changes.c.entity == entity) & (audit_changes.c.entity_id == entity_id))


def batch_changes(conn: Connection, batch_id: int) -> list[Change]:
    return _change_rows(conn, audit_changes.c.batch_id == batch_id)


def _undo_one(trail: AuditTrail, change: Change) -> int:
    """Apply the inverse of ``change`` in ``trail``; returns the id of the recorded inverse change."""
    if change.reverted_by_change_id is not None:
        raise AuditError(f"thay đổi #{change.id} đã được hoàn tác / change already reverted")
    table = _table(change.entity)
    current = trail._current(table, change.entity_id)
    current_s = snapshot(current) if current is not None else None
    if current_s != change.after:
        raise RevertConflict(
            f"{change.entity} #{change.entity_id} đã thay đổi sau thay đổi #{change.id}: "
            "cần xem xét trước khi hoàn tác / the record changed afterwards"
        )
    conn = trail.conn
    if change.action == "insert":
        conn.execute(sa_delete(table).where(table.c.id == change.entity_id))
        inverse = {"action": "delete", "before": change.after, "after": None}
    elif change.action == "delete":
        conn.execute(insert(table).values(**_restore(table, change.before)))
        inverse = {"action": "insert", "before": None, "after": change.before}
    else:
        values = _restore(table, change.before)
        values.pop("id", None)
        conn.execute(update(table).where(table.c.id == change.entity_id).values(**values))
        inverse = {"action": "update", "before": change.after, "after": change.before}
    new_id = conn.execute(
        insert(audit_changes).returning(audit_changes.c.id),
        {"batch_id": trail.batch_id, "entity": change.entity, "entity_id": change.entity_id,
         "reverts_change_id": change.id, **inverse},
    ).scalar_one()
    conn.execute(update(audit_changes).where(audit_changes.c.id == change.id).values(reverted_by_change_id=new_id))
    return new_id


def _load_change(conn: Connection, change_id: int) -> Change:
    found = _change_rows(conn, audit_changes.c.id == change_id)
    if not found:
        raise AuditError(f"không có thay đổi #{change_id} / no such change")
    return found[0]


def revert_change(conn: Connection, change_id: int, *, actor: str, reason: str) -> int:
    """Revert one change; returns the id of the new (revert) batch."""
    change = _load_change(conn, change_id)
    trail = AuditTrail(conn, actor=actor, source=f"hoàn tác thay đổi #{change_id}", reason=reason)
    _undo_one(trail, change)
    return trail.batch_id


def revert_batch(conn: Connection, batch_id: int, *, actor: str, reason: str) -> int:
    """Revert every change of a batch, newest first; all or nothing (caller's transaction)."""
    batch = conn.execute(select(audit_batches).where(audit_batches.c.id == batch_id)).first()
    if batch is None:
        raise AuditError(f"không có lô thay đổi #{batch_id} / no such batch")
    if batch.reverted_by_batch_id is not None:
        raise AuditError(f"lô #{batch_id} đã được hoàn tác / batch already reverted")
    trail = AuditTrail(conn, actor=actor, source=f"hoàn tác lô #{batch_id}", reason=reason,
                       reverts_batch_id=batch_id)
    for change in reversed(batch_changes(conn, batch_id)):
        if change.reverted_by_change_id is None:
            _undo_one(trail, change)
    conn.execute(update(audit_batches).where(audit_batches.c.id == batch_id)
                 .values(reverted_by_batch_id=trail.batch_id))
    return trail.batch_id


def batches(conn: Connection, source_prefix: str | None = None) -> Iterable[Any]:
    q = select(audit_batches).order_by(audit_batches.c.id)
    if source_prefix:
        q = q.where(audit_batches.c.source.startswith(source_prefix))
    return conn.execute(q).all()
