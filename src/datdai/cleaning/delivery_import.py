"""Importing a contractor's delivery into the store (``datdai import``).

Read (ingest readers) → check (quality rules, DuckDB) → convert (``delivery_to_dataset``) →
in ONE transaction: refuse a delivery already imported (same fingerprint: nothing changes) or
one whose communes already hold data; load the land data (one audit batch); record the quality
run and its findings; apply the safe automatic fixes (a second audit batch, revertible on its
own). Any error rolls everything back: nothing of the delivery is stored.

A delivery for a commune already in the store is refused here: a contractor's corrected delivery
is planned and applied parcel by parcel by :mod:`datdai.cleaning.redelivery` (``datdai import --plan`` /
``--cap-nhat``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

from datdai.cleaning.check import read_delivery
from datdai.cleaning.config import CheckConfig, load_config
from datdai.cleaning.readers.errors import DeliveryError
from datdai.cleaning.runner import run_rules
from datdai.cleaning.store_findings import AutoFixResult, apply_auto_fixes, record_check
from datdai.cleaning.to_dataset import delivery_to_dataset
from datdai.compute import open_engine
from datdai.db import schema as s
from datdai.db.engine import StoreError
from datdai.db.store import Store
from datdai.kernel.errors import Conflict
from datdai.land.repository import load_dataset

Progress = Callable[[str, int, int], None]


class DeliveryConflict(StoreError, Conflict):
    """The delivery's communes already hold data from another delivery (exit code 2)."""


@dataclass
class ImportResult:
    fingerprint: str
    delivery_id: int
    already_imported: bool = False
    imported_at: dt.datetime | None = None
    run_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    findings_by_rule: dict[str, int] = field(default_factory=dict)
    auto_fixed: int = 0
    auto_fixed_by_rule: dict[str, int] = field(default_factory=dict)
    load_batch_id: int | None = None
    fix_batch_id: int | None = None
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------- fingerprint


def _files_of(path: Path) -> list[Path]:
    """The files making up a map or register source: the file; a Shapefile with its sidecars;
    every file of a folder (Shapefile folder, DGN sheets)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    if not path.is_file():
        raise DeliveryError(path, "không tìm thấy tệp / file not found")
    if path.suffix.lower() == ".shp":
        stem = path.stem.lower()
        return sorted(p for p in path.parent.iterdir() if p.is_file() and p.stem.lower() == stem)
    return [path]


def _hash_source(h: hashlib._Hash, path: Path) -> None:
    """File names do not count (a renamed delivery is the same delivery), except inside a
    folder and the extensions of a Shapefile's parts."""
    files = _files_of(path)
    if not path.is_dir():
        files.sort(key=lambda f: f.suffix.lower())
    for f in files:
        label = (f.relative_to(path).as_posix() if path.is_dir()
                 else f.suffix.lower() if len(files) > 1 else "")
        h.update(label.encode() + b"\x00")
        with f.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
        h.update(b"\x1e")


def config_digest(config) -> str:
    """The check configuration as canonical JSON (what changes the findings, not the file's text)."""
    return json.dumps({
        "srid": config.srid, "ma_xa": config.ma_xa, "so_to": config.so_to,
        "disabled": sorted(config.disabled), "rules": config.rule_params,
    }, sort_keys=True, default=str, ensure_ascii=False)


def delivery_fingerprint(parcels: str | Path, register: str | Path, config=None) -> str:
    """sha256 of the parcel file(s), the register file and the check configuration."""

    h = hashlib.sha256()
    _hash_source(h, Path(parcels))
    h.update(b"\x1d")
    _hash_source(h, Path(register))
    h.update(b"\x1d")
    h.update(config_digest(config or CheckConfig()).encode())
    return h.hexdigest()


# ---------------------------------------------------------------- the import


def find_delivery(conn: Connection, fingerprint: str):
    d = s.deliveries
    return conn.execute(select(d).where(d.c.fingerprint == fingerprint)).first()


def _already(row) -> ImportResult:
    return ImportResult(fingerprint=row.fingerprint, delivery_id=row.id, already_imported=True,
                        imported_at=row.imported_at, counts=dict(row.counts or {}),
                        load_batch_id=row.audit_batch_id)


def occupied_communes(conn: Connection, communes: list[str]) -> dict[str, str]:
    """The communes among ``communes`` that already hold parcels → what loaded them."""
    p, rc, r, d = s.parcels, s.quality_run_communes, s.quality_runs, s.deliveries
    found: set[str] = set()
    for i in range(0, len(communes), 500):
        chunk = communes[i: i + 500]
        found.update(conn.execute(select(p.c.commune_code).where(p.c.commune_code.in_(chunk)).distinct()).scalars())
    if not found:
        return {}
    origin = {c: "" for c in found}
    q = (select(rc.c.commune_code, d.c.id, d.c.parcel_source, d.c.imported_at)
         .join(r, r.c.id == rc.c.run_id).join(d, d.c.id == r.c.delivery_id)
         .where(rc.c.commune_code.in_(sorted(found))).order_by(d.c.id))
    for code, did, src, at in conn.execute(q):
        origin[code] = f"giao nộp #{did} ({src}, {at:%d/%m/%Y})"
    return dict(sorted(origin.items()))


def import_delivery(store: Store, parcels: str | Path, register: str | Path, *,
                    config: str | Path | None = None, actor: str = "datdai",
                    progress: Progress | None = None, engine: str = "duckdb") -> ImportResult:
    """Import a delivery (see the module documentation). Raises :class:`DeliveryError` for an
    unreadable delivery, :class:`DeliveryConflict` for communes already in the store."""

    parcels, register = Path(parcels), Path(register)
    timings: dict[str, float] = {}
    cfg = load_config(config)
    t0 = time.perf_counter()
    fp = delivery_fingerprint(parcels, register, cfg)
    with store.read() as conn:
        row = find_delivery(conn, fp)
    if row is not None:
        return _already(row)
    timings["fingerprint"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    read = read_delivery(parcels, register, cfg)
    layer, reg = read.parcels, read.register
    timings["read"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with open_engine(engine) as eng:
        result = run_rules(layer.table, reg.table, engine=eng, config=cfg, progress=progress,
                           map_issues=layer.issues)
    timings["check"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    dataset, links = delivery_to_dataset(layer.table, reg.table, layer.srid)
    timings["convert"] = time.perf_counter() - t0

    with store.transaction() as conn:
        out = store_delivery(conn, dataset, links, result, fingerprint=fp, parcel_source=parcels.name,
                             register_source=register.name, actor=actor, engine=engine,
                             params=cfg.rule_params, progress=progress)
    out.warnings = list(read.warnings)
    out.timings = {**timings, **out.timings}
    return out


def store_delivery(conn: Connection, dataset, links, result, *, fingerprint: str, parcel_source: str,
                   register_source: str, actor: str, engine: str | None = None,
                   params: dict | None = None, progress: Progress | None = None,
                   auto_fix: bool = True) -> ImportResult:
    """The stored part of an import, in the caller's transaction: refuse a known fingerprint
    (returns ``already_imported``) or occupied communes (:class:`DeliveryConflict`), load the
    dataset, record the check, apply the automatic fixes (unless ``auto_fix`` is False: every
    proposal then waits for a person)."""

    row = find_delivery(conn, fingerprint)
    if row is not None:
        return _already(row)
    communes = sorted({p.commune_code for p in dataset.parcels})
    taken = occupied_communes(conn, communes)
    if taken:
        names = ", ".join(f"{c}{' — ' + o if o else ''}" for c, o in taken.items())
        raise DeliveryConflict(
            f"xã đã có dữ liệu trong cơ sở dữ liệu: {names}. Giao nộp sửa cho xã đã có dữ liệu: "
            "xem trước thay đổi theo từng thửa bằng --plan, áp dụng bằng --cap-nhat / communes "
            "already hold data: see the per-parcel plan with --plan, apply it with --cap-nhat")
    timings: dict[str, float] = {}
    source = f"nhập giao nộp / import {parcel_source} + {register_source}"
    t0 = time.perf_counter()
    loaded = load_dataset(conn, dataset, actor=actor, source=source,
                          reason="nhập dữ liệu giao nộp / delivery import", progress=progress)
    timings["load"] = time.perf_counter() - t0
    now = dt.datetime.now(dt.UTC)
    delivery_id = conn.execute(insert(s.deliveries).returning(s.deliveries.c.id), {
        "fingerprint": fingerprint, "parcel_source": parcel_source, "register_source": register_source,
        "imported_at": now, "actor": actor, "audit_batch_id": loaded.batch_id, "counts": {},
    }).scalar_one()
    t0 = time.perf_counter()
    run_id = record_check(conn, result, actor=actor, source=source, delivery_id=delivery_id,
                          links=links, engine=engine, params=params)
    timings["record"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    fixes = apply_auto_fixes(conn, run_id, actor=actor) if auto_fix else AutoFixResult()
    timings["auto_fix"] = time.perf_counter() - t0
    counts = {
        "parcels": loaded.parcels, "parties": loaded.parties,
        "identity_documents": loaded.identity_documents, "holdings": loaded.holdings,
        "rights": loaded.rights, "certificates": loaded.certificates,
        "findings": result.findings.num_rows, "auto_fixed": fixes.fixed,
        "skipped_features": len(links.skipped_features),
        "skipped_register_rows": len(links.skipped_register_rows),
    }
    conn.execute(update(s.deliveries).where(s.deliveries.c.id == delivery_id).values(counts=counts))
    return ImportResult(
        fingerprint=fingerprint, delivery_id=delivery_id, imported_at=now, run_id=run_id, counts=counts,
        findings_by_rule=result.count_by_rule(), auto_fixed=fixes.fixed,
        auto_fixed_by_rule=dict(fixes.by_rule), load_batch_id=loaded.batch_id,
        fix_batch_id=fixes.batch_id, timings=timings)
