"""The daily digest: one mail a day at 07:00 local time, the day's notices by case."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from claimbridge.audit.models import AuditEvent
from claimbridge.cases.tests.workflow import accept, post
from claimbridge.core.testing import submit
from claimbridge.notifications.models import Notification, NotificationPreference
from claimbridge.notifications.services import (
    deliver_due_notifications,
    send_daily_digests,
)
from claimbridge.organisations.models import Membership, Organisation

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
Status = Notification.EmailStatus


def at(text: str, zone: ZoneInfo = COPENHAGEN) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def digests_at(time_machine, when: datetime) -> int:
    time_machine.move_to(when, tick=False)
    made = send_daily_digests()
    deliver_due_notifications()
    return made


@pytest.fixture
def digest_reader(manager):
    """The credit manager reads messages and status changes once a day."""
    for category in (
        Notification.Category.MESSAGES,
        Notification.Category.STATUS_CHANGES,
    ):
        NotificationPreference.objects.create(
            user=manager, category=category, choice=NotificationPreference.Choice.DIGEST
        )
    return manager


@pytest.fixture
def two_cases(digest_reader, agent, partner_org, time_machine, mailoutbox):
    """Monday: two cases accepted, and the partner writes on both."""
    time_machine.move_to(at("2026-12-14 09:00"), tick=False)
    first = accept(submit(digest_reader, partner_org), agent)
    second = accept(
        submit(
            digest_reader,
            partner_org,
            debtor_company_name="Skovly Caféer ApS",
            client_reference="NM-2",
        ),
        agent,
    )
    time_machine.move_to(at("2026-12-14 15:30"), tick=False)
    post(first, agent, "The debtor promised to pay on Friday.")
    post(second, agent, "Letter returned: address unknown.")
    deliver_due_notifications()
    mailoutbox.clear()
    return first, second


def test_digest_lists_the_days_notices_grouped_by_case(
    two_cases, digest_reader, time_machine, mailoutbox
):
    first, second = two_cases

    made = digests_at(time_machine, at("2026-12-15 07:00"))

    assert made == 1
    [mail] = mailoutbox
    assert mail.to == [digest_reader.email]
    assert mail.subject == (
        f"[{first.reference}, {second.reference}] Your daily digest of "
        "15 December 2026: 4 updates"
    )
    body = mail.body
    order = [
        body.index(f"== {first.reference} · Fjordkant Byg A/S"),
        body.index("Active: Fjordkant Byg A/S"),
        body.index("The debtor promised to pay on Friday."),
        body.index(f"== {second.reference} · Skovly Caféer ApS"),
        body.index("Letter returned: address unknown."),
    ]
    assert order == sorted(order)
    assert f"Open the case: http://testserver/cases/{first.pk}/" in body
    assert (
        f'href="http://testserver/cases/{second.pk}/"' in mail.alternatives[0].content
    )
    assert "2026-12-14 15:30 · New message from" in body  # Copenhagen time


def test_no_digest_before_seven_local_time(two_cases, time_machine, mailoutbox):
    assert digests_at(time_machine, at("2026-12-15 06:59")) == 0
    assert mailoutbox == []


def test_digest_job_run_again_the_same_day_sends_nothing_more(
    two_cases, time_machine, mailoutbox
):
    digests_at(time_machine, at("2026-12-15 07:00"))

    again = digests_at(time_machine, at("2026-12-15 07:10"))

    assert again == 0
    assert len(mailoutbox) == 1


def test_digest_comes_at_the_first_run_after_seven(two_cases, time_machine, mailoutbox):
    assert digests_at(time_machine, at("2026-12-15 11:42")) == 1
    assert len(mailoutbox) == 1


def test_notice_after_the_days_digest_waits_for_the_next_day(
    two_cases, agent, time_machine, mailoutbox
):
    first, _second = two_cases
    digests_at(time_machine, at("2026-12-15 07:00"))
    time_machine.move_to(at("2026-12-15 10:00"), tick=False)
    post(first, agent, "Paid half.")

    same_day = digests_at(time_machine, at("2026-12-15 18:00"))
    next_day = digests_at(time_machine, at("2026-12-16 07:00"))

    assert (same_day, next_day) == (0, 1)
    second_digest = mailoutbox[1]
    assert "Paid half." in second_digest.body
    assert "Letter returned" not in second_digest.body


def test_digested_notices_are_marked_sent_with_their_digest(
    two_cases, digest_reader, time_machine
):
    digests_at(time_machine, at("2026-12-15 07:00"))

    digest = Notification.objects.get(kind=Notification.Kind.DAILY_DIGEST)
    items = Notification.objects.filter(digest=digest)
    assert items.count() == 4
    assert {i.email_status for i in items} == {Status.SENT}
    assert (digest.email_status, digest.digest_on.isoformat()) == (
        Status.SENT,
        "2026-12-15",
    )


def test_digest_mail_is_an_audit_event_of_each_case_it_lists(two_cases, time_machine):
    digests_at(time_machine, at("2026-12-15 07:00"))

    for case in two_cases:
        events = AuditEvent.objects.filter(
            case=case,
            action=AuditEvent.Action.NOTIFICATION_SENT,
            summary__contains="daily digest",
        )
        assert events.count() == 1


def test_digest_time_is_the_organisations_own(two_cases, client_org, time_machine):
    Organisation.objects.filter(pk=client_org.pk).update(time_zone="America/New_York")

    # 07:30 in Copenhagen is 01:30 in New York.
    early = digests_at(time_machine, at("2026-12-15 07:30"))
    on_time = digests_at(
        time_machine, at("2026-12-15 07:00", ZoneInfo("America/New_York"))
    )

    assert (early, on_time) == (0, 1)


def test_digest_is_not_a_notice_under_the_bell(two_cases, digest_reader, time_machine):
    digests_at(time_machine, at("2026-12-15 07:00"))
    browser = Client()
    browser.force_login(digest_reader)

    response = browser.get(reverse("notifications:list"))

    subjects = [n.subject for n in response.context["page"].object_list]
    assert not any("daily digest" in s for s in subjects)
    assert (
        response.context["unread_notifications"]
        == Notification.objects.filter(recipient=digest_reader, read_at__isnull=True)
        .exclude(kind=Notification.Kind.DAILY_DIGEST)
        .count()
    )


def test_person_who_left_gets_no_digest(
    two_cases, digest_reader, time_machine, mailoutbox
):
    Membership.objects.filter(user=digest_reader).update(is_active=False)

    assert digests_at(time_machine, at("2026-12-15 07:00")) == 0
    assert mailoutbox == []
    assert not Notification.objects.filter(email_status=Status.DIGEST).exists()
