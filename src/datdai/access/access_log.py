"""The access log of personal data (Decree 13/2023): who, in which role, when (UTC), did what to
which resource, for what purpose, touching which people (personal numbers or party ids), from
which address. Append-only: the database rejects UPDATE and DELETE (migration 0005)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from datdai.access.users import as_utc, utcnow
from datdai.db.schema import access_log, access_log_subjects


@dataclass(frozen=True)
class AccessEntry:
    id: int
    at: dt.datetime
    username: str
    role: str
    action: str
    resource: str
    purpose: str
    client_ip: str | None
    subjects: tuple[str, ...]


# built once (statement construction is a measurable part of a logged API request)
_INSERT_ENTRY = access_log.insert().returning(access_log.c.id)
_INSERT_SUBJECTS = access_log_subjects.insert()


def entry_row(*, username: str, role: str, action: str, resource: str, purpose: str,
               subjects: Sequence[str] = (), client_ip: str | None = None,
               at: dt.datetime | None = None) -> tuple[dict, list[str]]:
    unique = list(dict.fromkeys(str(s)[:40] for s in subjects if s is not None and str(s) != ""))
    return {
        "at": at or utcnow(), "username": username[:64], "role": role[:32], "action": action[:60],
        "resource": resource, "purpose": purpose, "client_ip": (client_ip or None) and client_ip[:45],
        "subject_count": len(unique),
    }, unique


def write_access_log(conn: Connection, *, username: str, role: str, action: str, resource: str,
                     purpose: str, subjects: Sequence[str] = (), client_ip: str | None = None,
                     at: dt.datetime | None = None) -> int:
    row, unique = entry_row(username=username, role=role, action=action, resource=resource,
                             purpose=purpose, subjects=subjects, client_ip=client_ip, at=at)
    log_id = conn.execute(_INSERT_ENTRY, row).scalar_one()
    if unique:
        conn.execute(_INSERT_SUBJECTS, [{"log_id": log_id, "subject": s} for s in unique])
    return log_id


def query_access_log(conn: Connection, *, username: str | None = None, role: str | None = None,
                     action: str | None = None, subject: str | None = None,
                     since: dt.datetime | None = None, until: dt.datetime | None = None,
                     limit: int = 50, offset: int = 0) -> tuple[int, list[AccessEntry]]:
    """(total matching, one page newest first)."""
    where = []
    if username:
        where.append(access_log.c.username == username)
    if role:
        where.append(access_log.c.role == role)
    if action:
        where.append(access_log.c.action == action)
    if since is not None:
        where.append(access_log.c.at >= since)
    if until is not None:
        where.append(access_log.c.at < until)
    if subject:
        where.append(access_log.c.id.in_(
            select(access_log_subjects.c.log_id).where(access_log_subjects.c.subject == subject)))
    total = conn.execute(select(func.count()).select_from(access_log).where(*where)).scalar_one()
    rows = conn.execute(select(access_log).where(*where)
                        .order_by(access_log.c.at.desc(), access_log.c.id.desc())
                        .limit(limit).offset(offset)).all()
    subjects: dict[int, list[str]] = {r.id: [] for r in rows}
    if rows:
        for s in conn.execute(select(access_log_subjects.c.log_id, access_log_subjects.c.subject)
                              .where(access_log_subjects.c.log_id.in_(list(subjects)))
                              .order_by(access_log_subjects.c.id)):
            subjects[s.log_id].append(s.subject)
    return total, [
        AccessEntry(id=r.id, at=as_utc(r.at), username=r.username, role=r.role, action=r.action,
                    resource=r.resource, purpose=r.purpose, client_ip=r.client_ip,
                    subjects=tuple(subjects[r.id]))
        for r in rows
    ]
