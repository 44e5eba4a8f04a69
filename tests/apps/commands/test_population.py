"""`datdai dan-cu nap` on an office's own store: an empty store, the office's delivery imported,
the extract loaded, the store reconciled — the review queue shows the register's values."""

from __future__ import annotations

from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from datdai.apps.cli import app
from datdai.db import schema as s
from datdai.db.store import open_store

runner = CliRunner()


def _ok(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.stdout


def test_an_office_loads_its_extract_and_reviews_candidates(store_url, synth_delivery, tmp_path):
    _ok(["import", "--parcels", str(synth_delivery / "thua_dat.gpkg"), "--register",
         str(synth_delivery / "so_dia_chinh.csv"), "--db", store_url])
    before = runner.invoke(app, ["doi-soat", "chay", "--db", store_url, "--out", str(tmp_path / "w0")])
    assert before.exit_code == 2 and "chưa có bản trích CSDL dân cư" in before.output

    loaded = _ok(["dan-cu", "nap", "--file", str(synth_delivery / "dan_cu.csv"), "--db", store_url,
                  "--ngay-trich-xuat", "30/11/2026", "--nguoi", "can-bo-1"])
    assert "Đã nạp bản trích dân cư #1" in loaded and "30/11/2026" in loaded
    wrong_day = runner.invoke(app, ["dan-cu", "nap", "--file", str(synth_delivery / "dan_cu.csv"),
                                    "--db", store_url, "--ngay-trich-xuat", "2026-11-30"])
    assert wrong_day.exit_code == 2 and "dd/mm/yyyy" in wrong_day.output

    ran = _ok(["doi-soat", "chay", "--db", store_url, "--out", str(tmp_path / "w1")])
    assert "CAN_XAC_MINH" in ran and not (tmp_path / "w1" / "dan_cu_da_nap.csv").exists()
    queue = _ok(["doi-soat", "hang-doi", "--db", store_url, "--limit", "50"])
    assert "Ứng viên 1" in queue
    assert "không có trong CSDL dân cư" not in queue
    store = open_store(store_url)
    try:
        with store.read() as conn:
            shown = conn.execute(select(s.reconcile_results.c.candidates).where(
                s.reconcile_results.c.status == "MO")).scalars().all()
            numbers = [n for c in shown for n in (c or "").split("+") if n]
            names = conn.execute(select(s.citizens.c.ho_ten).where(
                s.citizens.c.so_dinh_danh.in_(numbers))).scalars().all()
            logged = conn.execute(select(func.count()).select_from(s.access_log).where(
                s.access_log.c.action.like("xem hàng đợi đối soát%"))).scalar_one()
    finally:
        store.close()
    assert names and all(n in queue for n in names)  # the register's names beside the land record
    assert logged == 1

    book = tmp_path / "hang_doi.xlsx"
    _ok(["doi-soat", "hang-doi", "--db", store_url, "--xlsx", str(book)])
    ws = load_workbook(book).active
    header = [c.value for c in ws[1]]
    written = {ws.cell(row=i, column=header.index("ho_ten") + 1).value for i in range(2, ws.max_row + 1)}
    assert set(names) <= written
    assert all(ws.cell(row=i, column=header.index("so_dinh_danh") + 1).data_type == "s"
               and "*" in ws.cell(row=i, column=header.index("so_dinh_danh") + 1).value
               for i in range(2, ws.max_row + 1))  # masked, as text
    progress = tmp_path / "tien_do.xlsx"
    _ok(["doi-soat", "tien-do", "--db", store_url, "--xlsx", str(progress)])
    ws = load_workbook(progress).active
    assert ws["A1"].value == "ma" and ws.cell(row=ws.max_row, column=1).value == "toàn bộ"
