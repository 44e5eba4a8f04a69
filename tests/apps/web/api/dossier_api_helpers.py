"""Helpers for the dossier / stats / Model 46 API tests: a store with the small land dataset, the demo
accounts plus a clerk of another province and two citizens, and a TestClient with their tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from datdai.access import passwords
from datdai.access.access_log import query_access_log
from datdai.access.demo import create_demo_accounts
from datdai.access.tokens import issue_token
from datdai.access.users import create_user
from datdai.apps.web.app import create_app
from datdai.db.files import FileStore
from datdai.db.schema import audit_batches, dossier_events, dossiers, outbox
from datdai.dossiers import dossiers as ds
from datdai.dossiers.documents import add_document
from tests.dossiers.dossier_helpers import AN, BINH, at, confirm_number, go, load_land, parcel_id

PASSWORD = "mat-khau-thu-nghiem"
OTHER_CLERK = "motcua_hn"  # a one-stop clerk of Hà Nội (01): the test parcels (25216) are out of scope


@dataclass
class Api:
    client: TestClient
    store: object
    tokens: dict[str, str] = field(default_factory=dict)
    api_keys: dict[str, str] = field(default_factory=dict)

    def h(self, user: str, **extra: str) -> dict[str, str]:
        """Headers authenticating as ``user`` (a bearer token)."""
        return {"Authorization": f"Bearer {self.tokens[user]}", **extra}

    def key(self, client: str, **extra: str) -> dict[str, str]:
        """Headers authenticating a system client by its API key."""
        return {"X-API-Key": self.api_keys[client], **extra}

    def counts(self) -> tuple[int, ...]:
        """(dossiers, events, audit batches, outbox messages): unchanged by a refused request."""
        with self.store.read() as conn:
            return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()
                         for t in (dossiers, dossier_events, audit_batches, outbox))

    def access_log(self, username: str):
        with self.store.read() as conn:
            return query_access_log(conn, username=username, limit=1000)[1]


@contextmanager
def make_api(store) -> Iterator[Api]:
    load_land(store)
    # the tests log in with tokens issued here, never with the passwords: hash them cheaply
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with mock.patch.object(passwords, "_hasher", cheap), store.transaction() as conn:
        demo = create_demo_accounts(conn)
        create_user(conn, OTHER_CLERK, role="mot_cua", password=PASSWORD, scopes=["01"])
        create_user(conn, "an", role="cong_dan", password=PASSWORD, personal_number=AN)
        create_user(conn, "binh", role="cong_dan", password=PASSWORD, personal_number=BINH)
        users = [*demo.usernames, OTHER_CLERK, "an", "binh"]
        tokens = {u: issue_token(conn, u).token for u in users}
    app = create_app(store)
    app.state.auth_cache_seconds = 0
    with TestClient(app) as client:
        yield Api(client, store, tokens, dict(demo.api_keys))


def today() -> dt.date:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=7)).date()


def is_masked(value: str | None, full: str) -> bool:
    return value is not None and value != full and "*" in value and value[-2:] == full[-2:]


def file_june_dossiers(store, files: FileStore | None = None) -> None:
    """June 2025: two financial-obligation dossiers received (one online, returned on time — with a
    digitized document when ``files`` is given; one at the desk, still open), a transfer received in
    May, and one filed in June but never received."""
    with store.transaction() as conn:
        confirm_number(conn, "P2", BINH)  # she files online for her parcel: a verified link
        d1, _ = ds.create_dossier(conn, service_code="NGHIA_VU_TAI_CHINH", applicant_name="Trần Thị Bình",
                                  applicant_personal_number=BINH, parcel_id=parcel_id(conn, 2), actor="t",
                                  channel="ONLINE", role="cong_dan", citizen_number=BINH, at=at("2025-06-02", 8))
        if files is not None:
            add_document(conn, files, d1.id, component_code="TO_KHAI", file_name="to-khai.pdf", data=b"%PDF-1",
                         by="t", digitized=True, at=at("2025-06-02", 8))
        go(conn, d1, "DA_TIEP_NHAN", "mot_cua", "2025-06-02")
        go(conn, d1, "DANG_XU_LY", "can_bo_du_lieu", "2025-06-03")
        go(conn, d1, "CHO_PHE_DUYET", "can_bo_du_lieu", "2025-06-03", hour=10)
        go(conn, d1, "DA_PHE_DUYET", "lanh_dao", "2025-06-04",
           payload={"obligations": [{"kind": "LE_PHI_TRUOC_BA", "status": "DA_NOP", "amount": 500000}]})
        go(conn, d1, "DA_TRA_KET_QUA", "mot_cua", "2025-06-05")
        d2, _ = ds.create_dossier(conn, service_code="NGHIA_VU_TAI_CHINH", applicant_name="Trần Thị Bình",
                                  applicant_personal_number=BINH, parcel_id=parcel_id(conn, 2), actor="t",
                                  at=at("2025-06-03", 8))
        go(conn, d2, "DA_TIEP_NHAN", "mot_cua", "2025-06-03")
        d3, _ = ds.create_dossier(conn, service_code="CHUYEN_QUYEN", applicant_name="Nguyễn Văn An",
                                  applicant_personal_number=AN, parcel_id=parcel_id(conn, 1), actor="t",
                                  at=at("2025-05-30", 8))
        go(conn, d3, "DA_TIEP_NHAN", "mot_cua", "2025-05-30")
        ds.create_dossier(conn, service_code="CHUYEN_QUYEN", applicant_name="Nguyễn Văn An", actor="t",
                          at=at("2025-06-10", 8))
