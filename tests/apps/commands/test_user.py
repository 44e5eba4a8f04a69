"""`datdai user create | api-key | disable`."""

from __future__ import annotations

from typer.testing import CliRunner

from datdai.access.api_keys import lookup_api_key
from datdai.access.users import check_password, get_user
from datdai.apps.cli import app
from datdai.db.store import open_store

runner = CliRunner()


def _invoke(*args, input=None):
    return runner.invoke(app, ["user", *args], input=input, terminal_width=200)


def test_user_create_api_key_and_disable(store_url):
    open_store(store_url, create=True).close()
    r = _invoke("create", "Dulieu2", "--role", "can_bo_du_lieu", "--scope", "70, 25195",
                "--name", "Trần Thị Bình", "--db", store_url, input="mật-khẩu-mới\n")
    assert r.exit_code == 0, r.output
    assert "dulieu2" in r.stdout and "25195, 70" in r.stdout
    store = open_store(store_url)
    try:
        with store.transaction() as conn:
            assert get_user(conn, "dulieu2").display_name == "Trần Thị Bình"
            assert check_password(conn, "dulieu2", "mật-khẩu-mới").role == "can_bo_du_lieu"
        for args, needle in [(("create", "x1", "--role", "vua"), "vai trò"),
                             (("create", "x2", "--role", "mot_cua"), "phạm vi"),
                             (("create", "dulieu2", "--role", "admin"), "đã tồn tại")]:
            r = _invoke(*args, "--db", store_url, input="mật-khẩu-mới\n")
            assert r.exit_code == 2 and needle in r.stderr, r.output
        assert _invoke("create", "x3", "--role", "admin", "--db", store_url, input="\n").exit_code == 2
        assert _invoke("create", "x4", "--role", "admin", "--db", store_url, input="ngan\n").exit_code == 2

        r = _invoke("api-key", "thue", "--role", "he_thong_thue", "--days", "30", "--db", store_url)
        assert r.exit_code == 0, r.output
        key = r.stdout.strip()
        with store.read() as conn:
            assert lookup_api_key(conn, key).client_name == "thue"
        assert _invoke("api-key", "thue", "--role", "vua", "--db", store_url).exit_code == 2

        assert _invoke("disable", "dulieu2", "--db", store_url).exit_code == 0
        with store.transaction() as conn:
            assert check_password(conn, "dulieu2", "mật-khẩu-mới") is None
        assert _invoke("disable", "khong-co", "--db", store_url).exit_code == 2
    finally:
        store.close()
