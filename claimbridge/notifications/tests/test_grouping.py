"""A burst of chat messages is one e-mail, sent once the conversation is quiet."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from claimbridge.audit.models import AuditEvent
from claimbridge.cases.tests.workflow import accept, post, upload
from claimbridge.core.testing import submit
from claimbridge.notifications.models import Notification
from claimbridge.notifications.services import (
    deliver_due_notifications,
    mark_case_read,
)

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
START = datetime(2026, 12, 14, 9, 0, tzinfo=COPENHAGEN)
QUIET = timedelta(minutes=10)
BURST = [
    "Good morning, the debtor called.",
    "They dispute invoice INV-1001.",
    "Their reason: the chairs arrived scratched.",
    "Do you have the delivery note?",
    "Photos of the delivery would help too.",
]


@pytest.fixture(autouse=True)
def quiet_period(settings):
    settings.NOTIFICATION_QUIET_SECONDS = int(QUIET.total_seconds())


@pytest.fixture
def case(manager, agent, partner_org, time_machine, mailoutbox):
    """An active case whose earlier mails went out; the outbox starts empty."""
    time_machine.move_to(START - timedelta(hours=1), tick=False)
    case = accept(submit(manager, partner_org), agent)
    time_machine.shift(QUIET)
    deliver_due_notifications()
    mailoutbox.clear()
    return case


def burst(case, author, time_machine, texts=BURST, every=timedelta(seconds=45)):
    """Post the texts one after the other; the last one at START + 3 minutes."""
    time_machine.move_to(START, tick=False)
    for index, text in enumerate(texts):
        if index:
            time_machine.shift(every)
        post(case, author, text)


def deliver_at(time_machine, when: datetime) -> int:
    time_machine.move_to(when, tick=False)
    return deliver_due_notifications()


def ids_of(mail) -> list[int]:
    return [
        int(pk) for pk in mail.extra_headers["X-Claimbridge-Notification"].split(",")
    ]


def test_project_waits_ten_minutes_by_default():
    from config import settings as project_settings

    assert project_settings.NOTIFICATION_QUIET_SECONDS == 600


def test_five_messages_in_three_minutes_are_one_mail_after_the_quiet_period(
    case, manager, agent, time_machine, mailoutbox
):
    burst(case, manager, time_machine)
    last = START + timedelta(minutes=3)

    too_early = deliver_at(time_machine, last + QUIET - timedelta(seconds=1))
    on_time = deliver_at(time_machine, last + QUIET)

    assert (too_early, on_time) == (0, 1)
    [mail] = mailoutbox
    assert mail.to == [agent.email]
    assert mail.subject == f"[{case.reference}] 5 new messages: {case.debtor_name}"
    html = mail.alternatives[0].content
    positions = [mail.body.index(text) for text in BURST]
    assert positions == sorted(positions)
    assert all(text in html for text in BURST)
    assert f"http://testserver/cases/{case.pk}/" in mail.body
    rows = Notification.objects.filter(case=case, kind=Notification.Kind.MESSAGE_POSTED)
    assert sorted(ids_of(mail)) == sorted(r.pk for r in rows)
    assert {r.email_status for r in rows} == {Notification.EmailStatus.SENT}


def test_grouped_mail_is_one_audit_event(case, manager, time_machine):
    burst(case, manager, time_machine)

    deliver_at(time_machine, START + timedelta(minutes=3) + QUIET)

    events = AuditEvent.objects.filter(
        case=case, action=AuditEvent.Action.NOTIFICATION_SENT, created_at__gte=START
    )
    assert [e.summary for e in events] == [
        f"E-mail “[{case.reference}] New message from {manager.display_name}: "
        f"{case.debtor_name}” sent to agent@hansen.example"
    ]
    assert len(events[0].changes["notification"]) == 5


def test_message_after_the_mail_went_out_starts_a_new_group(
    case, manager, time_machine, mailoutbox
):
    burst(case, manager, time_machine)
    deliver_at(time_machine, START + timedelta(minutes=3) + QUIET)
    later = START + timedelta(minutes=20)
    time_machine.move_to(later, tick=False)
    post(case, manager, "Found the delivery note, attached tomorrow.")

    deliver_at(time_machine, later + QUIET)

    first, second = mailoutbox
    assert "5 new messages" in first.subject
    assert second.subject == (
        f"[{case.reference}] New message from {manager.display_name}: "
        f"{case.debtor_name}"
    )
    assert "Found the delivery note" in second.body
    assert "Good morning" not in second.body


def test_each_new_message_restarts_the_quiet_period(
    case, manager, time_machine, mailoutbox
):
    time_machine.move_to(START, tick=False)
    post(case, manager, "First.")
    time_machine.move_to(START + timedelta(minutes=9), tick=False)
    post(case, manager, "Second.")

    at_ten = deliver_at(time_machine, START + QUIET)
    at_nineteen = deliver_at(time_machine, START + timedelta(minutes=19))

    assert (at_ten, at_nineteen) == (0, 1)
    assert "2 new messages" in mailoutbox[0].subject


def test_groups_are_per_case_and_recipient(
    case, manager, agent, agent_colleague, partner_org, time_machine, mailoutbox
):
    time_machine.move_to(START - timedelta(minutes=30), tick=False)
    other = accept(submit(manager, partner_org, client_reference="NM-2"), agent)
    deliver_due_notifications()
    mailoutbox.clear()
    burst(case, manager, time_machine, texts=BURST[:2])
    post(other, manager, "On the other case: paid?")

    deliver_at(time_machine, START + timedelta(minutes=1) + QUIET)

    received = sorted((m.to[0], m.subject.split("]")[0] + "]") for m in mailoutbox)
    assert received == sorted(
        [
            (agent.email, f"[{case.reference}]"),
            (agent_colleague.email, f"[{case.reference}]"),
            (agent.email, f"[{other.reference}]"),
            (agent_colleague.email, f"[{other.reference}]"),
        ]
    )


def test_file_uploads_join_the_group_of_their_case(
    case, manager, time_machine, mailoutbox
):
    time_machine.move_to(START, tick=False)
    post(case, manager, "Delivery note follows.")
    time_machine.shift(timedelta(minutes=1))
    upload(case, manager, "Delivery note 2026-01-12.pdf")

    deliver_at(time_machine, START + timedelta(minutes=1) + QUIET)

    [mail] = mailoutbox
    assert "2 new messages" in mail.subject
    assert "Delivery note 2026-01-12.pdf" in mail.body


def test_status_change_is_not_held_back_by_a_waiting_chat_group(
    case, manager, agent, time_machine, mailoutbox
):
    from claimbridge.cases.tests.workflow import pause

    time_machine.move_to(START, tick=False)
    post(case, agent, "We agreed a payment plan.")
    pause(case, agent)

    deliver_due_notifications()

    assert [m.subject for m in mailoutbox] == [
        f"[{case.reference}] Paused: {case.debtor_name}"
    ]


def test_messages_read_in_the_app_during_the_quiet_period_are_not_mailed(
    case, manager, agent, agent_colleague, time_machine, mailoutbox
):
    burst(case, manager, time_machine)
    time_machine.shift(timedelta(minutes=1))
    mark_case_read(user=agent, case_id=case.pk)

    sent = deliver_at(time_machine, START + timedelta(minutes=3) + QUIET)

    assert sent == 1
    assert [mail.to for mail in mailoutbox] == [[agent_colleague.email]]
    statuses = Notification.objects.filter(
        case=case, kind=Notification.Kind.MESSAGE_POSTED
    ).values_list("recipient__email", "email_status")
    assert sorted(set(statuses)) == [
        (agent.email, Notification.EmailStatus.SKIPPED),
        (agent_colleague.email, Notification.EmailStatus.SENT),
    ]
