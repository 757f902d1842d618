"""Assigning a task to a colleague and postponing it, with the record of both."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from claimbridge.audit.models import AuditEvent
from claimbridge.cases.models import Case
from claimbridge.cases.tests.factories import CaseFactory
from claimbridge.cases.tests.workflow import membership_of
from claimbridge.core.exceptions import DomainError, PermissionDenied
from claimbridge.organisations.models import Membership
from claimbridge.tasks.models import Task
from claimbridge.tasks.services import assign_task, postpone_task
from claimbridge.tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(client_org, partner_org):
    """The partner's open review task, due Monday 21 December 2026."""
    case = CaseFactory(
        client=client_org, partner=partner_org, status=Case.Status.ACTIVE
    )
    return TaskFactory(case=case, organisation=partner_org, due_on=date(2026, 12, 21))


@pytest.fixture
def now(time_machine):
    time_machine.move_to(
        datetime(2026, 12, 18, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")), tick=False
    )


def assign(task, actor, assignee):
    return assign_task(
        task_id=task.pk,
        actor=actor,
        membership=membership_of(actor),
        assignee=assignee,
    )


def postpone(task, actor, due_on, reason="The debtor's lawyer answers on Monday."):
    return postpone_task(
        task_id=task.pk,
        actor=actor,
        membership=membership_of(actor),
        due_on=due_on,
        reason=reason,
    )


def test_member_assigns_task_to_a_colleague_and_it_is_recorded(
    task, agent, agent_colleague
):
    assign(task, agent, agent_colleague)

    task.refresh_from_db()
    assert task.assigned_to == agent_colleague
    event = AuditEvent.objects.get(action=AuditEvent.Action.TASK_ASSIGNED)
    assert (event.actor, event.case_id) == (agent, task.case_id)
    assert event.changes["assigned_to"] == ["", agent_colleague.display_name]


def test_assigned_task_can_be_given_back_to_the_organisation(
    task, agent, agent_colleague
):
    assign(task, agent, agent_colleague)

    assign(task, agent_colleague, None)

    task.refresh_from_db()
    assert task.assigned_to is None


@pytest.mark.parametrize("persona", ["manager", "outsider_partner"])
def test_task_is_not_assigned_to_someone_outside_the_organisation(
    task, agent, persona, request
):
    with pytest.raises(DomainError):
        assign(task, agent, request.getfixturevalue(persona))

    task.refresh_from_db()
    assert task.assigned_to is None
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.TASK_ASSIGNED
    ).exists()


def test_task_is_not_assigned_to_a_former_colleague(task, agent, agent_colleague):
    Membership.objects.filter(user=agent_colleague).update(is_active=False)

    with pytest.raises(DomainError):
        assign(task, agent, agent_colleague)


@pytest.mark.parametrize("persona", ["manager", "outsider_partner"])
def test_only_the_owning_organisation_assigns_its_tasks(task, persona, request):
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        assign(task, user, user)


def test_closed_task_is_not_assigned(task, agent, agent_colleague):
    Task.objects.filter(pk=task.pk).update(state=Task.State.DONE)

    with pytest.raises(DomainError, match="no longer open"):
        assign(task, agent, agent_colleague)


def test_postponed_task_gets_the_new_deadline_and_the_record_says_why(task, agent, now):
    postpone(task, agent, date(2026, 12, 28))

    task.refresh_from_db()
    assert task.due_on == date(2026, 12, 28)
    event = AuditEvent.objects.get(action=AuditEvent.Action.TASK_POSTPONED)
    assert event.actor == agent
    assert event.changes["due_on"] == ["2026-12-21", "2026-12-28"]
    assert event.changes["reason"] == "The debtor's lawyer answers on Monday."
    assert "2026-12-21 → 2026-12-28" in event.summary


@pytest.mark.parametrize("due_on", [date(2026, 12, 21), date(2026, 12, 20)])
def test_task_is_not_postponed_to_its_deadline_or_earlier(task, agent, now, due_on):
    with pytest.raises(DomainError, match="after 2026-12-21"):
        postpone(task, agent, due_on)

    task.refresh_from_db()
    assert task.due_on == date(2026, 12, 21)


def test_task_is_not_postponed_without_a_reason(task, agent, now):
    with pytest.raises(DomainError, match="reason"):
        postpone(task, agent, date(2026, 12, 28), reason="   ")


def test_task_is_not_postponed_by_more_than_a_year(task, agent, now):
    with pytest.raises(DomainError, match="at most a year"):
        postpone(task, agent, date(2027, 12, 20))


@pytest.mark.parametrize("persona", ["manager", "outsider_partner"])
def test_only_the_owning_organisation_postpones_its_tasks(task, persona, now, request):
    with pytest.raises(PermissionDenied):
        postpone(task, request.getfixturevalue(persona), date(2026, 12, 28))


def test_overdue_task_is_not_postponed_to_a_day_already_past(task, agent, now):
    Task.objects.filter(pk=task.pk).update(due_on=date(2026, 12, 14))

    with pytest.raises(DomainError, match="after today, 2026-12-18"):
        postpone(task, agent, date(2026, 12, 17))

    task.refresh_from_db()
    assert task.due_on == date(2026, 12, 14)


@pytest.mark.parametrize(
    ("due_on", "shown"),
    [
        (date(2026, 12, 26), "Saturday 2026-12-26"),
        (date(2026, 12, 25), "Friday 2026-12-25"),  # Christmas Day in Denmark
    ],
)
def test_task_is_not_postponed_to_a_day_off_of_its_owner(
    task, agent, now, due_on, shown
):
    with pytest.raises(DomainError) as refused:
        postpone(task, agent, due_on)

    assert str(refused.value) == f"{shown} is not a business day of Hansen Inkasso."
    task.refresh_from_db()
    assert task.due_on == date(2026, 12, 21)
