"""`datdai report`: the four formats from a store, the roll-up from figure files, exit 2 with a
bilingual message and no file on bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from datdai.apps.cli import app
from tests.reporting.conftest import report_province  # noqa: F401  (the populated store, per backend)
from tests.reporting.province import MONTH, expected
from tests.reporting.readback import service_rows

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["report", *args])


def test_every_format_is_written(report_province, tmp_path):  # noqa: F811
    for fmt, magic in (("docx", b"PK"), ("xlsx", b"PK"), ("pdf", b"%PDF"), ("json", b"{")):
        out = tmp_path / f"bao-cao.{fmt}"
        r = _run("--month", MONTH, "--format", fmt, "--out", str(out), "--db", report_province.url,
                 "--as-of", "10/12/2025")
        assert r.exit_code == 0, r.output + str(r.exception)
        assert out.read_bytes().startswith(magic)
        assert "hồ sơ tiếp nhận / dossiers received" in r.stdout
    doc = json.loads((tmp_path / "bao-cao.json").read_text(encoding="utf-8"))
    from datdai.db.store import open_store

    store = open_store(report_province.url)
    try:
        with store.read() as conn:
            exp = expected(conn)
    finally:
        store.close()
    assert doc["service_totals"]["total"] == exp.service_totals["total"]
    assert doc["unit_totals"]["land_users_updated"] == exp.unit_totals["updated"]
    assert service_rows(exp)[-1][0] == str(exp.service_totals["total"])


def test_scope_and_rollup_from_files(report_province, tmp_path):  # noqa: F811
    first, rest = report_province.communes[0], ",".join(report_province.communes[1:])
    files = []
    for i, scope in enumerate((first, rest)):
        out = tmp_path / f"so-lieu-{i}.json"
        r = _run("--month", MONTH, "--format", "json", "--out", str(out), "--db", report_province.url,
                 "--scope", scope, "--as-of", "10/12/2025")
        assert r.exit_code == 0, r.output
        files.append(out)
    parts = [json.loads(f.read_text(encoding="utf-8")) for f in files]
    assert [u["code"] for u in parts[0]["units"]] == [first]
    rolled = tmp_path / "tong-hop.json"
    r = _run("--month", MONTH, "--format", "json", "--out", str(rolled), "--from", str(files[0]), "--from",
             str(files[1]), "--scope", "75")
    assert r.exit_code == 0, r.output
    total = json.loads(rolled.read_text(encoding="utf-8"))
    assert total["service_totals"]["total"] == sum(p["service_totals"]["total"] for p in parts)
    assert total["unit_totals"]["parcels"] == sum(p["unit_totals"]["parcels"] for p in parts)
    assert len(total["units"]) == 2 and total["office"]["code"] == "75"
    pdf = tmp_path / "tong-hop.pdf"
    r = _run("--month", MONTH, "--format", "pdf", "--out", str(pdf), "--from", str(files[0]), "--from", str(files[1]))
    assert r.exit_code == 0 and pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("args, words", [
    (("--month", "2025-13", "--format", "pdf"), "--month"),
    (("--month", "11/2025", "--format", "pdf"), "YYYY-MM"),
    (("--month", MONTH, "--format", "odt"), "--format"),
    (("--month", MONTH, "--format", "pdf", "--scope", "01"), "--scope"),
    (("--month", MONTH, "--format", "pdf", "--scope", "xa1"), "xa1"),
    (("--month", MONTH, "--format", "pdf", "--as-of", "31-12-2025"), "--as-of"),
])
def test_bad_input_exits_2_and_writes_nothing(report_province, tmp_path, args, words):  # noqa: F811
    out = tmp_path / "bao-cao.pdf"
    r = _run(*args, "--out", str(out), "--db", report_province.url)
    assert r.exit_code == 2, r.output
    assert words in r.stderr and "/" in r.stderr  # Vietnamese / English
    assert list(tmp_path.iterdir()) == []


def test_bad_figure_file_exits_2(tmp_path):
    bad = tmp_path / "xa.json"
    bad.write_text('{"format": "datdai-bao-cao-thang", "version": 1, "office": {"code": "", "name": "x"}, '
                   '"month": "2025-11", "as_of": "2025-12-01", "scope": null, "services": "x"}', encoding="utf-8")
    out = tmp_path / "tong-hop.docx"
    r = _run("--month", MONTH, "--format", "docx", "--out", str(out), "--from", str(bad))
    assert r.exit_code == 2 and "xa.json" in r.stderr and "services" in r.stderr
    r = _run("--month", MONTH, "--format", "docx", "--out", str(out), "--from", str(tmp_path / "khong-co.json"))
    assert r.exit_code == 2 and "khong-co.json" in r.stderr
    assert not out.exists()
