"""Partner endpoints from a TOML file and the environment; bad configuration named precisely."""

from __future__ import annotations

import pytest

from datdai.dossiers.errors import InvalidInput
from datdai.dossiers.partners import load_partners


def test_file_and_environment(tmp_path):
    f = tmp_path / "doi_tac.toml"
    f.write_text('[THUE]\nurl = "https://thue.example/api"\ntimeout = 7\n\n'
                 '[EMAIL]\nkind = "smtp"\nhost = "smtp.example"\nfrom = "vpdk@example.gov.vn"\nuser = "vpdk"\n',
                 encoding="utf-8")
    env = {"DATDAI_PARTNERS": str(f), "DATDAI_PARTNER_THUE_TOKEN": "bi-mat", "DATDAI_PARTNER_EMAIL_PASSWORD": "mk",
           "DATDAI_PARTNER_SMS_URL": "http://127.0.0.1:9/sms", "DATDAI_PARTNER_CONG_CHUNG_URL": "https://cc.example"}
    p = load_partners(environ=env)
    assert sorted(p) == ["CONG_CHUNG", "EMAIL", "SMS", "THUE"]
    assert (p["THUE"].url, p["THUE"].token, p["THUE"].timeout) == ("https://thue.example/api", "bi-mat", 7.0)
    assert (p["EMAIL"].kind, p["EMAIL"].port, p["EMAIL"].security, p["EMAIL"].password) == ("smtp", 587, "starttls", "mk")
    assert p["SMS"].kind == "http" and p["CONG_CHUNG"].url == "https://cc.example"
    assert "bi-mat" not in p["THUE"].describe()
    assert load_partners(environ={}) == {}


@pytest.mark.parametrize("text, message", [
    ('[THUE]\nurl = "ftp://x"\n', "[THUE].url"),
    ('[THUE]\nurl = "https://x"\ntimeout = -1\n', "[THUE].timeout"),
    ('[THUE]\nurl = "https://x"\nadress = "y"\n', "unknown field(s) adress"),
    ('[EMAIL]\nkind = "smtp"\nhost = "h"\n', "[EMAIL].from"),
    ('[EMAIL]\nkind = "smtp"\nhost = "h"\nfrom = "a@b"\nsecurity = "tls"\n', "[EMAIL].security"),
    ('[thue]\nurl = "https://x"\n', "'thue'"),
    ('[THUE\n', "TOML"),
])
def test_bad_configuration_names_the_field(tmp_path, text, message):
    f = tmp_path / "doi_tac.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        load_partners(f, environ={})
    assert message in str(exc.value) and str(f) in str(exc.value)
