"""`datdai doi-soat …` and the export id of `datdai export-c06`, on both backends."""

from __future__ import annotations

import re

from sqlalchemy import select
from typer.testing import CliRunner

from datdai.apps.cli import app
from datdai.db import schema as s
from datdai.land import repository
from datdai.matching.result import reconcile_files
from tests.matching.reconciliation import parties_by_id, table_rows, write_result

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args))


def test_review_commands(store, synthetic_province, tmp_path):
    land, folder = synthetic_province
    with store.transaction() as conn:
        repository.load_dataset(conn, land.land, actor="t", source="t", reason="t")
        repository.replace_citizens(conn, land.citizens, source="dan_cu.csv")
    db = ("--db", store.url)
    owners, result = tmp_path / "chu_su_dung.csv", tmp_path / "ket_qua.csv"
    r = _run("export-c06", *db, "--out", str(owners), "--actor", "can-bo")
    assert r.exit_code == 0, r.output
    export_id = re.search(r"export id: (\d+)", r.stdout).group(1)
    reconcile_files(owners, folder / "dan_cu.csv", result)
    with store.read() as conn:
        before = table_rows(conn, s.parties)

    r = _run("doi-soat", "nap-ket-qua", *db, "--result", str(result), "--export", export_id, "--nguoi", "an")
    assert r.exit_code == 0, r.output
    assert "lần đối soát / run" in r.stdout and "CAN_XAC_MINH" in r.stdout

    r = _run("doi-soat", "hang-doi", *db, "--limit", "50")
    assert r.exit_code == 0, r.output
    assert "Ứng viên 1" in r.stdout and "Hồ sơ đất đai" in r.stdout
    assert not re.search(r"\d{9}", r.stdout.replace(".", "")), "numbers must be masked"
    ids = [int(x) for x in re.findall(r"Kết quả #(\d+)", r.stdout)]
    assert len(ids) >= 3
    shown = _run("doi-soat", "hang-doi", *db, "--hien-so", "--limit", "1", "--nguoi", "kiem-tra")
    assert re.search(r"\d{12}", shown.stdout)
    # each read of the queue is in the access log: the export, the masked and the full one
    from datdai.access.access_log import CLI_ROLE, query_access_log

    with store.read() as conn:
        _, logged = query_access_log(conn, role=CLI_ROLE)
    assert [e.action for e in logged[:2]] == ["xem hàng đợi đối soát (dòng lệnh, số đầy đủ)",
                                              "xem hàng đợi đối soát (dòng lệnh)"]
    assert logged[0].username == "kiem-tra" and any(len(x) == 12 for x in logged[0].subjects)
    assert logged[-1].action.startswith("xuất danh sách chủ sử dụng") and logged[-1].username == "can-bo"

    # bad input: exit 2, nothing changed
    for args, words in (
        (("quyet-dinh", str(ids[0]), "--chon", "1", "--nguoi", "an"), "--ly-do"),
        (("quyet-dinh", str(ids[0]), "--chon", "1", "--hoan", "--ly-do", "x"), "exactly one"),
        (("quyet-dinh", str(ids[0]), "--chon", "079999999999", "--ly-do", "x"), "không nằm trong"),
        (("quyet-dinh", "99999", "--hoan", "--ly-do", "x"), "#99999"),
        (("hoan-tac", "1", "--ly-do", "x"), "chưa áp dụng"),
        (("hoan-tac", "1"), "--ly-do"),
        (("ap-dung", "99"), "#99"),
        (("nap-ket-qua", "--result", str(result), "--export", "999"), "#999"),
    ):
        r = _run("doi-soat", args[0], *db, *args[1:])
        assert r.exit_code == 2, (args, r.output)
        assert words in r.stderr and "Lỗi / error" in r.stderr, (args, r.stderr)
    bad = write_result(tmp_path / "sai.csv", [{"ma_dong": "D9999999", "ket_qua": "KHONG_KHOP"}])
    r = _run("doi-soat", "nap-ket-qua", *db, "--result", str(bad), "--export", export_id)
    assert r.exit_code == 2 and "dòng 2" in r.stderr and "ma_dong" in r.stderr and "sai.csv" in r.stderr

    r = _run("doi-soat", "quyet-dinh", str(ids[0]), *db, "--chon", "1", "--ly-do", "đối chiếu hồ sơ",
             "--nguoi", "an")
    assert r.exit_code == 0 and "CHO_AP_DUNG" in r.stdout, r.output
    r = _run("doi-soat", "quyet-dinh", str(ids[1]), *db, "--khong-khop", "--ly-do", "khác người")
    assert r.exit_code == 0 and "DONG" in r.stdout, r.output

    r = _run("doi-soat", "ap-dung", "1", *db, "--nguoi", "an")
    assert r.exit_code == 0, r.output
    assert "đã cập nhật / applied" in r.stdout
    with store.read() as conn:
        chosen = conn.execute(select(s.reconcile_results).where(s.reconcile_results.c.id == ids[0])).one()
        assert parties_by_id(conn)[chosen.party_id]["personal_number"] == chosen.candidates.split(";")[0]
        enriched = sum(p["personal_number"] is not None for p in table_rows(conn, s.parties))
    r = _run("doi-soat", "tien-do", *db)
    assert r.exit_code == 0, r.output
    users = len({p["id"] for p in before if p["kind"] == "CA_NHAN"})  # every person holds land here
    assert f"{enriched} / {users:,}".replace(",", ".") in r.stdout
    first_commune = re.search(r"^\s*(\d{5})\s", r.stdout, re.M).group(1)
    r = _run("doi-soat", "tien-do", *db, "--commune", first_commune)
    assert r.exit_code == 0 and first_commune in r.stdout

    r = _run("doi-soat", "hoan-tac", "1", *db, "--ly-do", "nhầm lẫn", "--nguoi", "an")
    assert r.exit_code == 0, r.output
    with store.read() as conn:
        assert table_rows(conn, s.parties) == before
    r = _run("doi-soat", "quyet-dinh", str(ids[0]), *db, "--hoan", "--ly-do", "xem lại")
    assert r.exit_code == 0 and "HOAN" in r.stdout


def test_c06_import_records_and_applies(store, synthetic_province, tmp_path):
    land, folder = synthetic_province
    with store.transaction() as conn:
        repository.load_dataset(conn, land.land, actor="t", source="t", reason="t")
    out = tmp_path / "chu_su_dung.csv"
    r = _run("export-c06", "--db", store.url, "--out", str(out))
    assert r.exit_code == 0, r.output
    export_id = re.search(r"export id: (\d+)", r.stdout).group(1)
    with store.read() as conn:
        link = conn.execute(select(s.c06_export_rows).order_by(s.c06_export_rows.c.id)).first()
    path = write_result(tmp_path / "c06.csv", [{
        "ma_dong": link.ma_dong, "ket_qua": "KHOP", "so_dinh_danh": "070000000099", "diem": "1",
        "ly_do": "ID_EXACT", "ho_ten_chuan": "Lê Văn Tám", "ngay_sinh_chuan": "01/01/1960",
        "gioi_tinh_chuan": "Nam", "cccd_chuan": "070000000099"}])
    r = _run("doi-soat", "nap-ket-qua", "--db", store.url, "--result", str(path), "--export", export_id, "--c06")
    assert r.exit_code == 0, r.output
    with store.read() as conn:
        p = parties_by_id(conn)[link.party_id]
        assert (p["personal_number"], p["full_name"]) == ("070000000099", "Lê Văn Tám")
        assert conn.execute(select(s.reconcile_runs.c.source)).scalar_one() == "C06"
