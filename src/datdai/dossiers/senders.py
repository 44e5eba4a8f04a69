"""The outbox's senders: HTTP (tax, notary, LGSP, an SMS gateway) and SMTP (e-mail to citizens).

A sender is called with the outbox envelope (``services/outbox.py``) and returns when the partner
accepted it; any failure raises :class:`PartnerError` (the dispatcher counts the attempt and
retries later).

* HTTP: ``POST url`` with the envelope as JSON, headers ``Idempotency-Key`` (the message's key:
  a partner that keeps one copy per key applies a resent message once), ``Authorization: Bearer``
  when a token is configured, and a timeout for connecting and for each read. Any 2xx is accepted.
* SMTP: the payload is ``{"to": "...", "subject": "...", "body": "..."}``; the message's
  ``Message-ID`` is derived from the idempotency key (a mail system that drops duplicates by
  Message-ID keeps one copy; a mailbox that does not may show a resent message twice).
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from typing import Any

import httpx
import orjson

from datdai.dossiers.partners import SMTP, PartnerConfig
from datdai.kernel.errors import Unavailable

MAX_REPLY_CHARS = 300


class PartnerError(Unavailable):
    """The partner did not accept the message (refused, unreachable, too slow)."""


class HttpSender:
    def __init__(self, config: PartnerConfig, client: httpx.Client | None = None) -> None:
        self.config = config
        self.client = client or httpx.Client(timeout=httpx.Timeout(config.timeout), follow_redirects=False)

    def __call__(self, envelope: dict[str, Any]) -> None:
        headers = {"Idempotency-Key": envelope["idempotency_key"], "Content-Type": "application/json",
                   "User-Agent": "datdai-outbox"}
        if self.config.token:
            headers["Authorization"] = f"Bearer {self.config.token}"
        try:
            reply = self.client.post(str(self.config.url), content=orjson.dumps(envelope), headers=headers)
        except httpx.TimeoutException as exc:
            raise PartnerError(f"{self.config.name}: quá thời gian chờ {self.config.timeout:g} s / "
                               f"timed out ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise PartnerError(f"{self.config.name}: không kết nối được / unreachable: {exc}") from None
        if not 200 <= reply.status_code < 300:
            raise PartnerError(f"{self.config.name}: HTTP {reply.status_code}: {reply.text[:MAX_REPLY_CHARS]}")

    def close(self) -> None:
        self.client.close()


def message_id(idempotency_key: str, domain: str) -> str:
    return f"<{hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]}@{domain}>"


class SmtpSender:
    def __init__(self, config: PartnerConfig) -> None:
        self.config = config

    def email(self, envelope: dict[str, Any]) -> EmailMessage:
        payload = envelope.get("payload") or {}
        missing = [k for k in ("to", "subject", "body") if not str(payload.get(k) or "").strip()]
        if missing:
            raise PartnerError(f"{self.config.name}: tin nhắn thiếu / the message lacks {', '.join(missing)}")
        msg = EmailMessage()
        name, address = parseaddr(str(self.config.sender))
        msg["From"] = formataddr((name, address))
        msg["To"] = str(payload["to"]).strip()
        msg["Subject"] = str(payload["subject"]).strip()
        msg["Message-ID"] = message_id(envelope["idempotency_key"], address.rpartition("@")[2] or "datdai")
        msg["Idempotency-Key"] = envelope["idempotency_key"]
        msg.set_content(str(payload["body"]))
        return msg

    def __call__(self, envelope: dict[str, Any]) -> None:
        c = self.config
        msg = self.email(envelope)
        try:
            if c.security == "ssl":
                smtp = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            with smtp:
                if c.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if c.user:
                    smtp.login(c.user, c.password or "")
                refused = smtp.send_message(msg)
        except (smtplib.SMTPException, OSError) as exc:
            raise PartnerError(f"{c.name}: máy chủ thư không nhận / the mail server refused: "
                               f"{type(exc).__name__}: {exc}") from None
        if refused:
            raise PartnerError(f"{c.name}: người nhận bị từ chối / recipients refused: {sorted(refused)}")

    def close(self) -> None:
        pass


def senders_for(configs: Mapping[str, PartnerConfig]) -> dict[str, Callable[[dict[str, Any]], None]]:
    """A sender per configured partner."""
    return {name: (SmtpSender(c) if c.kind == SMTP else HttpSender(c)) for name, c in configs.items()}


def close_senders(senders: Mapping[str, Any]) -> None:
    for s in senders.values():
        close = getattr(s, "close", None)
        if close is not None:
            close()
