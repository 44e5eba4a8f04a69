"""`datdai access-log verify`: 0 on an intact chain with its head printed, 3 naming the row when
the log was tampered with, and the head written down earlier checked."""

from __future__ import annotations

import re

from sqlalchemy import text
from typer.testing import CliRunner

from datdai.access.access_log import write_access_log
from datdai.apps.cli import app

runner = CliRunner()


def _verify(store, *extra: str):
    return runner.invoke(app, ["access-log", "verify", "--db", store.url, *extra], terminal_width=200)


def test_verify(store):
    with store.transaction() as conn:
        for i in range(5):
            write_access_log(conn, username=f"u{i}", role="admin", action="xem", resource=f"r/{i}",
                             purpose="p", subjects=[f"P-{i}"])
    r = _verify(store)
    assert r.exit_code == 0, r.output
    head = re.search(r"(5:[0-9a-f]{64})", r.stdout).group(1)
    assert "nguyên vẹn" in r.stdout
    assert _verify(store, "--expect-head", head).exit_code == 0
    assert _verify(store, "--expect-head", "5:xyz").exit_code == 2

    # the newest rows deleted (no gap left behind): only the recorded head tells
    with store.transaction() as conn:
        if store.backend == "postgresql":
            conn.execute(text("ALTER TABLE access_log DISABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE access_log_subjects DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER access_log_no_delete"))
            conn.execute(text("DROP TRIGGER access_log_subjects_no_delete"))
            conn.execute(text("DROP TRIGGER access_log_no_update"))
        conn.execute(text("DELETE FROM access_log_subjects WHERE log_id IN "
                          "(SELECT id FROM access_log WHERE seq = 5)"))
        conn.execute(text("DELETE FROM access_log WHERE seq = 5"))
        conn.execute(text("UPDATE access_log SET action = 'sửa' WHERE seq = 2"))
    r = _verify(store, "--expect-head", head)
    assert r.exit_code == 3
    assert re.search(r"bị sửa / edited: dòng số 2 ", r.stderr)
    assert "đầu chuỗi đã ghi lại không còn" in r.stderr
