"""Monthly case updates: the periodic job opens the task, the partner's update
closes it."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from claimbridge.audit.models import AuditEvent
from claimbridge.cases import jobs, services
from claimbridge.cases.models import Case, CaseUpdate
from claimbridge.cases.tests.workflow import (
    accept,
    close,
    monthly_update,
    pause,
    post,
)
from claimbridge.core.exceptions import PermissionDenied, TransitionNotAllowed
from claimbridge.core.testing import submit
from claimbridge.messaging.models import Message
from claimbridge.notifications.models import Notification
from claimbridge.tasks.models import Task

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str) -> datetime:
    """A moment in the partner's time zone (Hansen Inkasso works in Berlin time)."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def run_job(time_machine, when: str) -> int:
    time_machine.move_to(at(when), tick=False)
    return services.open_due_monthly_update_tasks()


def monthly_tasks(case) -> list[tuple[str, date]]:
    return list(
        Task.objects.filter(case=case, kind=Task.Kind.MONTHLY_UPDATE)
        .order_by("id")
        .values_list("state", "due_on")
    )


@pytest.fixture
def case(manager, agent, partner_org, time_machine):
    """Accepted on Saturday 14 November 2026, 10:00 Berlin time."""
    time_machine.move_to(at("2026-11-13 09:00"), tick=False)
    case = submit(manager, partner_org)
    time_machine.move_to(at("2026-11-14 10:00"), tick=False)
    return accept(case, agent)


def test_acceptance_is_recorded_once(case, agent, time_machine):
    pause(case, agent)
    time_machine.move_to(at("2026-11-20 10:00"), tick=False)

    services.change_case_status(
        case_id=case.pk,
        actor=agent,
        membership=agent.memberships.get(),
        to_status=Case.Status.ACTIVE,
        expected_status=Case.Status.PAUSED,
    )

    case.refresh_from_db()
    assert case.accepted_at == at("2026-11-14 10:00")


def test_no_monthly_task_before_the_month_has_passed(case, time_machine):
    opened = run_job(time_machine, "2026-12-13 23:59")

    assert opened == 0
    assert monthly_tasks(case) == []


def test_case_active_for_a_month_gets_monthly_task_due_in_five_business_days(
    case, partner_org, time_machine
):
    opened = run_job(time_machine, "2026-12-14 00:05")

    assert opened == 1
    # Monday 14 December + 5 business days.
    assert monthly_tasks(case) == [(Task.State.OPEN, date(2026, 12, 21))]
    task = Task.objects.get(case=case, kind=Task.Kind.MONTHLY_UPDATE)
    assert task.organisation == partner_org
    assert AuditEvent.objects.filter(
        case=case, action=AuditEvent.Action.TASK_OPENED, changes__task=task.pk
    ).exists()


def test_monthly_job_run_twice_the_same_day_opens_each_task_once(
    case, manager, agent, partner_org, time_machine
):
    time_machine.move_to(at("2026-11-14 11:00"), tick=False)
    second = accept(submit(manager, partner_org, client_reference="NM-2"), agent)

    first_run = run_job(time_machine, "2026-12-14 06:00")
    second_run = run_job(time_machine, "2026-12-14 18:00")

    assert (first_run, second_run) == (2, 0)
    assert len(monthly_tasks(case)) == 1
    assert len(monthly_tasks(second)) == 1


def test_monthly_job_run_again_after_the_update_the_same_day_opens_nothing(
    case, agent, time_machine
):
    time_machine.move_to(at("2026-12-14 06:00"), tick=False)
    first_run = jobs.open_monthly_update_tasks.call()
    time_machine.move_to(at("2026-12-14 09:30"), tick=False)
    monthly_update(case, agent)

    time_machine.move_to(at("2026-12-14 18:00"), tick=False)
    second_run = jobs.open_monthly_update_tasks.call()

    assert (first_run, second_run) == (1, 0)
    assert monthly_tasks(case) == [(Task.State.DONE, date(2026, 12, 21))]


def test_month_from_the_last_day_of_january_ends_at_the_end_of_february(
    manager, agent, partner_org, time_machine
):
    time_machine.move_to(at("2027-01-31 10:00"), tick=False)
    accept(submit(manager, partner_org), agent)

    assert run_job(time_machine, "2027-02-27 12:00") == 0
    assert run_job(time_machine, "2027-02-28 00:30") == 1


@pytest.mark.parametrize("step", ["pause", "close"])
def test_no_monthly_task_for_a_case_that_is_not_active(case, agent, step, time_machine):
    {"pause": pause, "close": close}[step](case, agent)

    opened = run_job(time_machine, "2026-12-20 08:00")

    assert opened == 0
    assert monthly_tasks(case) == []


def test_no_monthly_task_for_a_case_not_yet_accepted(
    manager, partner_org, time_machine
):
    time_machine.move_to(at("2026-11-02 10:00"), tick=False)
    case = submit(manager, partner_org)

    opened = run_job(time_machine, "2026-12-20 08:00")

    assert opened == 0
    assert monthly_tasks(case) == []


def test_monthly_update_posts_a_partner_note_and_closes_the_task(
    case, agent, manager, client_member, time_machine
):
    run_job(time_machine, "2026-12-14 06:00")
    time_machine.move_to(at("2026-12-15 14:00"), tick=False)

    update = monthly_update(
        case,
        agent,
        work_done="Two calls; the debtor promised payment by the 20th.",
        payments_received=Decimal("1250.50"),
        recommendation=CaseUpdate.Recommendation.PAYMENT_PLAN,
        comment="Three instalments look realistic.",
    )

    note = update.message
    assert (note.kind, note.author, note.organisation) == (
        Message.Kind.PARTNER_NOTE,
        agent,
        case.partner,
    )
    assert note.body == (
        "Monthly update\n"
        "What was done: Two calls; the debtor promised payment by the 20th.\n"
        "Payments received since the last update: 1,250.50 DKK\n"
        "Recommendation: Agree a payment plan\n"
        "Comment: Three instalments look realistic."
    )
    task = Task.objects.get(case=case, kind=Task.Kind.MONTHLY_UPDATE)
    assert (task.state, task.closed_by_message) == (Task.State.DONE, note)
    assert sorted(
        Notification.objects.filter(
            case=case, kind=Notification.Kind.MESSAGE_POSTED
        ).values_list("recipient__email", flat=True)
    ) == sorted([manager.email, client_member.email])
    assert AuditEvent.objects.filter(
        case=case, action=AuditEvent.Action.CASE_UPDATE_POSTED
    ).exists()


def test_partner_message_does_not_close_the_monthly_task(case, agent, time_machine):
    run_job(time_machine, "2026-12-14 06:00")

    post(case, agent, "The debtor called back.")

    assert monthly_tasks(case) == [(Task.State.OPEN, date(2026, 12, 21))]


def test_next_month_counts_from_the_last_update(case, agent, time_machine):
    run_job(time_machine, "2026-12-14 06:00")
    time_machine.move_to(at("2026-12-18 10:00"), tick=False)
    monthly_update(case, agent)

    assert run_job(time_machine, "2027-01-17 23:00") == 0
    assert run_job(time_machine, "2027-01-18 08:00") == 1
    assert [state for state, _due in monthly_tasks(case)] == [
        Task.State.DONE,
        Task.State.OPEN,
    ]


def test_early_update_moves_the_next_task(case, agent, time_machine):
    time_machine.move_to(at("2026-12-01 10:00"), tick=False)
    monthly_update(case, agent)

    assert run_job(time_machine, "2026-12-20 08:00") == 0
    assert run_job(time_machine, "2027-01-01 08:00") == 1


def test_client_cannot_post_a_monthly_update(case, manager):
    with pytest.raises(PermissionDenied):
        monthly_update(case, manager)

    assert not CaseUpdate.objects.exists()


def test_monthly_update_is_refused_before_acceptance(manager, agent, partner_org):
    case = submit(manager, partner_org)

    with pytest.raises(TransitionNotAllowed):
        monthly_update(case, agent)


def test_update_form_sent_twice_posts_once(case, agent):
    browser = Client()
    browser.force_login(agent)
    data = {
        "work_done": "Reminder letter sent.",
        "payments_received": "0",
        "recommendation": "continue",
        "request_token": "6f0f4d2c-93a4-4b55-9a51-2b1b59f5a0c1",
    }
    url = reverse("cases:post_update", args=[case.pk])

    first = browser.post(url, data)
    second = browser.post(url, data)

    assert (first.status_code, second.status_code) == (302, 302)
    assert CaseUpdate.objects.filter(case=case).count() == 1
    assert (
        Message.objects.filter(case=case, kind=Message.Kind.PARTNER_NOTE).count() == 1
    )


def test_update_form_without_what_was_done_is_shown_again(case, agent):
    browser = Client()
    browser.force_login(agent)

    response = browser.post(
        reverse("cases:post_update", args=[case.pk]),
        {"work_done": "", "recommendation": "continue"},
    )

    assert response.status_code == 400
    assert "Say what was done since the last update." in response.content.decode()
    assert not CaseUpdate.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("manager", 400), ("outsider", 404)])
def test_only_the_partner_posts_updates_through_the_page(
    case, persona, status, request
):
    browser = Client()
    browser.force_login(request.getfixturevalue(persona))

    response = browser.post(
        reverse("cases:post_update", args=[case.pk]),
        {"work_done": "Nothing.", "recommendation": "continue"},
    )

    assert response.status_code == status
    assert not CaseUpdate.objects.exists()


def test_case_page_offers_the_update_form_to_the_partner_only(case, agent, manager):
    def page(user) -> str:
        browser = Client()
        browser.force_login(user)
        return browser.get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert 'data-testid="action-monthly-update"' in page(agent)
    assert 'data-testid="action-monthly-update"' not in page(manager)
