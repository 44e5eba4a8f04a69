"""In a browser, an office starting from its own files: an empty store with only its delivery
imported, the population extract uploaded from the officer's computer and loaded, the store
reconciled with the stored extract, and the review page showing the register's candidates; an
upload over the size cap refused with its message."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import select

from datdai.db import schema as s
from tests.apps.web.ui.conftest import Session, start_server, stop_server, unlabeled_fields


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """(base URL, store, folder of the office's files): a store holding only the delivery."""
    from datdai import synth
    from datdai.access.demo import create_demo_accounts
    from datdai.cleaning.delivery_import import import_delivery
    from datdai.db.store import open_store

    work = tmp_path_factory.mktemp("van-phong")
    files = work / "tep-cua-van-phong"
    synth.run(files, parcels=300, seed=7)
    (work / "giao-nop").mkdir()
    url = f"sqlite:///{work / 'datdai.db'}"
    store = open_store(url, create=True)
    import_delivery(store, files / "thua_dat.gpkg", files / "so_dia_chinh.csv", actor="can-bo")
    with store.transaction() as conn:
        create_demo_accounts(conn, scopes=["70"])
    proc, base = start_server(url, work, env={"DATDAI_INBOX": str(work / "giao-nop"),
                                              "DATDAI_UPLOAD_MAX_BYTES": str(4 * 2**20)})
    try:
        yield base, store, files
    finally:
        stop_server(proc)
        store.close()
        shutil.rmtree(work / "giao-nop", ignore_errors=True)


def _finished(page, job_id: int, timeout: int = 240000) -> str:
    page.locator(f"#tac-vu-{job_id}[data-status=XONG], #tac-vu-{job_id}[data-status=LOI]").wait_for(timeout=timeout)
    return page.locator(f"#tac-vu-{job_id} .job-message").inner_text()


def test_upload_the_extract_reconcile_and_review(browser, office, tmp_path):
    base, store, files = office
    sess = Session(browser, base, "admin")
    try:
        page = sess.page
        sess.goto("/ui/tac-vu")
        assert unlabeled_fields(page) == []
        assert "Chưa có bản trích dân cư" in page.inner_text("#form-doi-soat")

        too_big = tmp_path / "dan_cu_lon.csv"
        too_big.write_bytes((files / "dan_cu.csv").read_bytes() * 40)  # over the 4 MB cap of this server
        page.set_input_files("#tep-dan-cu", str(too_big))
        page.click("#form-tai-len-dan-cu button[type=submit]")
        message = page.locator("#form-tai-len-dan-cu .upload-message")
        message.filter(has_text="Tệp tải lên quá lớn").wait_for(timeout=60000)
        assert "tối đa 4 MB" in message.inner_text()

        page.set_input_files("#tep-dan-cu", str(files / "dan_cu.csv"))
        page.fill("#ngay-trich-xuat-tai-len", "30/11/2026")
        page.click("#form-tai-len-dan-cu button[type=submit]")
        page.wait_for_url(re.compile(r".*/ui/tac-vu\?tb=da-bat-dau.*"))
        job_id = int(page.locator("tr[data-job-id]").first.get_attribute("data-job-id"))
        assert "Đã nạp bản trích dân cư" in _finished(page, job_id)
        sess.goto("/ui/tac-vu")
        page.select_option("#dan-cu", "@csdl")
        page.click("#form-doi-soat button[type=submit]")
        page.wait_for_url(re.compile(r".*/ui/tac-vu\?tb=da-bat-dau.*"))
        job_id = int(page.locator("tr[data-job-id]").first.get_attribute("data-job-id"))
        assert "Đã đối soát" in _finished(page, job_id)
        sess.shot("20-van-phong-tac-vu")

        sess.goto("/ui/doi-soat")
        text = page.inner_text("main")
        assert "không có trong bản trích CSDL dân cư" not in text
        with store.read() as conn:
            numbers = [n for c in conn.execute(select(s.reconcile_results.c.candidates).where(
                s.reconcile_results.c.status == "MO")).scalars() for n in (c or "").split("+") if n]
            names = conn.execute(select(s.citizens.c.ho_ten).where(
                s.citizens.c.so_dinh_danh.in_(numbers))).scalars().all()
        assert names and all(n in text for n in names)
        sess.shot("21-van-phong-doi-soat")
        assert not sess.errors, sess.errors
    finally:
        sess.close()
