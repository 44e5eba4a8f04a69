"""`datdai demo`: synth → store, on both backends; a store that holds data is refused untouched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from datdai.apps.demo import OTHER, UNFINISHED, run_demo, store_state
from datdai.db import schema
from datdai.db.engine import StoreError
from datdai.db.store import open_store
from datdai.land import repository


def test_demo_loads_the_synthetic_province(store_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATDAI_FILES", str(tmp_path / "tep"))  # dossier documents (PostgreSQL run)
    workdir = tmp_path / "demo"
    result = run_demo(parcels=600, seed=3, db=store_url, workdir=workdir)
    delivery = workdir / "giao-nop"
    assert {p.name for p in delivery.iterdir()} >= {"thua_dat.gpkg", "so_dia_chinh.csv", "dan_cu.csv",
                                                    "chu_su_dung.csv", "truth"}
    store = open_store(store_url)
    try:
        with store.read() as conn:
            n = repository.counts(conn)
            assert n["parcels"] == result.counts["thửa đất / parcels"] > 600 * 0.9
            # parties loaded, plus the new holders that approved transfer dossiers created
            ab, ac = schema.audit_batches, schema.audit_changes
            by_dossiers = conn.execute(select(func.count()).select_from(
                ac.join(ab, ab.c.id == ac.c.batch_id)).where(
                ac.c.entity == "parties", ac.c.action == "insert",
                ab.c.source.like("dossier %"))).scalar_one()
            assert n["parties"] == result.counts["người sử dụng đất / parties"] + by_dossiers
            assert result.counts["người sử dụng đất / parties"] > 0
            # the demo accounts of docs/api.md, the system clients' keys shown once in a file
            assert conn.execute(select(func.count()).select_from(schema.users)).scalar_one() \
                == result.counts["tài khoản demo / demo accounts"] >= 7
            keys = (workdir / "api-keys.txt").read_text(encoding="utf-8").split()
            assert keys[0::2] == ["c06", "congchung", "thue"] and all(k.startswith("dd_") for k in keys[1::2])
            # a year of dossiers up to today, all through the lifecycle
            assert conn.execute(select(func.count()).select_from(schema.dossiers)).scalar_one() \
                == result.counts["hồ sơ thủ tục năm nay / dossiers this year"] > 0
            assert n["citizens"] == result.counts["công dân (CSDLQG) / citizens"] > n["parties"]
            # every loaded row has its audit record in the one load batch
            audited = conn.execute(select(func.count()).select_from(ac).where(
                ac.c.entity == "parcels",
                ac.c.batch_id == result.counts["lô nhật ký / audit batch"])).scalar_one()
            assert audited == n["parcels"]
            # the quality checks ran: findings stored, the safe ones fixed through the audit trail
            stored = conn.execute(select(func.count()).select_from(schema.findings)).scalar_one()
            assert stored == result.counts["phát hiện lỗi / findings"] > 0
            fixed = conn.execute(select(func.count()).select_from(schema.findings).where(
                schema.findings.c.status == "TU_SUA")).scalar_one()
            assert fixed == result.counts["lỗi đã tự sửa / auto-fixed"] > 0
            assert conn.execute(select(func.count()).select_from(ac).where(
                ac.c.batch_id != result.counts["lô nhật ký / audit batch"])).scalar_one() > 0
            # the reconciliation ran: the owners export recorded, the matches applied in one batch
            run = conn.execute(select(schema.reconcile_runs)).one()
            assert run.id == result.counts["lần đối soát / reconciliation run"]
            assert run.export_id == result.counts["lần xuất chủ sử dụng / owners export"]
            batch = result.counts["lô nhật ký đối soát / reconciliation audit batch"]
            enriched = conn.execute(select(func.count()).select_from(ac).where(
                ac.c.batch_id == batch, ac.c.entity == "parties")).scalar_one()
            assert enriched == result.counts["người SDĐ khớp CSDL dân cư / land users matched"] > 0
            # (later dossiers give personal numbers to new holders too: at least those)
            assert conn.execute(select(func.count()).select_from(schema.parties).where(
                schema.parties.c.personal_number.is_not(None))).scalar_one() >= enriched
            assert result.counts["hồ sơ đã cập nhật / records updated"].startswith(f"{enriched:,}".replace(",", "."))
            assert (workdir / "doi-soat" / "ket_qua_doi_soat.csv").exists()
            # last month's report, in the three formats
            reports = {p.suffix: p for p in (workdir / "bao-cao").iterdir()}
            assert set(reports) == {".docx", ".xlsx", ".pdf"}
            assert reports[".pdf"].read_bytes().startswith(b"%PDF")
            assert all(str(p) in result.counts.values() for p in reports.values())
        before = sorted(p.name for p in delivery.iterdir())
        with pytest.raises(StoreError, match="đã có dữ liệu"):
            run_demo(parcels=600, seed=4, db=store_url, workdir=workdir)
        assert sorted(p.name for p in delivery.iterdir()) == before
        with store.read() as conn:
            assert repository.counts(conn)["parcels"] == n["parcels"]
    finally:
        store.close()


def test_default_demo_store_is_a_fresh_sqlite_file(tmp_path):
    workdir = tmp_path / "datdai-demo"
    first = run_demo(parcels=300, seed=1, workdir=workdir)
    second = run_demo(parcels=300, seed=1, workdir=workdir)  # rerun: starts afresh, same result
    assert first.counts == second.counts
    assert first.store_url.endswith("datdai-demo/datdai.db")
    # a complete demo is found again (`datdai demo` then only serves it), with its logins
    from datdai.access.demo import demo_logins
    from datdai.apps.demo import existing_demo

    assert existing_demo(workdir) == second.store_url
    assert existing_demo(tmp_path / "khong-co") is None
    store = open_store(second.store_url)
    try:
        with store.read() as conn:
            assert [u for u, _r, _d in demo_logins(conn)] == ["admin", "dulieu", "motcua", "lanhdao", "kiemtoan"]
    finally:
        store.close()


@pytest.mark.slow  # the demo twice (60 parcels) in a CLI process, killed once
def test_demo_killed_after_its_first_commit_is_built_again_on_rerun(store_url, tmp_path):
    env = {**os.environ, "DATDAI_FILES": str(tmp_path / "tep")}
    args = [sys.executable, "-m", "datdai", "demo", "--no-serve", "--parcels", "60", "--seed", "2", "--db", store_url]
    proc = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    loaded = 0
    while not loaded:  # the land load committed (the first commit): kill it there
        assert proc.poll() is None and time.monotonic() < deadline, "the demo ended before it could be killed"
        time.sleep(0.05)
        try:
            store = open_store(store_url)
        except StoreError:  # not created or migrated yet
            continue
        try:
            with store.read() as conn:
                loaded = conn.execute(select(func.count()).select_from(schema.parties)).scalar_one()
        finally:
            store.close()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    store = open_store(store_url)
    try:
        with store.read() as conn:
            assert store_state(conn) == UNFINISHED
            assert conn.execute(select(func.count()).select_from(schema.users)).scalar_one() == 0  # half a store
    finally:
        store.close()
    rerun = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    store = open_store(store_url)
    try:
        with store.read() as conn:
            assert store_state(conn) == OTHER  # finished
            n = repository.counts(conn)
            batches = conn.execute(select(schema.audit_batches.c.source).order_by(schema.audit_batches.c.id)).scalars()
            batches = list(batches)
    finally:
        store.close()
    assert batches[0].startswith("datdai demo: tỉnh giả lập") and batches[-1] == "datdai demo: hoàn tất / complete"
    assert sum(b.startswith("datdai demo: tỉnh giả lập") for b in batches) == 1  # built once, not on top
    assert n["parcels"] > 50 and n["parties"] > 0  # (a finished demo is refused: the test above)
