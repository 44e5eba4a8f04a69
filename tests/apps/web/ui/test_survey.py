"""The survey review page (TestClient, SQLite and PostgreSQL): proposals listed in scope with
personal numbers masked per role and the access logged; decided per field and all at once,
applied in one audit batch and undone; photos served in scope; a commune outside the account's
scope refused."""

from __future__ import annotations

from unittest import mock

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select

from datdai.access import passwords, purposes
from datdai.access.access_log import query_access_log
from datdai.access.demo import create_demo_accounts
from datdai.access.users import create_user
from datdai.apps.web.app import create_app
from datdai.cleaning.survey import record_submissions
from datdai.db import schema as s
from datdai.db.files import FileStore
from datdai.kernel.survey_fields import Photo, Submission
from datdai.land import repository
from tests.apps.web.ui.test_routes import csrf, login
from tests.cleaning.survey_export import jpeg
from tests.land.factories import small_dataset

PHOTO = jpeg()


@pytest.fixture
def ui(store, tmp_path, monkeypatch):
    monkeypatch.setenv("DATDAI_FILES", str(tmp_path / "files"))
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with mock.patch.object(passwords, "_hasher", cheap):
        with store.transaction() as conn:
            repository.load_dataset(conn, small_dataset(), actor="t", source="t", reason="t")
            create_demo_accounts(conn, scopes=["70"])
            create_user(conn, "dulieu_khac", role="can_bo_du_lieu", password="x" * 12, scopes=["01001"])
            record_submissions(conn, [
                Submission("uuid:w1", 1, "25216-12-1", {"dien_tich": "410.5", "so_nha": "12",
                                                        "so_dinh_danh": "070065001234"},
                           surveyor="Lê Văn Điều",
                           photos=[Photo("GCN", "a.jpg", len(PHOTO), lambda: PHOTO)]),
            ], source="ODK_CENTRAL", file_name="x.zip", files=FileStore(tmp_path / "files"), actor="t")
        app = create_app(store)
        app.state.auth_cache_seconds = 0
        with TestClient(app, follow_redirects=False) as client:
            client.store = store
            yield client


def _ids(client) -> dict[str, int]:
    with client.store.read() as conn:
        return {r.field: r.id for r in conn.execute(select(s.survey_proposals))}


def test_review_apply_and_undo_from_the_page(ui):
    assert login(ui, "dulieu").status_code == 303
    page = ui.get("/ui/dieu-tra?ma_xa=25216")
    assert page.status_code == 200
    assert "410.5" in page.text and "Lê Văn Điều" in page.text and 'id="tien-do-dieu-tra"' in page.text
    assert "070065001234" in page.text  # a data officer sees the number in full
    with ui.store.read() as conn:
        _total, entries = query_access_log(conn, username="dulieu", action="xem đề xuất điều tra thực địa")
    assert entries and entries[0].purpose == purposes.SURVEY
    ids = _ids(ui)
    r = ui.post(f"/ui/dieu-tra/{ids['dien_tich']}/quyet-dinh",
                data={"quyet_dinh": "CHAP_NHAN", "ly_do": "đo lại", "ma_xa": "25216", "csrf_token": csrf(ui)})
    assert r.status_code == 303 and "tb=da-luu" in r.headers["location"]
    assert ui.post("/ui/dieu-tra/duyet-tat-ca", data={"ma_xa": "25216", "csrf_token": csrf(ui)}).status_code == 303
    r = ui.post("/ui/dieu-tra/ap-dung", data={"ma_xa": "25216", "csrf_token": csrf(ui)})
    assert r.status_code == 303 and "tb=da-ap-dung" in r.headers["location"]
    with ui.store.read() as conn:
        assert conn.execute(select(s.parcels.c.legal_area).where(s.parcels.c.parcel_no == 1)).scalar_one() == 410.5
        parcel_id = conn.execute(select(s.parcels.c.id).where(s.parcels.c.parcel_no == 1)).scalar_one()
        batch = conn.execute(select(s.survey_proposals.c.applied_batch_id)
                             .where(s.survey_proposals.c.id == ids["dien_tich"])).scalar_one()
    # the parcel's page shows the surveyed address and its (official) identifier
    panel = ui.get(f"/ui/thua-dat/{parcel_id}")
    assert panel.status_code == 200 and "Số 12" in panel.text and "70250120001" in panel.text
    assert "tạm thời" not in panel.text.split('data-testid="ma-thua"')[1][:120]
    # a decided proposal cannot be decided again: the page says why, nothing changes
    again = ui.post(f"/ui/dieu-tra/{ids['dien_tich']}/quyet-dinh",
                    data={"quyet_dinh": "TU_CHOI", "ma_xa": "25216", "csrf_token": csrf(ui)})
    assert again.status_code == 422 and "đã được quyết định" in again.text
    r = ui.post(f"/ui/dieu-tra/hoan-tac/{batch}", data={"ly_do": "nhầm", "ma_xa": "25216", "csrf_token": csrf(ui)})
    assert r.status_code == 303 and "tb=da-hoan-tac" in r.headers["location"]
    with ui.store.read() as conn:
        assert conn.execute(select(s.parcels.c.legal_area).where(s.parcels.c.parcel_no == 1)).scalar_one() == 400.0
    photo = ui.get("/ui/dieu-tra/anh/1/0")
    assert photo.status_code == 200 and photo.content == PHOTO


def test_scope_and_masking(ui):
    assert login(ui, "dulieu_khac", "x" * 12).status_code == 303
    assert ui.get("/ui/dieu-tra?ma_xa=25216").status_code == 403
    page = ui.get("/ui/dieu-tra")
    assert page.status_code == 200 and "410.5" not in page.text
    assert ui.get("/ui/dieu-tra/anh/1/0").status_code == 403
    assert ui.post(f"/ui/dieu-tra/{_ids(ui)['dien_tich']}/quyet-dinh",
                   data={"quyet_dinh": "CHAP_NHAN", "csrf_token": csrf(ui)}).status_code == 422
    # without the CSRF token a form post is refused
    assert ui.post("/ui/dieu-tra/ap-dung", data={}).status_code == 403


def test_an_administrator_sees_numbers_masked(ui):
    assert login(ui, "admin").status_code == 303
    page = ui.get("/ui/dieu-tra")
    assert page.status_code == 200 and "410.5" in page.text
    assert "070065001234" not in page.text and "0700******34" in page.text
