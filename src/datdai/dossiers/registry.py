"""The service catalog as stored: seeded from the catalog data on first use; an office registers
any other procedure it runs with :func:`register_service`.

The stored row is what dossiers are processed by (its limits may be changed by an office without
a new datdai release); the catalog data only seeds codes not yet stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, fields

from sqlalchemy import Connection, insert, select, update

from datdai.db.schema import services
from datdai.dossiers.catalog import DocumentDef, ServiceDef, StepDef, load_catalog
from datdai.dossiers.errors import InvalidInput, NotFound

# ServiceDef fields kept in the definition JSON besides documents and steps (limit_confirmed, note, …)
_EXTRA = tuple(f.name for f in fields(ServiceDef) if f.name not in {
    "code", "name", "group", "limit_days", "limit_days_disadvantaged", "legal_source", "essential",
    "documents", "steps"})


def _row(service: ServiceDef, actor: str) -> dict:
    if not service.code or not service.name:
        raise InvalidInput("dịch vụ cần mã và tên / a service needs a code and a name")
    if not isinstance(service.limit_days, int) or service.limit_days <= 0:
        raise InvalidInput(f"thời hạn giải quyết không hợp lệ: {service.limit_days!r} / invalid limit")
    dis = service.limit_days_disadvantaged
    if dis is not None and (not isinstance(dis, int) or dis <= 0):
        raise InvalidInput(f"thời hạn cho xã khó khăn không hợp lệ: {dis!r} / invalid limit")
    return {
        "code": service.code,
        "name": service.name,
        "group_name": service.group,
        "limit_days": service.limit_days,
        "limit_days_disadvantaged": dis,
        "legal_source": service.legal_source or "",
        "essential": bool(service.essential),
        "definition": {"documents": [asdict(d) for d in service.documents],
                       "steps": [asdict(s) for s in service.steps],
                       **{f: getattr(service, f) for f in _EXTRA if hasattr(service, f)}},
        "registered_at": dt.datetime.now(dt.UTC),
        "registered_by": actor,
    }


def ensure_catalog(conn: Connection, catalog: dict[str, ServiceDef] | None = None) -> int:
    """Store the catalog's services not stored yet; returns how many were added."""
    catalog = load_catalog() if catalog is None else catalog
    have = set(conn.execute(select(services.c.code)).scalars())
    rows = [_row(s, "datdai") for code, s in catalog.items() if code not in have]
    if rows:
        conn.execute(insert(services), rows)
    return len(rows)


def register_service(conn: Connection, service: ServiceDef, *, actor: str = "admin") -> None:
    """Add a procedure, or replace the stored definition of one (limits, documents, steps)."""
    ensure_catalog(conn)
    row = _row(service, actor)
    exists = conn.execute(select(services.c.id).where(services.c.code == service.code)).first()
    if exists:
        conn.execute(update(services).where(services.c.code == service.code).values(**row))
    else:
        conn.execute(insert(services).values(**row))


def _from_row(r) -> ServiceDef:
    definition = r.definition or {}
    return ServiceDef(
        code=r.code, name=r.name, group=r.group_name, limit_days=r.limit_days,
        limit_days_disadvantaged=r.limit_days_disadvantaged, legal_source=r.legal_source,
        documents=tuple(DocumentDef(**d) for d in definition.get("documents", [])),
        steps=tuple(StepDef(**s) for s in definition.get("steps", [])),
        essential=r.essential,
        **{f: definition[f] for f in _EXTRA if f in definition},
    )


def get_service(conn: Connection, code: str) -> ServiceDef:
    ensure_catalog(conn)
    r = conn.execute(select(services).where(services.c.code == code)).first()
    if r is None:
        raise NotFound(f"không có thủ tục '{code}' / no such service")
    return _from_row(r)


def list_services(conn: Connection) -> list[ServiceDef]:
    ensure_catalog(conn)
    return [_from_row(r) for r in conn.execute(select(services).order_by(services.c.code))]
