"""The citizens' pages without a browser (FastAPI TestClient), on SQLite and PostgreSQL: a local
citizen account logs in with the password form and lands on their page; their parcels are those
of store/ownership.py and nobody else's; other parcels and dossiers answer 404; filing online
needs the CSRF header and stores the papers; every page with personal data is access-logged;
without a configured provider the OIDC login says so."""

from __future__ import annotations

import re
from unittest import mock
from urllib.parse import unquote

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select

from datdai.access import passwords, purposes
from datdai.access.users import create_user
from datdai.apps.web.app import create_app
from datdai.db import schema as s
from datdai.land import repository
from datdai.land.ownership import citizen_parcel_ids, number_param
from tests.dossiers.dossier_helpers import confirm_number
from tests.land.factories import small_dataset

AN = "070065001234"  # Nguyễn Văn An of the small dataset
OTHER = "079090009999"  # a citizen holding nothing
PASSWORD = "mat-khau-cong-dan"


@pytest.fixture
def ui(store):
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with mock.patch.object(passwords, "_hasher", cheap):
        with store.transaction() as conn:
            repository.load_dataset(conn, small_dataset(), actor="t", source="t", reason="t")
            confirm_number(conn, "P1", AN)  # reconciled: a verified link (land/ownership.py)
            create_user(conn, "an", role="cong_dan", password=PASSWORD, personal_number=AN,
                        display_name="Nguyễn Văn An")
            create_user(conn, "khac", role="cong_dan", password=PASSWORD, personal_number=OTHER)
        app = create_app(store)
        app.state.auth_cache_seconds = 0
        app.state.oidc = None
        with TestClient(app, follow_redirects=False) as client:
            client.store = store
            yield client


def login(client, username):
    client.cookies.clear()
    client.get("/ui/cong-dan/dang-nhap")
    token = client.cookies.get("datdai_csrf")
    return client.post("/ui/dang-nhap", data={"username": username, "password": PASSWORD, "csrf_token": token})


def owned(store, number):
    with store.read() as conn:
        return set(conn.execute(citizen_parcel_ids(number_param()), {"number": number}).scalars())


def test_a_citizen_sees_their_parcels_only(ui):
    assert ui.get("/ui/cong-dan").headers["location"].startswith("/ui/cong-dan/dang-nhap?next=")
    r = login(ui, "an")
    assert r.status_code == 303 and r.headers["location"] == "/ui/cong-dan"
    mine = owned(ui.store, AN)
    assert mine, "the small dataset's An holds land through land/ownership.py"
    page = ui.get("/ui/cong-dan")
    assert page.status_code == 200
    shown = {int(x) for x in re.findall(r'data-parcel-id="(\d+)"', page.text)}
    assert shown == mine
    with ui.store.read() as conn:
        every = set(conn.execute(select(s.parcels.c.id)).scalars())
        log = conn.execute(select(s.access_log).where(s.access_log.c.username == "an")).all()
    assert log and log[-1].purpose == purposes.CITIZEN_SELF and log[-1].subject_count >= 1
    first = sorted(mine)[0]
    assert ui.get(f"/ui/cong-dan/thua-dat/{first}").status_code == 200
    for other in sorted(every - mine)[:3]:
        assert ui.get(f"/ui/cong-dan/thua-dat/{other}").status_code == 404
    assert ui.get("/ui/tong-quan").status_code == 403  # the staff pages are not a citizen's

    login(ui, "khac")
    page = ui.get("/ui/cong-dan")
    assert 'data-parcel-id="' not in page.text and "Chưa có thửa đất nào" in page.text
    assert ui.get(f"/ui/cong-dan/thua-dat/{first}").status_code == 404


def test_filing_online_needs_the_csrf_header_and_keeps_the_papers(ui):
    login(ui, "an")
    parcel = sorted(owned(ui.store, AN))[0]
    form = ui.get(f"/ui/cong-dan/nop-ho-so?dich_vu=DK_BIEN_DONG_THONG_TIN&thua={parcel}")
    assert form.status_code == 200 and 'name="tep_DON_DANG_KY_BIEN_DONG"' in form.text
    data = {"dich_vu": "DK_BIEN_DONG_THONG_TIN", "thua": str(parcel), "ma_chong_trung": "k1",
            "dia_chi_moi": "Số 5, Thôn 6", "csrf_token": ui.cookies.get("datdai_csrf")}
    files = {"tep_DON_DANG_KY_BIEN_DONG": ("don.pdf", b"%PDF don", "application/pdf"),
             "tep_GCN_BAN_GOC": ("gcn.pdf", b"%PDF gcn", "application/pdf")}
    assert ui.post("/ui/cong-dan/nop-ho-so", data=data, files=files).status_code == 403  # no header
    headers = {"X-CSRF-Token": ui.cookies.get("datdai_csrf")}
    missing = ui.post("/ui/cong-dan/nop-ho-so", data=data, files={"tep_GCN_BAN_GOC": files["tep_GCN_BAN_GOC"]},
                      headers=headers)
    assert missing.status_code == 422 and "Còn thiếu giấy tờ bắt buộc" in missing.text
    done = ui.post("/ui/cong-dan/nop-ho-so", data=data, files=files, headers=headers)
    assert done.status_code == 303
    dossier_id = int(done.headers["location"].split("/")[-1].split("?")[0])
    with ui.store.read() as conn:
        d = conn.execute(select(s.dossiers).where(s.dossiers.c.id == dossier_id)).one()
        docs = conn.execute(select(s.dossier_documents.c.component_code)
                            .where(s.dossier_documents.c.dossier_id == dossier_id)).scalars().all()
    assert (d.applicant_personal_number, d.channel, d.payload) == (AN, "ONLINE", {"address": "Số 5, Thôn 6"})
    assert sorted(docs) == ["DON_DANG_KY_BIEN_DONG", "GCN_BAN_GOC"]
    page = ui.get(f"/ui/cong-dan/ho-so/{dossier_id}")
    assert page.status_code == 200 and "Đã nộp" in page.text
    # another citizen: as if it did not exist
    login(ui, "khac")
    assert ui.get(f"/ui/cong-dan/ho-so/{dossier_id}").status_code == 404


def test_the_oidc_login_says_when_no_provider_is_configured(ui):
    r = ui.get("/ui/cong-dan/dang-nhap/oidc")
    assert r.status_code == 303
    assert "Chưa cấu hình đăng nhập" in unquote(r.headers["location"])
    page = ui.get("/ui/cong-dan/dang-nhap")
    assert "Văn phòng chưa cấu hình đăng nhập bằng tài khoản định danh điện tử" in page.text
    assert ui.get("/ui/cong-dan/dang-nhap/oidc/ve?code=x&state=y").status_code == 503
