"""The web app in headless Chromium against a real server: log in, the map and a parcel, a finding
resolved, review cases decided by keyboard, a dossier filed and moved on, a report downloaded, a
long job started, left and found again; labels on every form field; screenshots of each page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from datdai.db import schema as s
from datdai.db.store import open_store
from tests.apps.web.ui.conftest import OTHER_DELIVERY, unlabeled_fields
from tests.cleaning.redelivery.corrected import Edits, key_of, read_register, write_corrected


@pytest.fixture(scope="module")
def db(province):
    _, url = province
    store = open_store(url)
    yield store
    store.close()


def test_login_layout_and_logout(session):
    anon = session(None)
    anon.goto("/ui/tong-quan")
    assert "/ui/dang-nhap" in anon.page.url
    assert unlabeled_fields(anon.page) == []
    anon.shot("01-dang-nhap")
    anon.login("dulieu", "sai-mat-khau")
    assert "Sai tên đăng nhập hoặc mật khẩu" in anon.page.inner_text("#loi-dang-nhap")

    s = session("dulieu")
    assert s.page.url.endswith("/ui/loi-du-lieu")  # a data officer starts at the findings
    page = s.page
    assert page.inner_text("[data-testid=ten-nguoi-dung]") == "Cán bộ dữ liệu (demo)"
    assert page.inner_text("[data-testid=vai-tro]") == "Cán bộ dữ liệu"
    assert "Tỉnh Bình Phước" in page.inner_text("[data-testid=pham-vi]")
    nav = page.locator("nav.sidenav a").all_inner_texts()
    assert nav == ["Tổng quan", "Bản đồ thửa đất", "Lỗi dữ liệu", "Đối soát dân cư", "Điều tra thực địa", "Hồ sơ thủ tục",
                   "Tác vụ dài", "Báo cáo tháng"]
    # keyboard: the first Tab reaches the skip link, which leads to the content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"

    clerk = session("motcua")
    assert clerk.page.url.endswith("/ui/ho-so")
    assert clerk.page.locator("nav.sidenav a").all_inner_texts() == [
        "Tổng quan", "Bản đồ thửa đất", "Hồ sơ thủ tục"]
    clerk.goto("/ui/loi-du-lieu")
    assert "không dùng chức năng này" in clerk.page.inner_text("main")

    page.click("text=Đăng xuất")
    page.wait_for_url(re.compile(r".*/ui/dang-nhap$"))
    s.goto("/ui/tong-quan")
    assert "/ui/dang-nhap" in page.url


def test_map_and_parcel_panel(session, db):
    with db.read() as conn:
        # a parcel with an owner and a certificate
        row = conn.execute(
            select(s.parcels.c.id, s.parcels.c.commune_code, s.parcels.c.sheet_no, s.parcels.c.parcel_no)
            .join(s.holding_parcels, s.holding_parcels.c.parcel_id == s.parcels.c.id)
            .join(s.certificates, s.certificates.c.holding_id == s.holding_parcels.c.holding_id)
            .where(s.parcels.c.geom.is_not(None)).order_by(s.parcels.c.id).limit(1)).one()
    sess = session("dulieu")
    page = sess.page
    sess.goto(f"/ui/ban-do?ma_xa={row.commune_code}")
    page.wait_for_selector("#ban-do[data-loaded='1']", timeout=15000)
    drawn = int(page.get_attribute("#ban-do", "data-drawn"))
    assert drawn > 50
    assert unlabeled_fields(page) == []
    sess.shot("02-ban-do")
    point = page.evaluate(f"window.datdaiMap.pointOf({row.id})")
    assert point is not None
    box = page.locator("#ban-do").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    panel = page.locator(f".parcel-panel[data-parcel-id='{row.id}']")
    panel.wait_for(timeout=10000)
    text = panel.inner_text()
    assert f"Thửa {row.parcel_no}, tờ {row.sheet_no}" in text
    for heading in ("Dữ liệu sổ địa chính và bản đồ", "Người sử dụng đất, chủ sở hữu và quyền", "Giấy chứng nhận",
                    "Tài sản gắn liền với đất", "Lỗi dữ liệu", "Lịch sử thay đổi"):
        assert heading in text
    assert "Chưa cấp giấy chứng nhận" not in text  # this parcel has one
    sess.shot("03-ban-do-thua")
    # the search by sheet and parcel number opens the same parcel
    sess.goto(f"/ui/ban-do?ma_xa={row.commune_code}&so_to={row.sheet_no}&so_thua={row.parcel_no}")
    page.locator(f".parcel-panel[data-parcel-id='{row.id}']").wait_for(timeout=10000)


def test_resolve_finding_and_apply_a_proposal(session, db):
    f = s.findings
    with db.read() as conn:
        plain = conn.execute(select(f.c.id).where(f.c.status == "MO", f.c.proposed_fix.is_(None))
                             .order_by(f.c.id)).scalars().first()
        # a proposal left for a person (e.g. NAME_PREFIX: "Ông Nguyễn Văn A" → "Nguyễn Văn A")
        proposal = conn.execute(select(f.c.id, f.c.proposed_fix, f.c.party_id).where(
            f.c.status == "MO", f.c.proposed_fix.is_not(None), f.c.party_id.is_not(None))
            .order_by(f.c.id)).first()
        area = conn.execute(select(f.c.id, f.c.map_value, f.c.parcel_id).where(
            f.c.status == "MO", f.c.rule_code == "AREA_MISMATCH", f.c.id != plain).order_by(f.c.id)).first()
    assert proposal is not None and area is not None
    sess = session("dulieu")
    page = sess.page
    sess.goto("/ui/loi-du-lieu?trang_thai=MO")
    assert unlabeled_fields(page) == []
    sess.shot("04-loi-du-lieu")
    sess.goto(f"/ui/loi-du-lieu/{plain}")
    assert page.locator("[data-testid=gia-tri-ban-do]").count() == 1
    assert page.locator("[data-testid=gia-tri-so]").count() == 1
    assert unlabeled_fields(page) == []
    sess.shot("05-loi-chi-tiet")
    page.select_option("#quyet-dinh", "CHAP_NHAN")
    page.fill("#ly-do", "Sai số trong hạn mức của bản đồ đo cũ")
    page.click("#luu-quyet-dinh")
    page.wait_for_load_state("load")
    assert page.inner_text("[data-testid=trang-thai-loi]") == "Chấp nhận như hiện trạng"
    assert "Sai số trong hạn mức" in page.inner_text("main")
    with db.read() as conn:
        assert conn.execute(select(f.c.status).where(f.c.id == plain)).scalar() == "CHAP_NHAN"
        event = conn.execute(select(s.finding_events).where(s.finding_events.c.finding_id == plain)
                             .order_by(s.finding_events.c.id.desc())).first()
        assert (event.actor, event.to_status) == ("dulieu", "CHAP_NHAN")

    # a decision without a reason is refused, nothing changes
    sess.goto(f"/ui/loi-du-lieu/{proposal.id}")
    page.fill("#ly-do", "   ")
    page.click("#luu-quyet-dinh")
    page.wait_for_load_state("load")
    assert "Cần ghi lý do" in page.inner_text("main")
    assert page.inner_text("[data-testid=trang-thai-loi]") == "Chờ xử lý"
    # the proposed fix applied: written through the audit trail
    page.click("#ap-dung-de-xuat")
    page.wait_for_load_state("load")
    assert page.inner_text("[data-testid=trang-thai-loi]") == "Đã sửa"
    with db.read() as conn:
        row = conn.execute(select(f.c.status, f.c.audit_change_id).where(f.c.id == proposal.id)).one()
        name = conn.execute(select(s.parties.c.full_name).where(s.parties.c.id == proposal.party_id)).scalar()
    assert row.status == "DA_SUA" and name == proposal.proposed_fix

    # fixed with the right value: the register's area corrected through the audit trail
    sess.goto(f"/ui/loi-du-lieu/{area.id}")
    page.select_option("#quyet-dinh", "DA_SUA")
    page.fill("#gia-tri", area.map_value)
    page.fill("#ly-do", "Đo đạc lại, diện tích theo bản đồ")
    page.click("#luu-quyet-dinh")
    page.wait_for_load_state("load")
    assert page.inner_text("[data-testid=trang-thai-loi]") == "Đã sửa"
    with db.read() as conn:
        row = conn.execute(select(f.c.status, f.c.audit_change_id).where(f.c.id == area.id)).one()
        legal = conn.execute(select(s.parcels.c.legal_area).where(s.parcels.c.id == area.parcel_id)).scalar()
        change = conn.execute(select(s.audit_batches.c.actor, s.audit_changes.c.entity)
                              .join(s.audit_batches, s.audit_batches.c.id == s.audit_changes.c.batch_id)
                              .where(s.audit_changes.c.id == row.audit_change_id)).one()
    assert row.status == "DA_SUA" and legal == pytest.approx(float(area.map_value))
    assert tuple(change) == ("dulieu", "parcels")


def test_review_queue_by_keyboard(session, db):
    r = s.reconcile_results
    with db.read() as conn:
        open_cases = conn.execute(select(r.c.id).where(r.c.status == "MO").order_by(r.c.commune_code, r.c.run_id,
                                                                                  r.c.ma_dong)).scalars().all()
    assert len(open_cases) >= 2
    sess = session("dulieu")
    page = sess.page
    sess.goto("/ui/doi-soat")
    first = page.locator("section.case:not([hidden])")
    first_id = int(first.get_attribute("data-result-id"))
    assert unlabeled_fields(page) == []
    assert page.locator("section.case:not([hidden]) td.diff").count() >= 1  # differences highlighted
    sess.shot("06-doi-soat")
    # 1 chooses the first candidate, A proposes "accept" with a standard reason, Enter records it
    page.keyboard.press("1")
    assert page.locator("section.case:not([hidden]) tr.cand-row.chosen").count() == 1
    page.keyboard.press("a")
    reason = page.locator("section.case:not([hidden]) input.reason")
    assert reason.evaluate("el => el === document.activeElement")
    assert reason.input_value().startswith("Khớp họ tên")
    page.keyboard.press("Enter")
    page.locator(f"#muc-{first_id}.done").wait_for()
    assert "Đã ghi trường hợp" in page.inner_text("#ket-qua-quyet-dinh")
    # the next case is shown; N = no match
    second = page.locator("section.case:not([hidden])")
    second_id = int(second.get_attribute("data-result-id"))
    assert second_id != first_id
    page.keyboard.press("n")
    page.keyboard.type(" (đã kiểm tra)")
    page.keyboard.press("Enter")
    page.locator(f"#muc-{second_id}.done").wait_for()
    sess.shot("07-doi-soat-da-quyet-dinh")
    with db.read() as conn:
        rows = {x.id: x for x in conn.execute(select(r).where(r.c.id.in_([first_id, second_id])))}
    assert (rows[first_id].decision, rows[first_id].status, rows[first_id].decided_by) == ("CHON", "CHO_AP_DUNG",
                                                                                        "dulieu")
    assert (rows[second_id].decision, rows[second_id].status) == ("KHONG_KHOP", "DONG")
    assert rows[second_id].decision_reason.endswith("(đã kiểm tra)")


def test_dossier_desk_file_and_move(session, db):
    with db.read() as conn:
        p = conn.execute(select(s.parcels.c.commune_code, s.parcels.c.sheet_no, s.parcels.c.parcel_no)
                         .where(s.parcels.c.geom.is_not(None)).order_by(s.parcels.c.id)).first()
    sess = session("motcua")
    page = sess.page
    assert unlabeled_fields(page) == []
    sess.shot("08-ho-so")
    page.click("#tiep-nhan-moi")
    page.wait_for_url(re.compile(r".*/ui/ho-so/moi$"))
    assert unlabeled_fields(page) == []
    page.select_option("#dich-vu", "DK_BIEN_DONG_THONG_TIN")
    page.fill("#ho-ten", "Nguyễn Văn Kiểm Thử")
    page.fill("#so-dinh-danh", "070090001234")
    page.select_option("#ma-xa", p.commune_code)
    page.fill("#so-to", str(p.sheet_no))
    page.fill("#so-thua", str(p.parcel_no))
    sess.shot("09-ho-so-moi")
    page.click("#nop-ho-so button[type=submit]")
    page.wait_for_url(re.compile(r".*/ui/ho-so/\d+\?tb=da-nop$"))
    assert page.inner_text("[data-testid=trang-thai-ho-so]") == "Đã nộp"
    dossier_id = int(re.search(r"/ui/ho-so/(\d+)", page.url).group(1))
    # move it on: received (the legal clock starts), then processing
    page.select_option("#den", "DA_TIEP_NHAN")
    page.click("#chuyen-ho-so button[type=submit]")
    page.wait_for_load_state("load")
    assert page.inner_text("[data-testid=trang-thai-ho-so]") == "Đã tiếp nhận"
    assert "Hạn giải quyết" in page.inner_text("main")
    sess.shot("10-ho-so-chi-tiet")
    # a refusal needs a reason: the lifecycle refuses, the page says why
    page.select_option("#den", "TU_CHOI")
    page.click("#chuyen-ho-so button[type=submit]")
    page.wait_for_load_state("load")
    assert "Chưa chuyển được hồ sơ" in page.inner_text("main")
    with db.read() as conn:
        d = conn.execute(select(s.dossiers).where(s.dossiers.c.id == dossier_id)).one()
        events = conn.execute(select(s.dossier_events.c.to_state, s.dossier_events.c.actor)
                              .where(s.dossier_events.c.dossier_id == dossier_id)
                              .order_by(s.dossier_events.c.id)).all()
    assert (d.state, d.channel, d.created_by) == ("DA_TIEP_NHAN", "TRUC_TIEP", "motcua")
    assert d.due_date is not None
    assert [e.to_state for e in events] == ["DA_NOP", "DA_TIEP_NHAN"]
    # the desk lists it with its deadline
    sess.goto("/ui/ho-so")
    assert "HS-" in page.inner_text("main")
    # a dossier's stored document opens from its page
    with db.read() as conn:
        doc = conn.execute(select(s.dossier_documents.c.dossier_id, s.dossier_documents.c.id,
                                  s.dossier_documents.c.size).order_by(s.dossier_documents.c.id)).first()
    sess.goto(f"/ui/ho-so/{doc.dossier_id}")
    link = page.locator(f"a[href='/ui/ho-so/{doc.dossier_id}/giay-to/{doc.id}']")
    assert link.count() == 1
    answer = page.request.get(sess.base + link.get_attribute("href"))
    assert answer.status == 200 and len(answer.body()) == doc.size


def test_dashboard_and_report_download(session):
    sess = session("lanhdao")
    page = sess.page
    assert page.url.endswith("/ui/tong-quan")
    for kpi in ("kpi-thua-dat", "kpi-khop", "kpi-loi-mo", "kpi-loi-da-sua", "kpi-ho-so", "kpi-truc-tuyen",
                "kpi-dung-han", "kpi-qua-han"):
        assert page.locator(f"[data-testid={kpi}] .kpi-value").inner_text().strip()
    assert page.locator("svg.chart rect.bar-total").count() == 12
    assert unlabeled_fields(page) == []
    sess.shot("11-tong-quan")
    # every figure links to its list: the dossiers of the month
    total = page.locator("[data-testid=kpi-ho-so] .kpi-value").inner_text().strip()
    page.click("[data-testid=kpi-ho-so]")
    page.wait_for_url(re.compile(r".*/ui/ho-so\?trang_thai=TAT_CA&thang=\d{4}-\d{2}"))
    assert f"{total} hồ sơ" in page.inner_text(".pager") or total == "0"
    # and the land users matched with the population register
    sess.goto("/ui/tong-quan")
    matched = page.locator("[data-testid=kpi-khop] .kpi-value").inner_text().strip()
    page.click("[data-testid=kpi-khop]")
    page.wait_for_url(re.compile(r".*/ui/nguoi-su-dung\?tinh_trang=khop"))
    assert f"{matched} người" in page.inner_text(".page-head")
    assert unlabeled_fields(page) == []
    sess.shot("11b-nguoi-su-dung-khop")

    sess.goto("/ui/bao-cao")
    assert unlabeled_fields(page) == []
    sess.shot("12-bao-cao")
    with page.expect_download(timeout=120000) as info:
        page.click("a[data-format=docx]")
    download = info.value
    path = download.path()
    with open(path, "rb") as fh:
        assert fh.read(2) == b"PK"  # a DOCX is a zip
    assert download.suggested_filename.endswith(".docx")


def test_long_job_survives_leaving_the_page(session, db, province):
    sess = session("admin")
    page = sess.page
    sess.goto("/ui/tac-vu")
    assert unlabeled_fields(page) == []
    page.select_option("#giao-nop", OTHER_DELIVERY)
    page.click("#form-nhap-giao-nop button[type=submit]")
    page.wait_for_url(re.compile(r".*/ui/tac-vu\?tb=da-bat-dau.*"))
    job_id = int(page.locator("tr[data-job-id]").first.get_attribute("data-job-id"))
    # leave for another page, then come back: the job is found from the table
    sess.goto("/ui/ho-so")
    sess.goto("/ui/tac-vu")
    row = page.locator(f"#tac-vu-{job_id}")
    assert row.count() == 1
    page.locator(f"#tac-vu-{job_id}[data-status=XONG]").wait_for(timeout=120000)
    assert "Đã nhập giao nộp" in row.locator(".job-message").inner_text()
    sess.shot("13-tac-vu")
    with db.read() as conn:
        job = conn.execute(select(s.jobs).where(s.jobs.c.id == job_id)).one()
        assert job.status == "XONG" and job.created_by == "admin"
        delivery_id = job.result["delivery_id"]
        assert conn.execute(select(s.deliveries.c.actor).where(s.deliveries.c.id == delivery_id)).scalar() == "admin"
    # the same delivery again: reported as already imported, nothing changes
    page.select_option("#giao-nop", OTHER_DELIVERY)
    page.click("#form-nhap-giao-nop button[type=submit]")
    page.wait_for_url(re.compile(r".*/ui/tac-vu\?tb=da-bat-dau.*"))
    second = int(page.locator("tr[data-job-id]").first.get_attribute("data-job-id"))
    page.locator(f"#tac-vu-{second}[data-status=XONG], #tac-vu-{second}[data-status=LOI]").wait_for(timeout=60000)
    assert "đã được nhập trước đây" in page.locator(f"#tac-vu-{second} .job-message").inner_text()

    # the contractor's corrected delivery of the same communes: planned (nothing written), the plan
    # read on the job's page, applied from there
    inbox = province[0] / "giao-nop"
    _, reg = read_register(inbox / OTHER_DELIVERY / "so_dia_chinh.csv")
    keys = list(dict.fromkeys(key_of(r) for r in reg))
    write_corrected(inbox / OTHER_DELIVERY, inbox / f"{OTHER_DELIVERY}-sua",
                    Edits(removed=[keys[-1]], added=[(keys[0][0], 98, 1)], owner=keys[1]), {}, {})
    sess.goto("/ui/tac-vu")
    page.select_option("#giao-nop", f"{OTHER_DELIVERY}-sua")
    page.click("#form-nhap-giao-nop button[type=submit]")
    page.wait_for_url(re.compile(r".*/ui/tac-vu\?tb=da-bat-dau.*"))
    planned = int(page.locator("tr[data-job-id]").first.get_attribute("data-job-id"))
    page.locator(f"#tac-vu-{planned}[data-status=XONG], #tac-vu-{planned}[data-status=LOI]").wait_for(timeout=120000)
    assert "kế hoạch thay đổi theo thửa" in page.locator(f"#tac-vu-{planned} .job-message").inner_text()
    sess.goto(f"/ui/tac-vu/{planned}")
    assert unlabeled_fields(page) == []
    assert page.locator("#ke-hoach tbody tr").count() == 3  # added, removed, holders
    assert f"{keys[0][0]}/98/1" in page.locator("#ke-hoach").inner_text()
    sess.shot("13b-ke-hoach-giao-nop-sua")
    page.click("#form-ap-dung button[type=submit]")
    page.wait_for_url(re.compile(r".*/ui/tac-vu\?tb=da-bat-dau.*"))
    applied = int(page.locator("tr[data-job-id]").first.get_attribute("data-job-id"))
    assert applied > planned
    page.locator(f"#tac-vu-{applied}[data-status=XONG], #tac-vu-{applied}[data-status=LOI]").wait_for(timeout=120000)
    assert "Đã áp dụng giao nộp sửa" in page.locator(f"#tac-vu-{applied} .job-message").inner_text()

    # a data officer's reconciliation of their communes, followed on the job's own page
    officer = session("dulieu")
    officer.goto("/ui/tac-vu")
    officer.page.select_option("#dan-cu", "dan_cu.csv")
    officer.page.click("#form-doi-soat button[type=submit]")
    officer.page.wait_for_url(re.compile(r".*/ui/tac-vu\?tb=da-bat-dau.*"))
    rec = int(officer.page.locator("tr[data-job-id]").first.get_attribute("data-job-id"))
    officer.goto(f"/ui/tac-vu/{rec}")
    officer.page.locator(f"#tac-vu-{rec}[data-status=XONG], #tac-vu-{rec}[data-status=LOI]").wait_for(
        timeout=120000)
    assert "Đã đối soát" in officer.page.locator(f"#tac-vu-{rec} .job-message").inner_text()
    officer.shot("14-tac-vu-doi-soat")


def test_survey_proposals_reviewed_and_applied(session, db, tmp_path):
    """A submission recorded for a parcel of the province: its proposals on /ui/dieu-tra, the
    conflict-free ones accepted at once, applied, the register changed through the audit trail."""
    from datdai.cleaning.survey import record_submissions
    from datdai.db.files import FileStore
    from datdai.kernel.survey_fields import Submission

    with db.read() as conn:
        parcel = conn.execute(select(s.parcels.c.id, s.parcels.c.commune_code, s.parcels.c.sheet_no,
                                     s.parcels.c.parcel_no).order_by(s.parcels.c.id)).first()
    key = f"{parcel.commune_code}-{parcel.sheet_no}-{parcel.parcel_no}"
    with db.transaction() as conn:
        record_submissions(conn, [Submission("uuid:trinh-duyet", 1, key, {"so_nha": "88", "duong_thon": "Tổ 5"},
                                             surveyor="Tổ điều tra số 1")],
                           source="ODK_CENTRAL", file_name="x.zip", files=FileStore(tmp_path), actor="t")
    sess = session("dulieu")
    page = sess.page
    sess.goto(f"/ui/dieu-tra?ma_xa={parcel.commune_code}")
    assert "Tổ điều tra số 1" in page.inner_text("#de-xuat") and "88" in page.inner_text("#de-xuat")
    assert page.locator("#tien-do-dieu-tra").count() == 1
    assert unlabeled_fields(page) == []
    sess.shot("10-dieu-tra")
    page.click("#duyet-tat-ca")
    page.wait_for_load_state("load")
    assert "Đã ghi quyết định" in page.inner_text("main")
    page.click("#ap-dung")
    page.wait_for_load_state("load")
    assert "Đã áp dụng" in page.inner_text("main")
    with db.read() as conn:
        addr = conn.execute(select(s.parcel_addresses).where(s.parcel_addresses.c.parcel_id == parcel.id)).one()
    assert (addr.house_number, addr.street) == ("88", "Tổ 5")
