"""The outbox: who is mailed about what; delivery through a mail server that fails."""

import socket
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claimbridge.cases import services
from claimbridge.cases.models import Case
from claimbridge.core.testing import submit
from claimbridge.notifications.models import Notification
from claimbridge.notifications.services import deliver_due_notifications
from claimbridge.notifications.smtp_sink import start_sink, stop_sink
from claimbridge.organisations.tests.factories import MembershipFactory
from conftest import membership_of

pytestmark = pytest.mark.django_db


def post(case, user, text):
    return services.post_case_message(
        case_id=case.pk, actor=user, membership=membership_of(user), body=text
    )


def request_info(case, agent, text="Please send the signed contract."):
    return services.change_case_status(
        case_id=case.pk,
        actor=agent,
        membership=membership_of(agent),
        to_status=Case.Status.MORE_INFO_REQUIRED,
        expected_status=Case.objects.get(pk=case.pk).status,
        message=text,
    )


@pytest.fixture
def case(manager, partner_org):
    """A case of Nordlys Møbler at Hansen Inkasso; its submission mails are sent."""
    case = submit(manager, partner_org)
    Notification.objects.update(email_status=Notification.EmailStatus.SENT)
    return case


@pytest.fixture
def other_clients_case(outsider, other_partner_org):
    """A case of Brennwerk GmbH (another client) at another partner."""
    return submit(
        outsider,
        other_partner_org,
        debtor_company_name="Kessler Metallbau GmbH",
        debtor_country="DE",
        debtor_phone="+4930123456",
        currency="EUR",
    )


# --- who is mailed -------------------------------------------------------------


def test_message_is_mailed_only_to_members_of_the_other_organisation(
    case,
    manager,
    client_member,
    agent,
    agent_colleague,
    outsider,
    outsider_partner,
    mailoutbox,
):
    post(case, manager, "The signed contract is attached.")

    deliver_due_notifications()

    assert sorted(to for mail in mailoutbox for to in mail.to) == [
        agent.email,
        agent_colleague.email,
    ]


def test_author_is_never_mailed_about_own_message(
    case, manager, client_member, agent, mailoutbox
):
    request_info(case, agent)

    deliver_due_notifications()

    recipients = [to for mail in mailoutbox for to in mail.to]
    assert agent.email not in recipients
    assert sorted(recipients) == [client_member.email, manager.email]


def test_author_in_both_organisations_is_not_mailed_about_own_message(
    case, manager, client_member, agent, partner_org, mailoutbox
):
    MembershipFactory(user=client_member, organisation=partner_org)
    services.post_case_message(
        case_id=case.pk,
        actor=client_member,
        membership=client_member.memberships.get(organisation=partner_org),
        body="Writing for Hansen Inkasso this time.",
    )

    deliver_due_notifications()

    assert [to for mail in mailoutbox for to in mail.to] == [manager.email]


# --- what a mail says ------------------------------------------------------------


def _mails_to(mailoutbox, user) -> list:
    return [mail for mail in mailoutbox if mail.to == [user.email]]


@pytest.mark.parametrize("event", ["client message", "info request"])
def test_mail_links_to_the_case_and_names_it_in_the_subject(
    case, manager, agent, event, mailoutbox
):
    if event == "client message":
        post(case, manager, "The signed contract is attached.")
        recipient = agent
    else:
        request_info(case, agent)
        recipient = manager

    deliver_due_notifications()

    [mail] = _mails_to(mailoutbox, recipient)
    link = f"http://testserver/cases/{case.pk}/"
    assert case.reference in mail.subject
    assert link in mail.body
    assert f'href="{link}"' in mail.alternatives[0].content


@pytest.mark.parametrize("event", ["client message", "info request"])
def test_mail_shows_nothing_of_another_organisation(
    case, manager, agent, other_clients_case, outsider_partner, event, mailoutbox
):
    if event == "client message":
        post(case, manager, "The signed contract is attached.")
        recipient = agent
    else:
        request_info(case, agent)
        recipient = manager

    deliver_due_notifications()

    [mail] = _mails_to(mailoutbox, recipient)
    text = "\n".join([mail.subject, mail.body, mail.alternatives[0].content])
    for foreign in (
        "Kessler Metallbau",
        "Brennwerk",
        "Recht",
        other_clients_case.reference,
    ):
        assert foreign not in text


# --- delivery through a mail server that is down, then back ---------------------


@pytest.fixture
def smtp_port(settings) -> int:
    """A port on which nothing listens: the mail server is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    return port


@pytest.fixture
def message_posted_while_server_down(
    case, manager, agent, agent_colleague, smtp_port, django_capture_on_commit_callbacks
):
    """A client message posted through the case page while no mail server answers."""
    browser = Client()
    browser.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        return browser.post(
            reverse("cases:post_message", args=[case.pk]),
            {"body": "The signed contract is attached."},
        )


@pytest.fixture
def mail_posted_while_server_down(message_posted_while_server_down):
    """The worker tried to deliver the message's mails while the server was down."""
    deliver_due_notifications()


def test_message_posted_while_mail_server_is_down_succeeds_and_its_mail_waits(
    case, message_posted_while_server_down, agent, agent_colleague
):
    sent = deliver_due_notifications()

    assert message_posted_while_server_down.status_code == 302
    assert sent == 0
    waiting = Notification.objects.filter(
        case=case, kind=Notification.Kind.MESSAGE_POSTED
    )
    assert sorted(n.recipient.email for n in waiting) == [
        agent.email,
        agent_colleague.email,
    ]
    for notification in waiting:
        assert notification.email_status == Notification.EmailStatus.PENDING
        assert notification.attempts == 1
        assert notification.next_attempt_at > timezone.now()
        assert notification.sent_at is None
        assert "Connection refused" in notification.last_error


@pytest.fixture
def mail_server(smtp_port):
    controller, inbox = start_sink(port=smtp_port)
    yield inbox
    stop_sink(controller)


def test_waiting_mail_is_delivered_once_to_each_recipient_when_server_is_back(
    case,
    mail_posted_while_server_down,
    mail_server,
    agent,
    agent_colleague,
    time_machine,
):
    time_machine.move_to(timezone.now() + timedelta(minutes=5), tick=True)

    sent = deliver_due_notifications()

    assert sent == 2
    assert sorted(mail.rcpt_tos for mail in mail_server) == [
        [agent.email],
        [agent_colleague.email],
    ]
    assert all(case.reference in mail.subject for mail in mail_server)
    assert set(
        Notification.objects.filter(case=case).values_list("email_status", flat=True)
    ) == {Notification.EmailStatus.SENT}


def test_delivery_run_again_sends_nothing_more(
    case, mail_posted_while_server_down, mail_server, time_machine
):
    time_machine.move_to(timezone.now() + timedelta(minutes=5), tick=True)
    deliver_due_notifications()

    sent_again = deliver_due_notifications()

    assert sent_again == 0
    assert len(mail_server) == 2


def test_mail_is_not_retried_before_its_retry_time(
    case, mail_posted_while_server_down, mail_server
):
    sent = deliver_due_notifications()

    assert sent == 0
    assert mail_server == []
