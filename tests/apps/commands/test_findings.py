"""`datdai findings …`: list (ID numbers masked), status, undo-fixes, progress."""

from __future__ import annotations

import re

from sqlalchemy import select
from typer.testing import CliRunner

from datdai.apps.cli import app
from datdai.db import schema as s
from datdai.db.store import open_store
from tests.cleaning.deliveries import store_hand_delivery

runner = CliRunner()


def _stored(store_url):
    store = open_store(store_url, create=True)
    with store.transaction() as conn:
        result = store_hand_delivery(conn)
    return store, result


def _invoke(*args):
    return runner.invoke(app, ["findings", *args], terminal_width=200)


def test_list_masks_id_numbers_and_filters(store_url):
    store, _ = _stored(store_url)
    store.close()
    r = _invoke("list", "--db", store_url, "--rule", "ID_INVALID", "--status", "TU_SUA")
    assert r.exit_code == 0, r.output
    assert "ID_INVALID" in r.stdout and "0700******11" in r.stdout
    assert not re.search(r"\d{9,}", r.stdout)
    r = _invoke("list", "--db", store_url, "--commune", "25198")
    assert "AREA_MISMATCH" in r.stdout and "25195/" not in r.stdout
    r = _invoke("list", "--db", store_url, "--status", "NOPE")
    assert r.exit_code == 2
    # the two lists shown are in the access log, by the OS user or --actor
    r = _invoke("list", "--db", store_url, "--actor", "can-bo-kiem-tra")
    from datdai.access.access_log import CLI_ROLE, query_access_log

    store = open_store(store_url)
    with store.read() as conn:
        total, logged = query_access_log(conn, role=CLI_ROLE)
    store.close()
    assert total == 3 and logged[0].username == "can-bo-kiem-tra"
    assert logged[0].purpose == "kiểm tra, chuẩn hóa chất lượng dữ liệu đất đai"
    assert "findings list" in logged[0].resource


def test_status_and_undo_and_progress(store_url):
    store, result = _stored(store_url)
    with store.read() as conn:
        area = conn.execute(select(s.findings.c.id).where(s.findings.c.rule_code == "AREA_MISMATCH")).scalar_one()
    r = _invoke("status", str(area), "DA_SUA", "--db", store_url, "--value", "100", "--note", "đo lại",
                "--actor", "can-bo")
    assert r.exit_code == 0, r.output
    assert "DA_SUA" in r.stdout
    r = _invoke("status", str(area), "TU_SUA", "--db", store_url)
    assert r.exit_code == 2 and "TU_SUA" in r.stderr

    r = _invoke("progress", "--db", store_url)
    assert r.exit_code == 0
    line = next(x for x in r.stdout.splitlines() if x.strip().startswith("25198"))
    assert line.split()[-1].startswith("100,0")  # the only error of 25198 is fixed

    r = _invoke("undo-fixes", str(result.run_id), "--db", store_url, "--reason", "xem lại")
    assert r.exit_code == 0, r.output
    assert "7 phát hiện mở lại" in r.stdout
    r = _invoke("undo-fixes", str(result.run_id), "--db", store_url)
    assert r.exit_code == 2 and "đã được hoàn tác" in r.stderr
    with store.read() as conn:
        statuses = conn.execute(select(s.findings.c.status).distinct()).scalars().all()
    store.close()
    assert set(statuses) == {"MO", "DA_SUA"}
    r = _invoke("undo-fixes", "999", "--db", store_url)
    assert r.exit_code == 2
