"""The OpenID Connect login against a real provider process on loopback: the code flow with PKCE,
state and nonce; the ID token's signature, issuer, audience, expiry and nonce verified; the
personal number read from the verified token only; the citizen's account found or created."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.integrations.requests_client import OAuth2Session

from datdai.access.oidc import OidcFailed, OidcProvider, OidcSettings, PendingLogin
from datdai.access.users import citizen_account, set_active
from datdai.kernel.errors import InvalidInput, Unavailable
from tests.access.oidc_helpers import authorize, oidc_provider, set_claims

REDIRECT = "http://127.0.0.1:9/ui/cong-dan/dang-nhap/oidc/ve"
NUMBER = "079090001234"


@pytest.fixture(scope="module")
def issuer(tmp_path_factory):
    with oidc_provider(tmp_path_factory.mktemp("oidc")) as url:
        set_claims(url, "an", {"so_dinh_danh": NUMBER, "name": "Nguyễn Văn An", "email": "an@example.vn",
                               "phone_number": "+84901234567"})
        set_claims(url, "khong-so", {"name": "Không Có Số"})
        yield url


def _provider(issuer: str, client_id: str = "datdai") -> OidcProvider:
    return OidcProvider(OidcSettings(issuer=issuer, client_id=client_id, client_secret="bi-mat"))


def _code(provider: OidcProvider, sub: str) -> tuple[str, PendingLogin]:
    url, pending = provider.begin(REDIRECT)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] == [pending.state]
    assert query["nonce"] == [pending.nonce] and query["client_id"] == ["datdai"]
    back = parse_qs(urlsplit(authorize(url, sub)).query)
    assert back["state"] == [pending.state]
    return back["code"][0], pending


def _raw_tokens(provider: OidcProvider, sub: str) -> tuple[dict, PendingLogin]:
    """The provider's token answer for one login (exchanged here, to test verification alone)."""
    code, pending = _code(provider, sub)
    with OAuth2Session(client_id="datdai", client_secret="bi-mat", redirect_uri=REDIRECT) as session:
        token = session.fetch_token(provider.metadata()["token_endpoint"], code=code,
                                    code_verifier=pending.code_verifier)
    return token, pending


def test_the_code_flow_gives_the_verified_personal_number_and_contact(issuer):
    provider = _provider(issuer)
    code, pending = _code(provider, "an")
    identity = provider.complete(code, pending, REDIRECT)
    assert (identity.personal_number, identity.name, identity.email, identity.phone) == (
        NUMBER, "Nguyễn Văn An", "an@example.vn", "+84901234567")
    assert identity.subject == "an"
    # a code is good once
    with pytest.raises(OidcFailed):
        provider.complete(code, pending, REDIRECT)


def test_the_id_token_is_verified(issuer):
    provider = _provider(issuer)
    token, pending = _raw_tokens(provider, "an")
    raw = token["id_token"]
    claims = provider.verify_id_token(raw, nonce=pending.nonce, access_token=token["access_token"])
    assert claims["so_dinh_danh"] == NUMBER and claims["aud"] in ("datdai", ["datdai"])
    with pytest.raises(OidcFailed, match="nonce"):  # another login's nonce: a replayed token
        provider.verify_id_token(raw, nonce=PendingLogin.new().nonce, access_token=token["access_token"])
    with pytest.raises(OidcFailed, match="aud|azp"):  # issued to another client
        _provider(issuer, "ung-dung-khac").verify_id_token(raw, nonce=pending.nonce, access_token=None)
    head, body, sig = raw.split(".")
    forged = ".".join([head, body, ("A" if sig[0] != "A" else "B") + sig[1:]])
    with pytest.raises(OidcFailed):  # the signature does not match the provider's keys
        provider.verify_id_token(forged, nonce=pending.nonce, access_token=None)
    other_issuer = OidcProvider(OidcSettings(issuer=issuer, client_id="datdai"))
    other_issuer.settings = OidcSettings(issuer=issuer + "/khac", client_id="datdai")
    other_issuer._metadata = provider.metadata()
    with pytest.raises(OidcFailed, match="iss"):
        other_issuer.verify_id_token(raw, nonce=pending.nonce, access_token=None)


def test_a_token_without_a_personal_number_proves_nothing(issuer):
    provider = _provider(issuer)
    code, pending = _code(provider, "khong-so")
    with pytest.raises(OidcFailed, match="số định danh"):
        provider.complete(code, pending, REDIRECT)


def test_an_unreachable_or_wrong_provider_is_unavailable(issuer):
    with pytest.raises(Unavailable):
        OidcProvider(OidcSettings(issuer="http://127.0.0.1:9", client_id="x", timeout=2)).metadata()
    with pytest.raises(Unavailable, match="issuer"):  # discovery names another issuer
        OidcProvider(OidcSettings(issuer=issuer + "/", client_id="x")).metadata()


def test_settings_from_the_environment(tmp_path):
    assert OidcSettings.from_env({}) is None
    got = OidcSettings.from_env({"DATDAI_OIDC_ISSUER": "https://sso.example.vn", "DATDAI_OIDC_CLIENT_ID": "x",
                                 "DATDAI_OIDC_SCOPES": "openid profile", "DATDAI_OIDC_AUTO_CREATE": "false"})
    assert (got.issuer, got.scopes, got.number_claim, got.auto_create) == (
        "https://sso.example.vn", "openid profile", "so_dinh_danh", False)
    with pytest.raises(InvalidInput, match="openid"):
        OidcSettings.from_env({"DATDAI_OIDC_ISSUER": "https://a", "DATDAI_OIDC_CLIENT_ID": "x",
                               "DATDAI_OIDC_SCOPES": "profile"})
    path = tmp_path / "oidc.toml"
    path.write_text('[oidc]\nissuer = "https://sso.example.vn"\nclient_id = "datdai"\nnumber_claim = "cccd"\n',
                    encoding="utf-8")
    assert OidcSettings.from_env({"DATDAI_OIDC_CONFIG": str(path)}).number_claim == "cccd"
    path.write_text('[oidc]\nissuer = "https://a"\nclient = "x"\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="client"):
        OidcSettings.from_env({"DATDAI_OIDC_CONFIG": str(path)})


def test_the_citizen_account_of_a_verified_number(store):
    with store.transaction() as conn:
        first = citizen_account(conn, NUMBER, display_name="Nguyễn Văn An", email="an@example.vn")
        assert (first.username, first.role, first.personal_number) == (f"cd{NUMBER}", "cong_dan", NUMBER)
        again = citizen_account(conn, NUMBER, phone="+84901234567")
        assert again.id == first.id
        assert citizen_account(conn, "079090009999", auto_create=False) is None
        set_active(conn, first.username, False)
        assert citizen_account(conn, NUMBER) is None  # a deactivated account stays out
