"""Citizens online, in headless Chromium against a real ``datdai serve`` and a real OpenID Connect
provider process on loopback (``oidc-provider-mock``, built on Authlib): a citizen logs in through
the provider, sees exactly their parcels, files a transfer reusing a digitized paper, answers a
request to supplement; staff process it at the desk and attach the result; the citizen's
notifications are queued in the outbox at each change and the result downloads. Another citizen
sees nothing of it. axe-core (WCAG 2.1 AA) finds no violation on the citizens' pages, at 360 px."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from datdai.db import schema as s
from datdai.db.store import open_store
from datdai.dossiers.documents import reusable_documents
from datdai.dossiers.registry import get_service
from datdai.land.ownership import citizen_parcel_ids, number_param
from tests.access.oidc_helpers import oidc_provider, set_claims
from tests.apps.web.ui.conftest import (
    ARTIFACTS,
    Session,
    build_province,
    start_server,
    stop_server,
    unlabeled_fields,
)

AXE = Path(__file__).resolve().parents[4] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
CLIENT_ID, CLIENT_SECRET = "datdai-cong-dan", "bi-mat-kiem-thu"
MOBILE = {"width": 360, "height": 740}
RESULT_PDF = b"%PDF-1.4\n% ket qua giai quyet ho so - kiem thu\n%%EOF\n"


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("cong-dan")
    return workdir, build_province(workdir, parcels=150, seed=11)


@pytest.fixture(scope="module")
def db(province):
    store = open_store(province[1])
    yield store
    store.close()


@pytest.fixture(scope="module")
def provider(province):
    with oidc_provider(province[0]) as issuer:
        yield issuer


@pytest.fixture(scope="module")
def server(province, provider):
    workdir, url = province
    proc, base = start_server(url, workdir, env={
        "DATDAI_OIDC_ISSUER": provider, "DATDAI_OIDC_CLIENT_ID": CLIENT_ID, "DATDAI_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "DATDAI_OIDC_NUMBER_CLAIM": "so_dinh_danh", "DATDAI_OIDC_NAME": "VNeID (thử nghiệm)",
        "DATDAI_FILES": str(workdir / "datdai-files")})
    yield base
    stop_server(proc)


def _owned(conn, number: str) -> set[int]:
    return set(conn.execute(citizen_parcel_ids(number_param()), {"number": number}).scalars())


@pytest.fixture(scope="module")
def people(db):
    """Two citizens holding land through verified links: A also has a digitized paper of a transfer
    component on file (from an earlier dossier), and a parcel in exactly one holding."""
    with db.read() as conn:
        components = {d.code for d in get_service(conn, "CHUYEN_QUYEN").documents}
        numbers = conn.execute(select(s.parties.c.personal_number, s.parties.c.full_name)
                               .where(s.parties.c.personal_number.is_not(None), s.parties.c.kind == "CA_NHAN")
                               .order_by(s.parties.c.id)).all()
        a = b = None
        for number, name in numbers:
            owned = _owned(conn, number)
            if not owned:
                continue
            single = [p for p in sorted(owned) if conn.execute(
                select(func.count()).select_from(s.holding_parcels).where(s.holding_parcels.c.parcel_id == p)
            ).scalar_one() == 1]
            papers = [d for d in reusable_documents(conn, number) if d.component_code in components]
            if a is None and papers and single:
                a = {"number": number, "name": name, "parcels": owned, "parcel": single[0], "paper": papers[0]}
            elif b is None and not (a and owned & a["parcels"]):
                b = {"number": number, "name": name, "parcels": owned}
            if a and b and not (a["parcels"] & b["parcels"]):
                break
    assert a is not None and b is not None, "the synthetic province has no two such citizens"
    return a, b


def _axe(page) -> list[str]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page (rule id and the first nodes)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    return [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in result["violations"]]


def _login(browser, base: str, provider: str, sub: str) -> Session:
    """Through the provider's authorization page, by keyboard on our side."""
    sess = Session(browser, base, None)
    sess.page.set_viewport_size(MOBILE)
    page = sess.page
    sess.goto("/ui/cong-dan")
    page.wait_for_url(re.compile(r".*/ui/cong-dan/dang-nhap\?next="))
    assert unlabeled_fields(page) == [] and _axe(page) == []
    page.focus("#dang-nhap-dinh-danh")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(provider) + r"/oauth2/authorize\?.*"))
    asked = page.url
    for part in ("code_challenge_method=S256", "code_challenge=", "nonce=", "state=", f"client_id={CLIENT_ID}",
                 "scope=openid+profile+email+phone"):
        assert part in asked, part
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(r".*/ui/cong-dan$"))
    return sess


@pytest.fixture(scope="module")
def browser():
    from tests.apps.web.ui.conftest import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/ensure-debian.sh installs Debian's chromium")
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: `make install` runs npm ci in frontend/")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.mark.slow  # a whole dossier through the pages of five accounts, axe-core on seven pages
def test_citizen_online_end_to_end(browser, server, provider, db, people):
    a, b = people
    set_claims(provider, "vneid-a", {"so_dinh_danh": a["number"], "name": a["name"], "email": "cong.dan.a@example.vn",
                                  "email_verified": True, "phone_number": "+84901000001"})
    set_claims(provider, "vneid-b", {"so_dinh_danh": b["number"], "name": b["name"], "email": "cong.dan.b@example.vn"})

    # --- A logs in through the provider and sees exactly their parcels and their dossiers
    sa = _login(browser, server, provider, "vneid-a")
    page = sa.page
    shown = {int(x) for x in page.locator("[data-testid=thua-dat-cua-toi] [data-parcel-id]")
             .evaluate_all("els => els.map(e => e.dataset.parcelId)")}
    assert shown == a["parcels"]
    page.wait_for_selector("#ban-do-cong-dan[data-loaded]")
    assert int(page.get_attribute("#ban-do-cong-dan", "data-loaded")) == len(a["parcels"])
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]  # no sideways scrolling
    assert _axe(page) == []
    sa.shot("cong-dan-01-trang-cua-toi")
    with db.read() as conn:
        account = conn.execute(select(s.users).where(s.users.c.personal_number == a["number"],
                                                     s.users.c.role == "cong_dan")).one()
        assert (account.email, account.phone) == ("cong.dan.a@example.vn", "+84901000001")

    # the parcel page: certificate, rights, house
    sa.goto(f"/ui/cong-dan/thua-dat/{a['parcel']}")
    text = page.inner_text("main")
    for heading in ("Giấy chứng nhận", "Quyền và người có quyền", "Nhà ở, tài sản gắn liền với đất"):
        assert heading in text
    assert a["number"] in text  # their own number in full
    assert _axe(page) == []

    # --- A files a transfer, reusing the digitized paper
    sa.goto(f"/ui/cong-dan/nop-ho-so?dich_vu=CHUYEN_QUYEN&thua={a['parcel']}")
    paper = a["paper"]
    reuse = page.locator(f"#dung-lai-{paper.component_code}-{paper.id}")
    assert reuse.is_checked()
    assert "đã số hóa — không cần nộp lại" in page.inner_text(f"[data-component={paper.component_code}]")
    assert unlabeled_fields(page) == [] and _axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    sa.shot("cong-dan-02-nop-ho-so")
    page.fill("#ben_nhan_ho_ten", "Lê Văn Nhận")
    page.fill("#ben_nhan_so_dinh_danh", "079090001111")
    with db.read() as conn:
        required = [d.code for d in get_service(conn, "CHUYEN_QUYEN").required_documents]
        reusable = {d.component_code for d in reusable_documents(conn, a["number"])}
    for code in required:
        if code != paper.component_code and code not in reusable:
            page.set_input_files(f"#tep-{code}", files=[{"name": f"{code.lower()}.pdf", "mimeType": "application/pdf",
                                                          "buffer": f"%PDF-1.4 {code}".encode()}])
    page.click("#gui-ho-so")
    page.wait_for_url(re.compile(r".*/ui/cong-dan/ho-so/\d+\?tb=da-nop$"))
    dossier_id = int(re.search(r"/ho-so/(\d+)", page.url).group(1))
    assert page.inner_text("[data-testid=trang-thai-ho-so]") == "Đã nộp"
    assert _axe(page) == []
    with db.read() as conn:
        d = conn.execute(select(s.dossiers).where(s.dossiers.c.id == dossier_id)).one()
        assert (d.applicant_personal_number, d.channel, d.service_code, d.parcel_id) == (
            a["number"], "ONLINE", "CHUYEN_QUYEN", a["parcel"])
        docs = conn.execute(select(s.dossier_documents).where(s.dossier_documents.c.dossier_id == dossier_id)).all()
        assert [x.reused_from_id for x in docs if x.component_code == paper.component_code] == [paper.id]

    # --- staff: received, then a request to supplement
    clerk = Session(browser, server, "motcua")
    clerk.goto(f"/ui/ho-so/{dossier_id}")
    clerk.page.select_option("#den", "DA_TIEP_NHAN")
    clerk.page.click("#chuyen-ho-so button[type=submit]")
    clerk.page.wait_for_load_state("load")
    clerk.page.select_option("#den", "YEU_CAU_BO_SUNG")
    clerk.page.fill("#ly-do", "Bổ sung bản sao hợp đồng có chữ ký đầy đủ các bên")
    clerk.page.click("#chuyen-ho-so button[type=submit]")
    clerk.page.wait_for_load_state("load")
    assert clerk.page.inner_text("[data-testid=trang-thai-ho-so]") == "Yêu cầu bổ sung"

    # --- A answers the request
    sa.goto(f"/ui/cong-dan/ho-so/{dossier_id}")
    assert "Bổ sung bản sao hợp đồng" in page.inner_text("[data-testid=ly-do-bo-sung]")
    assert page.inner_text("[data-testid=han-giai-quyet]") != "tính từ ngày tiếp nhận"
    assert unlabeled_fields(page) == [] and _axe(page) == []
    sa.shot("cong-dan-03-bo-sung")
    page.select_option("#bo-sung-thanh-phan", "tep_HOP_DONG_VAN_BAN_CHUYEN_QUYEN")
    page.set_input_files("#tep-bo-sung", files=[{"name": "hop_dong_bo_sung.pdf", "mimeType": "application/pdf",
                                                 "buffer": b"%PDF-1.4 hop dong bo sung"}])
    page.click("#gui-bo-sung")
    page.wait_for_url(re.compile(r".*/ui/cong-dan/ho-so/\d+\?tb=da-bo-sung$"))
    assert page.inner_text("[data-testid=trang-thai-ho-so]") == "Đang xử lý"

    # --- staff process it: for approval, approved (the transfer applied), the result attached and returned
    officer = Session(browser, server, "dulieu")
    officer.goto(f"/ui/ho-so/{dossier_id}")
    officer.page.select_option("#den", "CHO_PHE_DUYET")
    officer.page.click("#chuyen-ho-so button[type=submit]")
    officer.page.wait_for_load_state("load")
    manager = Session(browser, server, "lanhdao")
    manager.goto(f"/ui/ho-so/{dossier_id}")
    manager.page.select_option("#den", "DA_PHE_DUYET")
    manager.page.click("#chuyen-ho-so button[type=submit]")
    manager.page.wait_for_load_state("load")
    assert manager.page.inner_text("[data-testid=trang-thai-ho-so]") == "Đã phê duyệt"
    clerk.goto(f"/ui/ho-so/{dossier_id}")
    clerk.page.set_input_files("#tep-ket-qua", files=[{"name": "ket_qua_chuyen_quyen.pdf",
                                                        "mimeType": "application/pdf", "buffer": RESULT_PDF}])
    clerk.page.click("#luu-ket-qua")
    clerk.page.wait_for_url(re.compile(r".*tb=da-luu-ket-qua$"))
    clerk.page.select_option("#den", "DA_TRA_KET_QUA")
    clerk.page.click("#chuyen-ho-so button[type=submit]")
    clerk.page.wait_for_load_state("load")
    assert clerk.page.inner_text("[data-testid=trang-thai-ho-so]") == "Đã trả kết quả"

    # --- A was told of every change of state, by e-mail and SMS, to the contact the provider vouched for
    with db.read() as conn:
        queued = conn.execute(select(s.outbox).where(s.outbox.c.dossier_id == dossier_id)
                              .order_by(s.outbox.c.id)).all()
    emails = [m for m in queued if m.partner == "EMAIL"]
    assert [m.payload["state"] for m in emails] == ["DA_NOP", "DA_TIEP_NHAN", "YEU_CAU_BO_SUNG", "DANG_XU_LY",
                                                    "CHO_PHE_DUYET", "DA_PHE_DUYET", "DA_TRA_KET_QUA"]
    assert {m.payload["to"] for m in emails} == {"cong.dan.a@example.vn"}
    assert {m.payload["to"] for m in queued if m.partner == "SMS"} == {"+84901000001"}
    assert "Bổ sung bản sao hợp đồng" in emails[2].payload["body"]
    assert emails[-1].payload["subject"].endswith("Đã trả kết quả")

    # --- A downloads the result
    sa.goto(f"/ui/cong-dan/ho-so/{dossier_id}")
    link = page.locator("[data-testid=tai-ket-qua]")
    with page.expect_download() as got:
        link.click()
    assert Path(got.value.path()).read_bytes() == RESULT_PDF
    assert _axe(page) == []
    sa.shot("cong-dan-04-ket-qua")
    result_href = link.get_attribute("href")
    with db.read() as conn:
        logged = conn.execute(select(func.count()).select_from(s.access_log).where(
            s.access_log.c.username == account.username)).scalar_one()
    assert logged >= 6  # every page with personal data was logged

    # --- B sees nothing of it
    sb = _login(browser, server, provider, "vneid-b")
    shown_b = {int(x) for x in sb.page.locator("[data-parcel-id]").evaluate_all("els => els.map(e => e.dataset.parcelId)")}
    assert shown_b == b["parcels"] and not (shown_b & a["parcels"])
    assert f"/ui/cong-dan/ho-so/{dossier_id}" not in sb.page.content()
    for path in (f"/ui/cong-dan/ho-so/{dossier_id}", result_href, f"/ui/cong-dan/thua-dat/{a['parcel']}"):
        answer = sb.page.request.get(server + path)
        assert answer.status == 404, path
        assert a["name"] not in answer.text()
    assert _axe(sb.page) == []
    for sess in (sa, sb, clerk, officer, manager):
        assert not sess.errors, sess.errors
        sess.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


def test_a_forged_or_replayed_callback_logs_nobody_in(browser, server):
    sess = Session(browser, server, None)
    answer = sess.page.request.get(server + "/ui/cong-dan/dang-nhap/oidc/ve?code=abc&state=khong-phai")
    assert answer.status == 401
    assert "Phiên đăng nhập không hợp lệ" in answer.text()
    sess.goto("/ui/cong-dan")
    assert "/ui/cong-dan/dang-nhap" in sess.page.url
    sess.close()

