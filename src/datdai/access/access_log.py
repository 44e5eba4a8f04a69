"""The access log of personal data (Decree 13/2023): who, in which role, when (UTC), did what to
which resource, for what purpose, touching which people (personal numbers or party ids), from
which address. Append-only: the database rejects UPDATE and DELETE (migration 0005) and, on
SQLite, ``INSERT OR REPLACE`` of an existing row (0009).

**Tamper-evident** (as X-Road's message log): each row carries the SHA-256 of its content and
subjects (``content_hash``, :func:`content_hash`), its place in a chain (``seq`` 1, 2, 3 …), the
previous row's hash (``prev_hash``; 64 zeros for the first) and its own, ``row_hash`` =
SHA-256(``prev_hash`` + ``content_hash``). The chain is made at insert, one writer at a time: on
PostgreSQL a trigger links the row under an advisory lock held until the writer commits (the two
API workers, the pages' and the command line's writes take turns); on SQLite the one INSERT
statement links it (SQLite admits one writer at a time) and a trigger refuses a row that does not
continue the chain. :func:`verify_access_log` (``datdai access-log verify``) walks the chain and
reports every row edited (its content no longer gives its hash), deleted (a gap in ``seq``) or
inserted (a row outside the chain, or one whose link does not match). Deleting the newest rows
leaves a shorter valid chain: the command prints the head (last ``seq`` and hash) so that it can
be written down elsewhere (the monthly report, a ticket) and compared later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, bindparam, func, select, text
from sqlalchemy.types import DateTime

from datdai.access.users import as_utc, utcnow
from datdai.db.schema import access_log, access_log_subjects

GENESIS = "0" * 64
CLI_ROLE = "dong_lenh"  # the role column of a read made on the command line (the OS user acts)
CONTENT_COLUMNS = ("at", "username", "role", "action", "resource", "purpose", "client_ip",
                   "subject_count")


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


def _at_text(at: dt.datetime) -> str:
    return as_utc(at).astimezone(dt.UTC).isoformat(timespec="microseconds")


def content_hash(row: dict, subjects: Sequence[str]) -> str:
    """SHA-256 (hex) of a row's content and subjects, in a canonical form (a JSON array)."""
    values = [_at_text(row["at"]), *(row[c] for c in CONTENT_COLUMNS[1:]), list(subjects)]
    data = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def chain_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


# built once (statement construction is a measurable part of a logged API request)
_INSERT_ENTRY = access_log.insert().returning(access_log.c.id)
_INSERT_SUBJECTS = access_log_subjects.insert()
# SQLite: the row linked to the chain's last row in the same statement (under SQLite's write lock)
_LAST_HASH = ("COALESCE((SELECT row_hash FROM access_log WHERE seq IS NOT NULL "
              "ORDER BY seq DESC LIMIT 1), :genesis)")
SQLITE_CHAIN_INSERT = (
    f"INSERT INTO access_log ({', '.join(CONTENT_COLUMNS)}, content_hash, seq, prev_hash, row_hash) "
    f"VALUES ({', '.join(':' + c for c in CONTENT_COLUMNS)}, :content_hash, "
    "(SELECT COALESCE(MAX(seq), 0) + 1 FROM access_log), "
    f"{_LAST_HASH}, datdai_sha256({_LAST_HASH} || :content_hash))")
_SQLITE_INSERT_ENTRY = text(SQLITE_CHAIN_INSERT + " RETURNING id").bindparams(
    bindparam("at", type_=DateTime(timezone=True)))


def entry_row(*, username: str, role: str, action: str, resource: str, purpose: str,
               subjects: Sequence[str] = (), client_ip: str | None = None,
               at: dt.datetime | None = None) -> tuple[dict, list[str]]:
    """The row to insert (with its ``content_hash``) and its distinct subjects, in order."""
    unique = list(dict.fromkeys(str(s)[:40] for s in subjects if s is not None and str(s) != ""))
    row = {
        "at": at or utcnow(), "username": username[:64], "role": role[:32], "action": action[:60],
        "resource": resource, "purpose": purpose, "client_ip": (client_ip or None) and client_ip[:45],
        "subject_count": len(unique),
    }
    row["content_hash"] = content_hash(row, unique)
    return row, unique


def write_access_log(conn: Connection, *, username: str, role: str, action: str, resource: str,
                     purpose: str, subjects: Sequence[str] = (), client_ip: str | None = None,
                     at: dt.datetime | None = None) -> int:
    row, unique = entry_row(username=username, role=role, action=action, resource=resource,
                             purpose=purpose, subjects=subjects, client_ip=client_ip, at=at)
    if conn.dialect.name == "sqlite":
        log_id = conn.execute(_SQLITE_INSERT_ENTRY, {**row, "genesis": GENESIS}).scalar_one()
    else:  # PostgreSQL: the trigger of migration 0009 links the row
        log_id = conn.execute(_INSERT_ENTRY, row).scalar_one()
    if unique:
        conn.execute(_INSERT_SUBJECTS, [{"log_id": log_id, "subject": s} for s in unique])
    return log_id


# ---------------------------------------------------------------- verification

EDITED, DELETED, INSERTED = "SUA", "XOA", "CHEN"
KIND_TEXT = {EDITED: "bị sửa / edited", DELETED: "bị xóa / deleted",
             INSERTED: "bị chèn / inserted"}


@dataclass(frozen=True)
class ChainProblem:
    kind: str  # EDITED, DELETED, INSERTED
    seq: int | None  # the row's place in the chain (None: a row outside it)
    log_id: int | None
    detail: str


@dataclass
class ChainReport:
    rows: int = 0  # rows in the log
    chained: int = 0  # rows in the chain
    before_chain: int = 0  # rows written before the chain began (migration 0009)
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_access_log(conn: Connection, *, chunk: int = 5000) -> ChainReport:
    """Walk the chain in ``seq`` order, recomputing each row's content hash (with its subjects)
    and link: every row edited, deleted or inserted is a :class:`ChainProblem`."""
    report = ChainReport()
    a, subj = access_log, access_log_subjects
    report.rows = conn.execute(select(func.count()).select_from(a)).scalar_one()
    first_id = conn.execute(select(func.min(a.c.id)).where(a.c.seq.is_not(None))).scalar()
    outside = select(a.c.id).where(a.c.seq.is_(None))
    if first_id is None:
        report.before_chain = report.rows
        return report
    report.before_chain = conn.execute(select(func.count()).select_from(
        outside.where(a.c.id < first_id).subquery())).scalar_one()
    for (log_id,) in conn.execute(outside.where(a.c.id > first_id).order_by(a.c.id)):
        report.problems.append(ChainProblem(INSERTED, None, log_id, "dòng nằm ngoài chuỗi băm "
                                            "(không có số thứ tự trong chuỗi) / a row outside the chain"))
    prev_seq, prev_hash = 0, GENESIS
    while True:
        rows = conn.execute(select(a).where(a.c.seq > prev_seq).order_by(a.c.seq).limit(chunk)).all()
        if not rows:
            break
        subjects: dict[int, list[str]] = {r.id: [] for r in rows}
        for s in conn.execute(select(subj.c.log_id, subj.c.subject)
                              .where(subj.c.log_id.in_(list(subjects))).order_by(subj.c.id)):
            subjects[s.log_id].append(s.subject)
        for r in rows:
            report.chained += 1
            gap = r.seq != prev_seq + 1
            if gap:
                missing = (f"dòng số {prev_seq + 1}" if r.seq == prev_seq + 2
                           else f"các dòng số {prev_seq + 1}–{r.seq - 1}")
                report.problems.append(ChainProblem(
                    DELETED, r.seq, r.id, f"thiếu {missing} của chuỗi trước dòng này / rows missing"))
            elif r.prev_hash != prev_hash:
                report.problems.append(ChainProblem(
                    INSERTED, r.seq, r.id, "mắt xích không khớp dòng trước: có dòng bị chèn hoặc thay "
                    "/ the link does not match the previous row"))
            values = {c: r._mapping[c] for c in CONTENT_COLUMNS}
            if content_hash(values, subjects[r.id]) != r.content_hash:
                report.problems.append(ChainProblem(
                    EDITED, r.seq, r.id, "nội dung (hoặc các chủ thể) không còn khớp mã băm / the "
                    "content or subjects no longer match their hash"))
            elif r.row_hash != chain_hash(r.prev_hash or "", r.content_hash or ""):
                report.problems.append(ChainProblem(
                    EDITED, r.seq, r.id, "mã băm của dòng bị thay / the row's hash was replaced"))
            prev_seq, prev_hash = r.seq, r.row_hash
    report.head_seq, report.head_hash = prev_seq, prev_hash
    return report


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
