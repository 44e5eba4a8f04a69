"""Accounts, passwords and lockout, tokens, API keys, scopes, the append-only access log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from datdai.access import roles
from datdai.access.access_log import query_access_log, write_access_log
from datdai.access.api_keys import create_api_key, lookup_api_key, revoke_api_keys
from datdai.access.demo import DEMO_PASSWORD, create_demo_accounts
from datdai.access.masking import mask_birth, mask_number
from datdai.access.principal import Principal
from datdai.access.providers import IdentityProvider, LocalProvider
from datdai.access.tokens import issue_token, lookup_token
from datdai.access.users import (
    LOCK_MINUTES,
    MAX_FAILURES,
    AccountError,
    check_password,
    create_user,
    get_user,
    revoke_user_tokens,
    set_active,
)
from datdai.db.schema import access_log, access_log_subjects, users

PW = "mật-khẩu-đủ-dài"


def test_create_user_validates_and_hashes(store):
    with store.transaction() as conn:
        u = create_user(conn, "Nguyen.An", role="can_bo_du_lieu", password=PW, scopes=["70", "25195"],
                        display_name="Nguyễn Văn An")
        assert (u.username, u.role, u.scopes) == ("nguyen.an", "can_bo_du_lieu", ("25195", "70"))
        stored = conn.execute(select(users.c.password_hash).where(users.c.id == u.id)).scalar_one()
        assert stored.startswith("$argon2id$") and PW not in stored
        for bad in [dict(username="x y", role="admin"), dict(username="ok1", role="vua"),
                    dict(username="ok2", role="can_bo_du_lieu"),  # staff needs a scope
                    dict(username="ok3", role="mot_cua", scopes=["7"]),
                    dict(username="ok4", role="cong_dan"),  # citizen needs a number
                    dict(username="nguyen.an", role="admin")]:  # exists
            with pytest.raises(AccountError):
                create_user(conn, password=PW, **{"scopes": (), **bad})
        with pytest.raises(AccountError, match="ít nhất"):
            create_user(conn, "ngan", role="admin", password="1234")


def test_password_check_nfc_lockout_and_inactive(store):
    decomposed = "mật-khẩu-đủ-dài".encode().decode()  # NFC as written
    import unicodedata

    with store.transaction() as conn:
        create_user(conn, "an", role="admin", password=PW)
    with store.transaction() as conn:
        assert check_password(conn, "AN", unicodedata.normalize("NFD", decomposed)).username == "an"
        assert check_password(conn, "khong-co", PW) is None
    now = dt.datetime.now(dt.UTC)
    for _ in range(MAX_FAILURES):
        with store.transaction() as conn:
            assert check_password(conn, "an", "sai-mat-khau", now) is None
    with store.transaction() as conn:  # locked: even the right password fails
        assert check_password(conn, "an", PW, now) is None
    later = now + dt.timedelta(minutes=LOCK_MINUTES + 1)
    with store.transaction() as conn:
        assert check_password(conn, "an", PW, later) is not None
        set_active(conn, "an", False)
    with store.transaction() as conn:
        assert check_password(conn, "an", PW) is None
    provider = LocalProvider(store.engine)
    assert isinstance(provider, IdentityProvider)
    assert provider.authenticate("an", PW) is None


def test_tokens_expire_and_die_with_the_account(store):
    with store.transaction() as conn:
        create_user(conn, "an", role="mot_cua", password=PW, scopes=["70"])
        issued = issue_token(conn, "an", ttl=600)
    assert issued.expires_in == 600
    with store.read() as conn:
        owner = lookup_token(conn, issued.token)
        assert (owner.username, owner.role, owner.scopes) == ("an", "mot_cua", ("70",))
        assert lookup_token(conn, issued.token, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=601)) is None
        assert lookup_token(conn, "khong-phai-ma") is None
        stored = conn.execute(text("SELECT token_hash FROM access_tokens")).scalar_one()
        assert stored != issued.token and len(stored) == 64
    with store.transaction() as conn:
        assert revoke_user_tokens(conn, "an") == 1
    with store.read() as conn:
        assert lookup_token(conn, issued.token) is None
    with store.transaction() as conn:
        issued = issue_token(conn, "an")
        set_active(conn, "an", False)
        assert lookup_token(conn, issued.token) is None
        with pytest.raises(LookupError):
            issue_token(conn, "an")


def test_api_keys(store):
    with store.transaction() as conn:
        key = create_api_key(conn, "thue", role="he_thong_thue")
        soon = create_api_key(conn, "thue-cu", role="he_thong_thue",
                              expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
        with pytest.raises(AccountError):
            create_api_key(conn, "x", role="vua")
    assert key.key.startswith("dd_") and len(key.key) > 40
    with store.read() as conn:
        assert lookup_api_key(conn, key.key).role == "he_thong_thue"
        assert lookup_api_key(conn, key.key[:-1] + ("A" if key.key[-1] != "A" else "B")) is None
        assert lookup_api_key(conn, soon.key, dt.datetime.now(dt.UTC) + dt.timedelta(days=2)) is None
        assert key.key not in str(conn.execute(text("SELECT * FROM api_keys")).all())
    with store.transaction() as conn:
        assert revoke_api_keys(conn, "thue") == 1
    with store.read() as conn:
        assert lookup_api_key(conn, key.key) is None


def _p(role, scopes=(), **kw):
    return Principal(username="u", role=role, scopes=frozenset(scopes), personal_number=None,
                     is_system=role in roles.SYSTEM_ROLES, **kw)


def test_scopes_and_personal_data_by_role():
    binh_phuoc_commune = "25195"  # old Bình Phước (70), now in Đồng Nai (75)
    ha_noi_commune = "00001"
    officer = _p("can_bo_du_lieu", {"70"})
    assert officer.can_see_commune(binh_phuoc_commune)
    assert not officer.can_see_commune(ha_noi_commune)
    assert _p("mot_cua", {"75"}).can_see_commune(binh_phuoc_commune)  # the new province code
    assert _p("mot_cua", {"25195"}).can_see_commune("25195")
    assert not _p("mot_cua", {"25195"}).can_see_commune("25198")
    assert not officer.can_see_commune("not-a-code")
    assert not _p("can_bo_du_lieu").can_see_commune(ha_noi_commune)  # no scope: nothing
    assert _p("admin").can_see_commune(ha_noi_commune)
    assert _p("he_thong_c06").can_see_commune(ha_noi_commune)
    assert _p("kiem_toan").can_see_commune(ha_noi_commune)
    assert not _p("cong_dan").can_see_commune(ha_noi_commune)
    full = {r for r in roles.ROLES if _p(r).needs_full_personal_data()}
    assert full == {"can_bo_du_lieu", "mot_cua", "he_thong_c06", "he_thong_cong_chung", "he_thong_thue"}
    assert mask_number("070077613811") == "0700******11"
    assert mask_number("123456789") == "1234***89"
    assert mask_number("123456") == "****56"
    assert mask_number(None) is None
    assert mask_birth("27/11/1971") == "1971" and mask_birth(dt.date(1971, 11, 27)) == "1971"


def test_access_log_is_append_only(store):
    with store.transaction() as conn:
        log_id = write_access_log(conn, username="dulieu", role="can_bo_du_lieu", action="xem_thua_dat",
                                  resource="/parcels/1", purpose="tra cứu",
                                  subjects=["070077613811", "070077613811", "P-9"], client_ip="10.0.0.1")
        write_access_log(conn, username="c06", role="he_thong_c06", action="tra_cuu",
                         resource="/exchange/c06", purpose="cư trú")
    with store.read() as conn:
        total, rows = query_access_log(conn, subject="070077613811")
        assert total == 1 and rows[0].subjects == ("070077613811", "P-9")
        assert rows[0].at.tzinfo is not None and rows[0].client_ip == "10.0.0.1"
        assert query_access_log(conn)[0] == 2
        assert query_access_log(conn, username="c06")[1][0].action == "tra_cuu"
    for statement in [access_log.update().where(access_log.c.id == log_id).values(purpose="khác"),
                      access_log.delete(),
                      access_log_subjects.update().values(subject="x"),
                      access_log_subjects.delete()]:
        with pytest.raises(DBAPIError, match="append-only"):
            with store.transaction() as conn:
                conn.execute(statement)
    if store.backend == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"):
            with store.transaction() as conn:
                conn.execute(text("TRUNCATE access_log_subjects"))
    with store.read() as conn:
        assert query_access_log(conn)[0] == 2


def test_demo_accounts(store):
    with store.transaction() as conn:
        demo = create_demo_accounts(conn, scopes=["70"])
        again = create_demo_accounts(conn, scopes=["70"])  # rerun: same accounts, new keys
    assert {"admin", "dulieu", "motcua", "lanhdao", "c06", "congchung", "thue"} <= set(demo.usernames)
    assert set(demo.api_keys) == {"c06", "congchung", "thue"}
    with store.read() as conn:
        assert lookup_api_key(conn, demo.api_keys["thue"]) is None
        assert lookup_api_key(conn, again.api_keys["thue"]).role == "he_thong_thue"
        assert get_user(conn, "dulieu").scopes == ("70",)
        assert get_user(conn, "c06").role == "he_thong_c06"
    with store.transaction() as conn:
        assert check_password(conn, "thue", DEMO_PASSWORD).role == "he_thong_thue"
