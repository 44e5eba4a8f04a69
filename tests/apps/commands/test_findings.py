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


def test_xlsx_round_trip_of_decisions(store_url, tmp_path):
    from openpyxl import load_workbook

    store, _ = _stored(store_url)
    with store.read() as conn:
        area = conn.execute(select(s.findings).where(s.findings.c.rule_code == "AREA_MISMATCH")).one()
        other = conn.execute(select(s.findings.c.id).where(s.findings.c.status == "MO",
                                                           s.findings.c.id != area.id)).scalars().first()
        parcel = conn.execute(select(s.parcels.c.legal_area).where(s.parcels.c.id == area.parcel_id)).scalar_one()
        batches = conn.execute(select(s.audit_batches.c.id)).scalars().all()
    book = tmp_path / "phat_hien.xlsx"
    r = _invoke("list", "--db", store_url, "--xlsx", str(book))
    assert r.exit_code == 0, r.output
    wb = load_workbook(book)
    ws = wb["phat_hien"]
    header = [c.value for c in ws[1]]
    at = {h: i for i, h in enumerate(header)}
    rows = {ws.cell(row=i, column=1).value: i for i in range(2, ws.max_row + 1)}
    assert area.id in rows and other in rows
    assert not any(re.search(r"\d{9,}", str(c.value or "")) for row in ws.iter_rows() for c in row)
    assert ws.data_validations.dataValidation[0].formula1 == '"DA_SUA,CHAP_NHAN,BAC_BO,MO"'
    assert all(ws.cell(row=i, column=at["mo_ta"] + 1).data_type == "s" for i in rows.values())

    def fill(row, decision, value=None, note=None):
        ws.cell(row=row, column=at["quyet_dinh"] + 1, value=decision)
        if value is not None:
            ws.cell(row=row, column=at["gia_tri_dung"] + 1, value=value)
        if note is not None:
            ws.cell(row=row, column=at["ghi_chu"] + 1, value=note)

    fill(rows[area.id], "DA_SUA", 123.5, "đo lại")
    fill(rows[other], "CHAP_NHAN")
    auto = next(i for fid, i in rows.items() if ws.cell(row=i, column=at["trang_thai"] + 1).value == "TU_SUA")
    fill(auto, "XOA")  # not a decision
    extra = ws.max_row + 1
    ws.cell(row=extra, column=1, value=999999)
    fill(extra, "BAC_BO")
    wb.save(book)

    r = _invoke("decide", "--from", str(book), "--db", store_url, "--actor", "can-bo-2")
    assert r.exit_code == 0, r.output
    assert "2 áp dụng, 2 từ chối" in r.stdout
    assert "không hợp lệ" in r.stdout and "không có phát hiện #999999" in r.stdout
    with store.read() as conn:
        after = {x.id: x.status for x in conn.execute(select(s.findings.c.id, s.findings.c.status).where(
            s.findings.c.id.in_([area.id, other])))}
        new_area = conn.execute(select(s.parcels.c.legal_area).where(s.parcels.c.id == area.parcel_id)).scalar_one()
        new_batches = conn.execute(select(s.audit_batches).where(s.audit_batches.c.id.notin_(batches))).all()
        events = conn.execute(select(s.finding_events.c.actor, s.finding_events.c.note).where(
            s.finding_events.c.finding_id == other).order_by(s.finding_events.c.id.desc())).first()
    assert after == {area.id: "DA_SUA", other: "CHAP_NHAN"}
    assert new_area == 123.5 != parcel and [b.actor for b in new_batches] == ["can-bo-2"]
    assert events.actor == "can-bo-2" and "dòng" in events.note

    # applied again: each row refused (already in that state), nothing changes
    r = _invoke("decide", "--from", str(book), "--db", store_url)
    assert r.exit_code == 0 and "0 áp dụng, 4 từ chối" in r.stdout
    # not a findings workbook: nothing applied, exit 2
    wrong = tmp_path / "khac.xlsx"
    from openpyxl import Workbook

    w = Workbook()
    w.active.append(["a", "b"])
    w.save(wrong)
    r = _invoke("decide", "--from", str(wrong), "--db", store_url)
    assert r.exit_code == 2 and "thiếu cột ma_phat_hien, quyet_dinh" in r.stderr

    progress = tmp_path / "tien_do.xlsx"
    r = _invoke("progress", "--db", store_url, "--xlsx", str(progress))
    assert r.exit_code == 0
    ws = load_workbook(progress).active
    assert ws["A1"].value == "ma_xa" and ws.max_row > 1 and ws["A2"].data_type == "s"
    store.close()
