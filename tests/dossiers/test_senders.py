"""The outbox's senders against real servers on loopback: e-mail through an SMTP server
(aiosmtpd), with the message's key as Message-ID; a bad message is refused before sending."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller

from datdai.dossiers import outbox as ob
from datdai.dossiers.partners import load_partners
from datdai.dossiers.senders import PartnerError, SmtpSender, message_id, senders_for


class Inbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_citizen_email_goes_through_the_outbox_once(store, smtp):
    inbox, port = smtp
    env = {"DATDAI_PARTNER_EMAIL_HOST": "127.0.0.1", "DATDAI_PARTNER_EMAIL_PORT": str(port),
           "DATDAI_PARTNER_EMAIL_SECURITY": "none",
           "DATDAI_PARTNER_EMAIL_FROM": "Văn phòng Đăng ký đất đai <vpdk@example.gov.vn>"}
    configs = load_partners(environ=env)
    assert configs["EMAIL"].kind == "smtp" and configs["EMAIL"].describe() == f"smtp://127.0.0.1:{port} (none)"
    with store.transaction() as conn:
        ob.enqueue(conn, "CONG_DAN.THONG_BAO", "EMAIL", {"to": "an@example.vn", "subject": "Hồ sơ HS-1 đã có kết quả",
                                                          "body": "Mời ông/bà đến nhận kết quả."}, "email:HS-1:1")
        ob.enqueue(conn, "CONG_DAN.THONG_BAO", "EMAIL", {"to": "", "subject": "x", "body": "y"}, "email:HS-2:1")
    report = ob.dispatch(store.transaction, senders_for(configs))
    assert report.sent == ["email:HS-1:1"] and report.retried == ["email:HS-2:1"]
    [mail] = inbox.messages
    assert mail.rcpt_tos == ["an@example.vn"] and mail.mail_from == "vpdk@example.gov.vn"
    text = mail.content.decode()
    assert f"Message-ID: {message_id('email:HS-1:1', 'example.gov.vn')}" in text
    assert "Idempotency-Key: email:HS-1:1" in text
    with store.read() as conn:
        bad = ob.get_message(conn, "email:HS-2:1")
    assert bad.status == "CHO_GUI" and "thiếu / the message lacks to" in bad.last_error
    assert ob.dispatch(store.transaction, senders_for(configs)).sent == []  # nothing due twice


def test_unreachable_mail_server_is_a_partner_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    [config] = load_partners(environ={"DATDAI_PARTNER_EMAIL_HOST": "127.0.0.1", "DATDAI_PARTNER_EMAIL_PORT": str(port),
                                      "DATDAI_PARTNER_EMAIL_SECURITY": "none",
                                      "DATDAI_PARTNER_EMAIL_FROM": "a@b.vn",
                                      "DATDAI_PARTNER_EMAIL_TIMEOUT": "2"}).values()
    with pytest.raises(PartnerError, match="máy chủ thư không nhận"):
        SmtpSender(config)({"idempotency_key": "k", "payload": {"to": "x@y.vn", "subject": "s", "body": "b"}})
