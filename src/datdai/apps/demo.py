"""`datdai demo`: synthesise a province, load it into the store, and report what was done.

Stages: synthesise, load, check and fix, reconcile, file this year's dossiers, write last
month's report, create the demo accounts; each prints its own counts.

Resumable by starting over: each stage commits on its own, so a demo killed half-way leaves a store
whose first audit batch is the demo's load and which has no completion record (the audit batch
:data:`DONE_SOURCE`, written last). A rerun on such a store empties it (every migration undone,
then redone) and builds the demo again; a store holding anything else — other data, or a finished
demo — is refused untouched.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, insert, select

from datdai import synth
from datdai.access.demo import DEMO_ACTOR as ACCOUNTS_ACTOR
from datdai.db import migrate
from datdai.db.engine import StoreError, resolve_url
from datdai.db.schema import audit_batches, parties, users
from datdai.db.store import open_store
from datdai.kernel.text import vn_percent
from datdai.land import repository

DEMO_DIR = Path("datdai-demo")
DEMO_ACTOR = "datdai-demo"
LOAD_SOURCE = "datdai demo: tỉnh giả lập"
DONE_SOURCE = "datdai demo: hoàn tất / complete"
EMPTY, UNFINISHED, OTHER = "trống", "demo dở dang", "đã có dữ liệu"


def store_state(conn) -> str:
    """EMPTY; UNFINISHED (written by a demo that did not finish: its load is the first audit batch
    and there is no completion record); OTHER (anything else, a finished demo included)."""
    has_parties = conn.execute(select(func.count()).select_from(parties)).scalar_one() > 0
    first = conn.execute(select(audit_batches.c.actor, audit_batches.c.source)
                         .order_by(audit_batches.c.id).limit(1)).first()
    if first is None and not has_parties:
        return EMPTY
    if first is not None and first.actor == DEMO_ACTOR and first.source.startswith(LOAD_SOURCE):
        done = conn.execute(select(audit_batches.c.id).where(audit_batches.c.source == DONE_SOURCE)).first()
        return OTHER if done is not None else UNFINISHED
    return OTHER


@dataclass
class DemoResult:
    store_url: str
    counts: dict[str, int | str] = field(default_factory=dict)


def _check_and_fix(store, result, delivery_dir: Path, progress) -> dict[str, int | str]:
    """Run the quality checks on the delivery files, keep the findings, apply the safe fixes."""
    from datdai.cleaning.check import check_delivery
    from datdai.cleaning.progress import commune_figures
    from datdai.cleaning.store_findings import apply_auto_fixes, record_check
    from datdai.cleaning.to_dataset import RowLinks
    from datdai.compute import open_engine

    with open_engine("duckdb") as eng:
        checked, read = check_delivery(delivery_dir / "thua_dat.gpkg",
                                       delivery_dir / "so_dia_chinh.csv", engine=eng,
                                       progress=progress)
    # The demo knows which party each register row was written from (truth/owners.csv:
    # ma_dong D0000001 is the first data row), so person findings link to their party.
    header = read.register.header_row
    links = RowLinks(register_party={int(o["ma_dong"][1:]) + header: o["party_id"]
                                     for o in result.truth.owner_rows})
    with store.transaction() as conn:
        run_id = record_check(conn, checked, actor=DEMO_ACTOR, engine="duckdb",
                              source=f"datdai check {delivery_dir}", links=links)
        fixed = apply_auto_fixes(conn, run_id, actor=DEMO_ACTOR)
    figures = commune_figures(checked.findings, checked.parcels)
    parcels = sum(f.parcels for f in figures)
    clean = sum(f.parcels - f.parcels_with_errors for f in figures)
    return {
        "phát hiện lỗi / findings": checked.findings.num_rows,
        "lỗi đã tự sửa / auto-fixed": fixed.fixed,
        "lỗi chờ cán bộ xử lý / open for review": checked.findings.num_rows - fixed.fixed,
        "tỷ lệ thửa sạch / clean parcels": vn_percent(100.0 * clean / parcels if parcels else None),
        "lần kiểm tra / quality run": run_id,
    }


def _reconcile(store, workdir: Path, delivery_dir: Path, progress) -> dict[str, int | str]:
    """Export the store's owners, match them with the population extract loaded in the store, record the
    result and apply the matches through the audit trail (the enrichment figures)."""
    from datdai.matching.reconcile_store import reconcile_store
    from datdai.matching.reconciliation import reconcile_progress

    done = reconcile_store(store, None, workdir / "doi-soat",  # the extract loaded in the store
                           actor=DEMO_ACTOR, progress=progress)
    with store.read() as conn:
        overall = reconcile_progress(conn).overall
    return {
        "lần xuất chủ sử dụng / owners export": done.export_id or 0,
        "dòng chủ sử dụng / owner rows": done.rows,
        "lần đối soát / reconciliation run": done.run_id,
        "người SDĐ khớp CSDL dân cư / land users matched": overall.matched,
        "trường hợp chờ xác minh / cases in review": overall.in_review,
        "người SDĐ không khớp / unmatched": overall.unmatched,
        "hồ sơ đã cập nhật / records updated": overall.updated_text(),
        "lô nhật ký đối soát / reconciliation audit batch": done.applied.batch_id or 0,
    }


def _dossiers(store, url: str, seed: int) -> dict[str, int | str]:
    """This year's dossiers up to today, filed and processed through the real lifecycle."""
    import datetime as dt

    from datdai.db.files import FileStore, default_root
    from datdai.synth.dossiers import generate_dossiers

    today = dt.date.today()
    with store.transaction() as conn:
        summary = generate_dossiers(conn, year=today.year, seed=seed, per_month=40, today=today,
                                    files=FileStore(default_root(url)))
    return {"hồ sơ thủ tục năm nay / dossiers this year": summary.created}


def _report(store, workdir: Path) -> dict[str, int | str]:
    """Last month's Project 06 report (docs/cli.md), in the three formats, into ``bao-cao/``."""
    import datetime as dt

    from datdai.reporting.build import render_many, store_source

    first = dt.date.today().replace(day=1)
    month = f"{first - dt.timedelta(days=1):%Y-%m}"
    out_dir = workdir / "bao-cao"
    out_dir.mkdir(parents=True, exist_ok=True)
    with store.read() as conn:
        source, texts = store_source(conn, month)
    counts: dict[str, int | str] = {}
    for fmt, data in render_many(source, texts, ("docx", "xlsx", "pdf")).items():
        path = out_dir / f"bao-cao-de-an-06-{month}.{fmt}"
        path.write_bytes(data)
        counts[f"báo cáo tháng {month} / monthly report ({fmt.upper()})"] = str(path)
    totals = source.figures.service_totals
    counts["hồ sơ tiếp nhận trong tháng / dossiers received that month"] = totals.total
    counts["trong đó trực tuyến / of them online"] = totals.online
    return counts


def _accounts(store, workdir: Path) -> dict[str, int | str]:
    """The demo accounts of docs/api.md (password ``datdai-demo``, only in the demo); the system
    clients' API keys are shown once: written to ``api-keys.txt`` in the demo folder."""
    from datdai.access.demo import create_demo_accounts

    with store.transaction() as conn:
        accounts = create_demo_accounts(conn)
    keys = workdir / "api-keys.txt"
    keys.parent.mkdir(parents=True, exist_ok=True)
    keys.write_text("".join(f"{client}\t{key}\n" for client, key in accounts.api_keys.items()),
                    encoding="utf-8")
    keys.chmod(0o600)
    return {**accounts.counts(), "khóa API / API keys file": str(keys)}


def existing_demo(workdir: Path = DEMO_DIR) -> str | None:
    """The URL of a complete demo already built in ``workdir`` (its store holds land data and the
    demo accounts), else None."""
    path = workdir / "datdai.db"
    if not path.is_file():
        return None
    url = resolve_url(str(path))
    try:
        store = open_store(url, upgrade=True)  # a demo of an older datdai: brought up to date
    except StoreError:  # a broken demo store: rebuilt
        return None
    try:
        with store.read() as conn:
            land = conn.execute(select(func.count()).select_from(parties)).scalar_one()
            accounts = conn.execute(select(func.count()).select_from(users)
                                    .where(users.c.created_by == ACCOUNTS_ACTOR)).scalar_one()
    finally:
        store.close()
    return url if land and accounts else None


def run_demo(*, parcels: int = 20000, seed: int = 1, db: str | None = None,
             progress: Callable[[str, int, int], None] | None = None,
             workdir: Path = DEMO_DIR) -> DemoResult:
    """Synth → store. The default store is a fresh SQLite file in ``workdir``; a store given by
    ``db`` must be empty (the demo never writes into a database that already holds land data)."""
    delivery_dir = workdir / "giao-nop"
    if db is None:
        if workdir.exists():
            shutil.rmtree(workdir)
        workdir.mkdir(parents=True)
        db = str(workdir / "datdai.db")
    url = resolve_url(db)
    store = open_store(url, create=True)
    try:
        with store.read() as conn:
            state = store_state(conn)
        if state == UNFINISHED:  # a demo killed half-way: start it over on an emptied store
            if progress is not None:
                progress("Dọn dữ liệu của lần demo trước chưa xong / clearing an unfinished demo", 0, 1)
            migrate.downgrade(store.engine, "base")
            migrate.upgrade(store.engine)
        elif state == OTHER:
            raise StoreError(
                f"cơ sở dữ liệu {store.display_url} đã có dữ liệu: demo cần một cơ sở dữ liệu trống / "
                "the database already holds land data: the demo needs an empty one"
            )
        if delivery_dir.exists():  # only now that the store is known to accept the demo
            shutil.rmtree(delivery_dir)
        delivery_dir.mkdir(parents=True)
        result = synth.generate(parcels=parcels, seed=seed, progress=progress)
        files = synth.write(result, delivery_dir)
        with store.transaction() as conn:
            loaded = repository.load_dataset(
                conn, result.land, actor=DEMO_ACTOR, source=f"{LOAD_SOURCE} seed {seed}",
                reason="nạp dữ liệu trình diễn / demo load", progress=progress,
            )
        # the extract as an office loads it (datdai dan-cu nap): from the file, versioned
        from datdai.matching.population_load import load_population

        citizens = load_population(store, delivery_dir / "dan_cu.csv", actor=DEMO_ACTOR).rows
        quality = _check_and_fix(store, result, delivery_dir, progress)
        matching = _reconcile(store, workdir, delivery_dir, progress)
        dossiers = _dossiers(store, url, seed)
        report = _report(store, workdir)
        accounts = _accounts(store, workdir)
        with store.transaction() as conn:  # the last write: this store holds a finished demo
            conn.execute(insert(audit_batches).values(
                actor=DEMO_ACTOR, source=DONE_SOURCE, reason="demo đã dựng xong / demo set up",
                created_at=dt.datetime.now(dt.UTC)))
        counts: dict[str, int | str] = {
            "cơ sở dữ liệu / store": store.display_url,
            "dữ liệu giao nộp / delivery": str(delivery_dir),
        }
        counts.update({f"tệp / file {name}": n for name, n in files.items()})
        counts.update({
            "đơn vị hành chính / admin units": loaded.admin_units,
            "người sử dụng đất / parties": loaded.parties,
            "giấy tờ tùy thân / identity documents": loaded.identity_documents,
            "thửa đất / parcels": loaded.parcels,
            "quyền / rights": loaded.rights,
            "tài sản / assets": loaded.assets,
            "giấy chứng nhận / certificates": loaded.certificates,
            "công dân (CSDLQG) / citizens": citizens,
            "lô nhật ký / audit batch": loaded.batch_id or 0,
        })
        counts.update(quality)
        counts.update(matching)
        counts.update(dossiers)
        counts.update(report)
        counts.update(accounts)
        return DemoResult(store_url=url, counts=counts)
    finally:
        store.close()
