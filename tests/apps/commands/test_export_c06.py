"""`datdai export-c06`: the owners file, the export log, exit 2 with nothing written on bad input."""

from __future__ import annotations

import csv
import json
import re

from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from datdai.apps.cli import app
from datdai.land import repository
from tests.land.factories import small_dataset

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["export-c06", *args])


def test_export_writes_the_file_and_logs_it(store, tmp_path):
    with store.transaction() as conn:
        repository.load_dataset(conn, small_dataset(), actor="t", source="tay", reason="test")
    out_dir = tmp_path / "xuat"
    out_dir.mkdir()
    out = out_dir / "chu_su_dung.csv"
    r = _run("--db", store.url, "--out", str(out), "--province", "Bình Phước", "--commune", "25216",
             "--actor", "can-bo-1")
    assert r.exit_code == 0, r.output + str(r.exception)
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 6 and rows[0]["ma_dong"] == "D0000001" and rows[0]["ho_ten"] == "Nguyễn Văn An"
    assert "số dòng / rows" in r.stdout and "6" in r.stdout
    log = json.loads(re.search(r"export log: (\{.*\})", r.stderr).group(1))
    assert log["actor"] == "can-bo-1" and log["rows"] == 6 and log["commune"] == "25216"
    assert log["province"] == "Bình Phước" and log["communes"] == ["25216"] and len(log["sha256"]) == 64
    assert ":datdai@" not in r.stderr + r.stdout  # the password is redacted
    assert [p.name for p in out_dir.iterdir()] == ["chu_su_dung.csv"]
    from datdai.access.access_log import CLI_ROLE, query_access_log

    with store.read() as conn:
        total, logged = query_access_log(conn, role=CLI_ROLE)
    assert total == 1 and logged[0].username == "can-bo-1"
    assert logged[0].purpose == "thủ tục cư trú" and log["sha256"] in logged[0].resource


def test_bad_filters_exit_2_and_write_nothing(store, tmp_path):
    with store.transaction() as conn:
        repository.load_dataset(conn, small_dataset(), actor="t", source="tay", reason="test")
    out = tmp_path / "c06.csv"
    for args, words in ((("--province", "Không Có"), "Không Có"),
                        (("--commune", "25216,12345"), "12345"),
                        (("--commune", "xa1"), "xa1"),
                        (("--province", "Hà Nội", "--commune", "25216"), "Hà Nội")):
        r = _run("--db", store.url, "--out", str(out), *args)
        assert r.exit_code == 2, (args, r.output)
        assert words in r.stderr and "Lỗi / error" in r.stderr
        assert not out.exists()
    r = _run("--db", store.url, "--out", str(tmp_path / "khong-co" / "c06.csv"))
    assert r.exit_code == 2 and "khong-co" in r.stderr


def test_empty_or_unmigrated_store_exit_2(store_url, tmp_path):
    out = tmp_path / "c06.csv"
    # no tables at all
    if store_url.startswith("sqlite"):
        engine = create_engine(store_url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE khac (x INTEGER)"))
        engine.dispose()
    r = _run("--db", store_url, "--out", str(out))
    assert r.exit_code == 2 and "datdai db upgrade" in r.stderr
    # migrated but empty
    assert runner.invoke(app, ["db", "upgrade", "--db", store_url]).exit_code == 0
    r = _run("--db", store_url, "--out", str(out))
    assert r.exit_code == 2 and "no parcels" in r.stderr
    assert not out.exists()
    r = _run("--db", str(tmp_path / "khong-co.db"), "--out", str(out))
    assert r.exit_code == 2 and "khong-co.db" in r.stderr
