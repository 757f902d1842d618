"""The local SMTP sink: a real server that keeps mails, and can play an outage."""

import email
import smtplib
from email import policy

import pytest
from django.core.mail import EmailMessage, get_connection

from claimbridge.notifications.selectors import sent_mail_files
from claimbridge.notifications.smtp_sink import start_sink, stop_sink

# Long and not ASCII: encoded and folded over two header lines.
SUBJECT = "[CB-000042] Active: Havbryg Café ApS, Nørregade 14, Aarhus C"


@pytest.fixture
def sink(tmp_path):
    controller, inbox = start_sink("127.0.0.1", 0, folder=tmp_path / "mail")
    yield controller, inbox
    stop_sink(controller)


def send(port: int, subject: str) -> None:
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host="127.0.0.1",
        port=port,
        timeout=5,
    )
    EmailMessage(
        subject,
        "Your case CB-000042 is now active.",
        "no-reply@claimbridge.example",
        ["mette@nordlys.example"],
        connection=connection,
    ).send()


def test_sink_keeps_a_mail_sent_by_djangos_smtp_backend_as_eml_file(sink, tmp_path):
    controller, inbox = sink

    send(controller.port, SUBJECT)

    assert [mail.subject for mail in inbox] == [SUBJECT]
    assert inbox[0].rcpt_tos == ["mette@nordlys.example"]
    files = list((tmp_path / "mail").glob("*.eml"))
    assert files == [inbox[0].path]
    stored = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert " ".join(stored["Subject"].split()) == SUBJECT
    assert not list((tmp_path / "mail").glob(".*"))


def test_mails_of_the_sink_are_listed_in_the_mailbox(sink, tmp_path, settings):
    controller, _ = sink
    settings.DEMO_MAIL_DIR = str(tmp_path / "mail")

    send(controller.port, "First")
    send(controller.port, "Second")

    assert [mail["subject"] for mail in sent_mail_files()] == ["Second", "First"]


def test_refusing_sink_makes_sending_fail_with_smtp_exception(sink, tmp_path):
    controller, inbox = sink
    controller.handler.refuse = True

    with pytest.raises(smtplib.SMTPException) as raised:
        send(controller.port, "Lost?")

    assert "421" in str(raised.value)
    assert inbox == []
    assert not (tmp_path / "mail").exists()


def test_sink_accepts_mail_again_after_an_outage(sink):
    controller, inbox = sink
    controller.handler.refuse = True
    with pytest.raises(smtplib.SMTPException):
        send(controller.port, "Refused")

    controller.handler.refuse = False
    send(controller.port, "Retried")

    assert [mail.subject for mail in inbox] == ["Retried"]
