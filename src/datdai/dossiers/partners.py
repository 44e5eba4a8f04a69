"""Where the outbox delivers: each partner's endpoint and credentials, from a TOML file and the
environment.

The file is named by ``DATDAI_PARTNERS`` (or the ``--partners`` option of ``datdai outbox chay``)::

    [THUE]                      # the outbox's partner name (services/outbox.py: Partner)
    url = "https://thue.example.gov.vn/api/chuyen-thong-tin"
    timeout = 20                # seconds, connect and read (default 20)
    # token: put it in DATDAI_PARTNER_THUE_TOKEN rather than in the file

    [SMS]                       # an HTTP SMS gateway: the envelope is posted like any partner's
    url = "https://sms.example.vn/api/send"

    [EMAIL]                     # e-mail to citizens, over SMTP
    kind = "smtp"
    host = "smtp.example.gov.vn"
    port = 587
    security = "starttls"       # "starttls", "ssl" or "none"
    user = "datdai"             # password: DATDAI_PARTNER_EMAIL_PASSWORD
    from = "Văn phòng Đăng ký đất đai <no-reply@example.gov.vn>"

Every field can also be given (or overridden) by ``DATDAI_PARTNER_<NAME>_<FIELD>`` (``URL``,
``TOKEN``, ``TIMEOUT``, ``KIND``, ``HOST``, ``PORT``, ``SECURITY``, ``USER``, ``PASSWORD``,
``FROM``): a partner configured by the environment alone needs no file. A partner without an
endpoint gets no sender: its messages wait in the outbox (``datdai outbox`` says so).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from datdai.dossiers.data_files import read_toml
from datdai.dossiers.errors import InvalidInput

ENV_FILE = "DATDAI_PARTNERS"
ENV_PREFIX = "DATDAI_PARTNER_"
HTTP, SMTP = "http", "smtp"
SECURITIES = ("starttls", "ssl", "none")
FIELDS = ("url", "token", "timeout", "kind", "host", "port", "security", "user", "password", "from")
DEFAULT_TIMEOUT = 20.0
NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,29}$")


@dataclass(frozen=True)
class PartnerConfig:
    name: str
    kind: str = HTTP
    url: str | None = None
    token: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    host: str | None = None
    port: int | None = None
    security: str = "starttls"
    user: str | None = None
    password: str | None = None
    sender: str | None = None  # the From of e-mails

    def describe(self) -> str:
        """Where it goes, without secrets."""
        if self.kind == SMTP:
            return f"smtp://{self.host}:{self.port} ({self.security})"
        return str(self.url)


def _env_fields(environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or not value:
            continue
        rest = key[len(ENV_PREFIX):]
        for f in FIELDS:
            suffix = "_" + f.upper()
            if rest.endswith(suffix) and NAME.match(rest[: -len(suffix)] or "-"):
                found.setdefault(rest[: -len(suffix)], {})[f] = value
                break
    return found


def _number(raw, where: str, kind: type) -> float | int:
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        raise InvalidInput(f"{where}: không phải số / not a number: {raw!r}") from None
    if value <= 0:
        raise InvalidInput(f"{where}: phải > 0 / must be positive")
    return value


def _config(name: str, fields: Mapping[str, object], source: str) -> PartnerConfig:
    where = f"{source} [{name}]"
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"{where}: trường không biết / unknown field(s) {', '.join(unknown)}; "
                           f"dùng / use {', '.join(FIELDS)}")
    text = {k: str(v).strip() for k, v in fields.items() if v is not None and str(v).strip()}
    kind = text.get("kind", SMTP if "host" in text and "url" not in text else HTTP).lower()
    if kind not in (HTTP, SMTP):
        raise InvalidInput(f"{where}.kind: '{kind}' không hợp lệ, dùng / use http, smtp")
    timeout = _number(text["timeout"], f"{where}.timeout", float) if "timeout" in text else DEFAULT_TIMEOUT
    if kind == HTTP:
        url = text.get("url")
        if not url or not re.match(r"^https?://", url):
            raise InvalidInput(f"{where}.url: cần địa chỉ http(s)://… / an http(s) URL is required")
        return PartnerConfig(name, HTTP, url=url, token=text.get("token"), timeout=timeout)
    security = text.get("security", "starttls").lower()
    if security not in SECURITIES:
        raise InvalidInput(f"{where}.security: '{security}' không hợp lệ, dùng / use {', '.join(SECURITIES)}")
    if not text.get("host"):
        raise InvalidInput(f"{where}.host: cần máy chủ SMTP / an SMTP host is required")
    if not text.get("from"):
        raise InvalidInput(f"{where}.from: cần địa chỉ người gửi / a sender address is required")
    port = int(_number(text["port"], f"{where}.port", int)) if "port" in text else (465 if security == "ssl" else 587)
    return PartnerConfig(name, SMTP, host=text["host"], port=port, security=security, user=text.get("user"),
                         password=text.get("password"), sender=text["from"], timeout=timeout)


def load_partners(path: str | Path | None = None,
                  environ: Mapping[str, str] | None = None) -> dict[str, PartnerConfig]:
    """The configured partners by name: the TOML file ``path`` (default: ``$DATDAI_PARTNERS``;
    none is fine), each field overridden by ``DATDAI_PARTNER_<NAME>_<FIELD>``. A bad file or
    field is an :class:`InvalidInput` naming it."""
    env = os.environ if environ is None else environ
    path = path or env.get(ENV_FILE) or None
    data: dict = {}
    source = "môi trường / environment"
    if path is not None:
        data, source = read_toml(path, "", InvalidInput)
    merged: dict[str, dict] = {}
    for name, table in data.items():
        if not isinstance(table, dict) or not NAME.match(name):
            raise InvalidInput(f"{source}: '{name}' phải là một bảng [TEN_DOI_TAC] (chữ hoa) / "
                               "must be a [PARTNER] table with an upper-case name")
        merged[name] = dict(table)
    for name, fields in _env_fields(env).items():
        merged.setdefault(name, {}).update(fields)
    return {name: _config(name, fields, source) for name, fields in sorted(merged.items())}
