"""Bad input to the CLI: a clear message, exit code 2, nothing created or changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from datdai.db.store import open_store


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "datdai", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_missing_directory_for_db(tmp_path: Path):
    target = tmp_path / "khong-co" / "x.db"
    r = run("db", "upgrade", "--db", str(target))
    assert r.returncode == 2, r.stderr
    assert "khong-co" in r.stderr and "không tồn tại" in r.stderr
    assert not target.parent.exists()


def test_db_path_under_a_file(tmp_path: Path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    r = run("db", "upgrade", "--db", str(blocker / "x.db"))
    assert r.returncode == 2 and "file.txt" in r.stderr


def test_unreachable_postgres():
    r = run("db", "upgrade", "--db", "postgresql+psycopg://u:secret@127.0.0.1:1/none")
    assert r.returncode == 2
    assert "không kết nối được" in r.stderr and "secret" not in r.stderr


def test_no_db_given():
    env = {k: v for k, v in os.environ.items() if k != "DATDAI_DB"}
    r = subprocess.run([sys.executable, "-m", "datdai", "serve"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and "DATDAI_DB" in r.stderr


def test_newer_database_exit_2_and_untouched(tmp_path: Path):
    db = tmp_path / "s.db"
    s = open_store(str(db), create=True)
    with s.transaction() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    s.close()
    before = db.read_bytes()
    r = run("db", "upgrade", "--db", str(db))
    assert r.returncode == 2 and "9999_future" in r.stderr
    assert db.read_bytes() == before


def test_db_upgrade_creates_and_reports(tmp_path: Path):
    r = run("db", "upgrade", "--db", str(tmp_path / "new.db"))
    assert r.returncode == 0, r.stderr
    from datdai.db.migrate import head_revision

    assert f"→ {head_revision()}" in r.stdout


def test_usage_error_is_exit_2():
    r = run("synth")  # --out missing
    assert r.returncode == 2 and "--out" in r.stderr
