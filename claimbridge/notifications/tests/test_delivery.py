"""Delivery through a real SMTP server on 127.0.0.1 that is down, refuses, then accepts.

The outbox promises: a mail server in trouble delays mail, never loses it;
each mail goes out once, in the order it was queued for its recipient; a
worker's claim runs out when the worker dies; a mail that failed for good is
listed for the platform's staff, who can send it again.
"""

import socket
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claimbridge.audit.models import AuditEvent
from claimbridge.cases.models import Case
from claimbridge.cases.tests.factories import CaseFactory
from claimbridge.notifications import services
from claimbridge.notifications.models import Notification
from claimbridge.notifications.smtp_sink import ReceivedMail, start_sink, stop_sink
from claimbridge.organisations.models import Membership, Organisation
from claimbridge.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db

Status = Notification.EmailStatus
START = datetime(2026, 12, 14, 9, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))


@pytest.fixture
def smtp_port(settings) -> int:
    """A port on which nothing listens yet: the mail server is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATION_MAX_ATTEMPTS = 8
    return port


@pytest.fixture
def sink():
    """Starts the SMTP server on demand, on the port that was down; stops it after."""
    started = []

    def start(port: int):
        controller, inbox = start_sink(port=port)
        started.append(controller)
        return controller, inbox

    yield start
    for controller in started:
        stop_sink(controller)


@pytest.fixture
def case(client_org, partner_org):
    return CaseFactory(
        client=client_org, partner=partner_org, status=Case.Status.ACTIVE
    )


@pytest.fixture
def people(partner_org, agent, agent_colleague):
    """Four people of the partner, each to get 25 of the 100 mails."""
    extra = [
        MembershipFactory(
            organisation=partner_org, user__email=f"p{n}@hansen.example"
        ).user
        for n in (3, 4)
    ]
    return [agent, agent_colleague, *extra]


def queue(case, partner_org, people, count: int, start: int) -> None:
    """Queue `count` mails, taking turns among the people."""
    for n in range(start, start + count):
        services.queue_email(
            kind=Notification.Kind.CASE_SUBMITTED,
            organisation=partner_org,
            case=case,
            context={"client_name": f"Notice {n:03d}", "actor": None},
            recipients=[people[n % len(people)]],
        )


def ids_of(mail: ReceivedMail) -> list[int]:
    return [int(pk) for pk in mail.message["X-Claimbridge-Notification"].split(",")]


def deliver_at(time_machine, when: datetime) -> int:
    time_machine.move_to(when, tick=True)
    return services.deliver_due_notifications()


def test_outage_then_refusal_then_recovery_delivers_each_of_100_mails_once_in_order(
    case, partner_org, people, smtp_port, sink, time_machine
):
    # Connections refused: 40 mails queued, two delivery runs.
    time_machine.move_to(START, tick=True)
    queue(case, partner_org, people, 30, 0)
    refused_1 = services.deliver_due_notifications()
    queue(case, partner_org, people, 10, 30)
    refused_2 = deliver_at(time_machine, START + timedelta(seconds=31))
    # The server answers, but "421 Service not available": 30 more mails.
    controller, inbox = sink(smtp_port)
    controller.handler.refuse = True
    queue(case, partner_org, people, 30, 40)
    refused_3 = deliver_at(time_machine, START + timedelta(minutes=2))
    # The server accepts: 30 more mails, and the runs the worker would make.
    controller.handler.refuse = False
    queue(case, partner_org, people, 30, 70)
    sent = sum(
        deliver_at(time_machine, START + timedelta(minutes=minutes))
        for minutes in (3, 5, 9, 17)
    )

    assert (refused_1, refused_2, refused_3) == (0, 0, 0)
    assert sent == 100
    received = [pk for mail in inbox for pk in ids_of(mail)]
    rows = Notification.objects.filter(case=case).order_by("id")
    assert sorted(received) == [row.pk for row in rows]  # each once, none lost
    by_person = defaultdict(list)
    for mail in inbox:
        by_person[mail.rcpt_tos[0]] += ids_of(mail)
    assert set(by_person) == {p.email for p in people}
    for person, ids in by_person.items():
        assert ids == sorted(ids), f"{person} got mails out of order: {ids}"
    assert {row.email_status for row in rows} == {Status.SENT}
    assert max(row.attempts for row in rows) >= 3
    assert (
        AuditEvent.objects.filter(
            case=case, action=AuditEvent.Action.NOTIFICATION_SENT
        ).count()
        == 100
    )


def test_failed_attempt_waits_with_exponential_backoff(
    case, partner_org, agent, smtp_port, time_machine
):
    time_machine.move_to(START, tick=False)
    queue(case, partner_org, [agent], 1, 0)
    row = Notification.objects.get()
    delays = []
    for _attempt in range(4):
        time_machine.move_to(row.next_attempt_at, tick=False)
        before = timezone.now()
        services.deliver_due_notifications()
        row.refresh_from_db()
        delays.append((row.next_attempt_at - before).total_seconds())

    assert delays == [30, 60, 120, 240]
    assert "Connection refused" in row.last_error


def test_mail_to_a_person_waits_behind_their_failed_one_but_others_go_out(
    case, partner_org, agent, agent_colleague, smtp_port, sink, time_machine
):
    time_machine.move_to(START, tick=True)
    queue(case, partner_org, [agent], 1, 0)
    services.deliver_due_notifications()  # refused: waits 30 s
    _controller, inbox = sink(smtp_port)
    queue(case, partner_org, [agent, agent_colleague], 2, 1)

    services.deliver_due_notifications()

    assert [mail.rcpt_tos for mail in inbox] == [[agent_colleague.email]]
    deliver_at(time_machine, START + timedelta(seconds=31))
    assert [mail.rcpt_tos[0] for mail in inbox] == [
        agent_colleague.email,
        agent.email,
        agent.email,
    ]
    agent_ids = [ids_of(m)[0] for m in inbox if m.rcpt_tos == [agent.email]]
    assert agent_ids == sorted(agent_ids)


def test_claim_of_a_dead_worker_runs_out_and_another_worker_sends_the_mail(
    case, partner_org, agent, settings, mailoutbox, time_machine
):
    settings.NOTIFICATION_CLAIM_SECONDS = 300
    time_machine.move_to(START, tick=False)
    queue(case, partner_org, [agent], 1, 0)
    claimed = services._claim_batch(timezone.now())  # the worker then dies

    during_claim = deliver_at(time_machine, START + timedelta(seconds=299))
    after_claim = deliver_at(time_machine, START + timedelta(seconds=300))

    assert len(claimed) == 1
    assert (during_claim, after_claim) == (0, 1)
    assert len(mailoutbox) == 1


def test_worker_gives_back_what_it_cannot_send_within_half_its_claim(
    case, partner_org, agent, settings, mailoutbox, time_machine, monkeypatch
):
    settings.NOTIFICATION_CLAIM_SECONDS = 60
    time_machine.move_to(START, tick=False)
    queue(case, partner_org, [agent], 3, 0)
    real_send = services._mark_sent

    def slow_server(mail):
        real_send(mail)
        time_machine.shift(timedelta(seconds=31))  # each mail takes 31 s

    monkeypatch.setattr(services, "_mark_sent", slow_server)
    claims = []
    real_claim = services._claim_batch
    monkeypatch.setattr(
        services,
        "_claim_batch",
        lambda now: claims.append(real_claim(now)) or claims[-1],
    )

    sent = services.deliver_due_notifications()

    assert sent == 3
    assert len(mailoutbox) == 3
    # After one mail half the claim was gone: the rest was given back and
    # claimed afresh, one mail per claim.
    assert [len(batch) for batch in claims] == [3, 2, 1, 0]
    assert not Notification.objects.filter(claimed_until__isnull=False).exists()


def test_same_mail_keeps_its_message_id_on_every_attempt(
    case, partner_org, agent, smtp_port, sink, time_machine
):
    time_machine.move_to(START, tick=True)
    queue(case, partner_org, [agent], 1, 0)
    row = Notification.objects.get()
    first = services._email_for(services._Mail([row]), None).message()["Message-ID"]
    services.deliver_due_notifications()
    _controller, inbox = sink(smtp_port)

    deliver_at(time_machine, START + timedelta(seconds=31))

    assert (
        inbox[0].message["Message-ID"]
        == first
        == (f"<notification.{row.pk}.{row.pk}@testserver>")
    )


# --- failed for good, listed for the platform's staff, sent again -------------


@pytest.fixture
def failed(case, partner_org, agent, smtp_port, settings, time_machine):
    """A mail that failed on every attempt (3 here)."""
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    time_machine.move_to(START, tick=False)
    queue(case, partner_org, [agent], 1, 0)
    for _attempt in range(3):
        row = Notification.objects.get()
        time_machine.move_to(row.next_attempt_at, tick=False)
        services.deliver_due_notifications()
    return Notification.objects.get()


@pytest.fixture
def staff(db):
    platform = OrganisationFactory(
        kind=Organisation.Kind.PLATFORM, name="Claimbridge Ops"
    )
    return MembershipFactory(
        organisation=platform, user__email="ops@claimbridge.example"
    )


def test_mail_failed_after_the_last_attempt_is_marked_and_recorded(failed, case):
    assert (failed.email_status, failed.attempts) == (Status.FAILED, 3)
    event = AuditEvent.objects.get(action=AuditEvent.Action.NOTIFICATION_FAILED)
    assert event.case == case
    assert "Connection refused" in event.summary


def test_failed_mail_is_not_tried_again_by_the_sweep(failed, time_machine):
    time_machine.move_to(START + timedelta(days=1), tick=False)

    assert services.deliver_due_notifications() == 0
    failed.refresh_from_db()
    assert failed.attempts == 3


def test_staff_see_failed_mails_and_send_one_again(
    failed, staff, smtp_port, sink, time_machine
):
    browser = Client()
    browser.force_login(staff.user)
    listed = browser.get(reverse("notifications:failed"))
    _controller, inbox = sink(smtp_port)

    resent = browser.post(reverse("notifications:resend", args=[failed.pk]))
    services.deliver_due_notifications()

    assert [n.pk for n in listed.context["page"].object_list] == [failed.pk]
    assert "Connection refused" in listed.content.decode()
    assert resent.status_code == 302
    assert [ids_of(mail) for mail in inbox] == [[failed.pk]]
    failed.refresh_from_db()
    assert (failed.email_status, failed.attempts) == (Status.SENT, 1)
    event = AuditEvent.objects.get(action=AuditEvent.Action.NOTIFICATION_RESENT)
    assert (event.actor, event.changes["attempts"]) == (staff.user, [3, 0])


def test_only_a_failed_mail_is_sent_again(failed, staff):
    Notification.objects.filter(pk=failed.pk).update(email_status=Status.SENT)

    with pytest.raises(services.DomainError):
        services.resend_notification(
            notification_id=failed.pk, actor=staff.user, membership=staff
        )


@pytest.mark.parametrize("persona", ["manager", "agent", "outsider"])
@pytest.mark.parametrize(
    ("name", "method"),
    [("notifications:failed", "get"), ("notifications:resend", "post")],
)
def test_failed_mails_are_for_platform_staff_only(
    failed, persona, name, method, request
):
    browser = Client()
    browser.force_login(request.getfixturevalue(persona))
    args = [failed.pk] if name.endswith("resend") else []

    response = getattr(browser, method)(reverse(name, args=args))

    assert response.status_code == 404
    failed.refresh_from_db()
    assert failed.email_status == Status.FAILED


def test_mail_to_a_person_who_left_the_organisation_is_not_queued(
    case, partner_org, agent, agent_colleague
):
    Membership.objects.filter(user=agent_colleague).update(is_active=False)

    queue(case, partner_org, [agent, agent_colleague], 2, 0)

    assert list(Notification.objects.values_list("recipient", flat=True)) == [agent.pk]
