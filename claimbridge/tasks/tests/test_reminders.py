"""Reminders: a task due tomorrow and an overdue task are each reminded once."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from claimbridge.cases.models import Case
from claimbridge.cases.tests.factories import CaseFactory
from claimbridge.cases.tests.workflow import membership_of
from claimbridge.notifications.models import Notification, NotificationPreference
from claimbridge.notifications.services import deliver_due_notifications
from claimbridge.organisations.models import Membership
from claimbridge.organisations.tests.factories import OrganisationFactory
from claimbridge.tasks.models import Task, TaskReminder
from claimbridge.tasks.services import postpone_task, send_task_reminders
from claimbridge.tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def at(text: str, zone: ZoneInfo = COPENHAGEN) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def remind(time_machine, when: datetime) -> int:
    time_machine.move_to(when, tick=False)
    return send_task_reminders()


def reminders(kind: str | None = None) -> list[tuple[str, str]]:
    rows = Notification.objects.filter(
        category=Notification.Category.TASK_REMINDERS
    ).order_by("recipient__email", "id")
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.values_list("kind", "recipient__email"))


@pytest.fixture
def task(client_org, partner_org, manager, client_member):
    """The client's open task on an open case, due Tuesday 22 December 2026."""
    case = CaseFactory(
        client=client_org, partner=partner_org, status=Case.Status.ACTIVE
    )
    return TaskFactory(
        case=case,
        organisation=client_org,
        kind=Task.Kind.PROVIDE_INFORMATION,
        due_on=date(2026, 12, 22),
    )


def test_task_due_tomorrow_is_reminded_to_every_member_in_their_digest(
    task, manager, client_member, time_machine
):
    sent = remind(time_machine, at("2026-12-21 06:30"))

    assert sent == 1
    assert reminders() == [
        (Notification.Kind.TASK_DUE_SOON, client_member.email),
        (Notification.Kind.TASK_DUE_SOON, manager.email),
    ]
    assert set(Notification.objects.values_list("email_status", flat=True)) == {
        Notification.EmailStatus.DIGEST
    }
    assert list(TaskReminder.objects.values_list("kind", "due_on", "sent_on")) == [
        (TaskReminder.Kind.DUE_SOON, date(2026, 12, 22), date(2026, 12, 21))
    ]


def test_no_reminder_before_six_in_the_morning_local_time(task, time_machine):
    assert remind(time_machine, at("2026-12-21 05:59")) == 0
    assert reminders() == []


def test_reminder_job_run_again_the_same_day_reminds_once(task, time_machine):
    remind(time_machine, at("2026-12-21 06:30"))

    again = remind(time_machine, at("2026-12-21 17:00"))

    assert again == 0
    assert len(reminders()) == 2  # one per member


def test_overdue_task_is_reminded_once_after_its_deadline(task, time_machine):
    remind(time_machine, at("2026-12-21 07:00"))
    on_the_day = remind(time_machine, at("2026-12-22 07:00"))

    day_after = remind(time_machine, at("2026-12-23 07:00"))
    later = remind(time_machine, at("2026-12-28 07:00"))

    assert (on_the_day, day_after, later) == (0, 1, 0)
    assert [kind for kind, _email in reminders()] == [
        Notification.Kind.TASK_DUE_SOON,
        Notification.Kind.TASK_OVERDUE,
        Notification.Kind.TASK_DUE_SOON,
        Notification.Kind.TASK_OVERDUE,
    ]


def test_assigned_task_is_reminded_to_its_assignee_only(
    task, client_member, time_machine
):
    task.assigned_to = client_member
    task.save()

    remind(time_machine, at("2026-12-21 06:30"))

    assert reminders() == [(Notification.Kind.TASK_DUE_SOON, client_member.email)]


def test_task_of_a_person_who_left_is_reminded_to_everyone(
    task, client_member, manager, time_machine
):
    task.assigned_to = client_member
    task.save()
    Membership.objects.filter(user=client_member).update(is_active=False)

    remind(time_machine, at("2026-12-21 06:30"))

    assert reminders() == [(Notification.Kind.TASK_DUE_SOON, manager.email)]


def test_tomorrow_is_read_in_the_owners_time_zone(task, partner_org, time_machine):
    auckland = OrganisationFactory(name="Kiwi Debts", time_zone="Pacific/Auckland")
    Membership.objects.create(user=task.case.created_by, organisation=auckland)
    far = TaskFactory(
        case=CaseFactory(client=auckland, partner=partner_org),
        organisation=auckland,
        due_on=date(2026, 12, 22),
    )

    # 07:00 on Monday in Auckland is 19:00 on Sunday in Copenhagen.
    sent = remind(time_machine, at("2026-12-21 07:00", ZoneInfo("Pacific/Auckland")))

    assert sent == 1
    assert list(TaskReminder.objects.values_list("task", flat=True)) == [far.pk]


def test_postponed_task_is_reminded_again_for_its_new_deadline(
    task, manager, time_machine
):
    remind(time_machine, at("2026-12-21 06:30"))
    time_machine.move_to(at("2026-12-21 09:00"), tick=False)
    postpone_task(
        task_id=task.pk,
        actor=manager,
        membership=membership_of(manager),
        due_on=date(2026, 12, 29),
        reason="Waiting for the auditor.",
    )

    assert remind(time_machine, at("2026-12-22 07:00")) == 0
    assert remind(time_machine, at("2026-12-28 07:00")) == 1
    assert list(
        TaskReminder.objects.order_by("id").values_list("due_on", "sent_on")
    ) == [
        (date(2026, 12, 22), date(2026, 12, 21)),
        (date(2026, 12, 29), date(2026, 12, 28)),
    ]


def test_task_is_never_reminded_twice_on_one_day(task, manager, time_machine):
    remind(time_machine, at("2026-12-23 07:00"))  # overdue
    time_machine.move_to(at("2026-12-23 08:00"), tick=False)
    postpone_task(
        task_id=task.pk,
        actor=manager,
        membership=membership_of(manager),
        due_on=date(2026, 12, 24),
        reason="Auditor back tomorrow.",
    )

    again = remind(time_machine, at("2026-12-23 09:00"))

    assert again == 0
    assert TaskReminder.objects.count() == 1


@pytest.mark.parametrize("state", [Task.State.DONE, Task.State.CANCELLED])
def test_closed_task_is_not_reminded(task, state, time_machine):
    Task.objects.filter(pk=task.pk).update(state=state)

    assert remind(time_machine, at("2026-12-23 07:00")) == 0
    assert reminders() == []


@pytest.mark.parametrize("status", [Case.Status.CLOSED, Case.Status.MERGED])
def test_no_reminder_on_a_closed_case(task, status, time_machine):
    Case.objects.filter(pk=task.case_id).update(status=status)

    assert remind(time_machine, at("2026-12-23 07:00")) == 0
    assert reminders() == []


def test_reminder_chosen_immediately_is_mailed_at_once(
    task, manager, client_member, time_machine, mailoutbox
):
    NotificationPreference.objects.create(
        user=manager,
        category=Notification.Category.TASK_REMINDERS,
        choice=NotificationPreference.Choice.IMMEDIATELY,
    )
    remind(time_machine, at("2026-12-23 07:00"))

    deliver_due_notifications()

    assert [(m.to, m.subject) for m in mailoutbox] == [
        (
            [manager.email],
            f"[{task.case.reference}] Overdue: Provide more information – "
            f"{task.case.debtor_name}",
        )
    ]
