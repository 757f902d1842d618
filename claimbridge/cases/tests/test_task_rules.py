"""Each task type of DESIGN §5: its event, its business-day deadline, its rule.

A task is closed by its rule and by nothing else (the last section).

The client (Nordlys Møbler) is Danish, in Copenhagen time; the partner (Hansen
Inkasso) is Danish too, in Berlin time. Dates are chosen around weekends and
Danish public holidays: Christmas (25 and 26 December) and Easter 2026
(Maundy Thursday 2 April, Good Friday 3 April, Easter Monday 6 April).
"""

from collections.abc import Callable
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from claimbridge.cases import services
from claimbridge.cases.tests.workflow import (
    accept,
    close,
    membership_of,
    merge,
    monthly_update,
    pause,
    post,
    request_info,
    resume,
    upload,
    withdraw,
)
from claimbridge.core.testing import submit
from claimbridge.tasks.models import Task

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def at(text: str) -> datetime:
    """A moment given in Copenhagen time (Berlin's is the same)."""
    return datetime.fromisoformat(text).replace(tzinfo=COPENHAGEN)


def task_of(case, kind: str, organisation) -> Task:
    return Task.objects.get(case=case, kind=kind, organisation=organisation)


def states(case) -> list[tuple[str, str, str]]:
    return sorted(
        Task.objects.filter(case=case).values_list(
            "kind", "organisation__name", "state"
        )
    )


@pytest.fixture
def case(manager, partner_org, time_machine):
    time_machine.move_to(at("2026-12-14 09:00"), tick=False)
    return submit(manager, partner_org)


@pytest.fixture
def active_case(case, agent, time_machine):
    time_machine.move_to(at("2026-12-14 10:00"), tick=False)
    return accept(case, agent)


# --- Review new case: partner, 1 business day ------------------------------------


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        ("2026-12-18 16:00", date(2026, 12, 21)),  # Friday → Monday
        ("2026-12-24 10:00", date(2026, 12, 28)),  # Christmas Eve → after Christmas
        ("2026-04-01 23:50", date(2026, 4, 7)),  # before Easter → Easter Tuesday
    ],
)
def test_submitted_case_opens_review_task_for_partner_due_next_business_day(
    manager, partner_org, time_machine, submitted, due
):
    time_machine.move_to(at(submitted), tick=False)

    case = submit(manager, partner_org)

    task = task_of(case, Task.Kind.REVIEW_NEW_CASE, partner_org)
    assert (task.state, task.due_on) == (Task.State.OPEN, due)


@pytest.mark.parametrize("action", ["accept", "request info", "decline"])
def test_review_task_is_done_when_partner_decides(case, agent, partner_org, action):
    {"accept": accept, "request info": request_info, "decline": close}[action](
        case, agent
    )

    task = task_of(case, Task.Kind.REVIEW_NEW_CASE, partner_org)
    assert task.state == Task.State.DONE
    assert task.closed_by == agent


def test_review_task_stays_open_when_partner_only_writes(case, agent, partner_org):
    post(case, agent, "We look at it tomorrow.")

    task = task_of(case, Task.Kind.REVIEW_NEW_CASE, partner_org)
    assert task.state == Task.State.OPEN


def test_review_task_is_cancelled_when_client_withdraws(case, manager, partner_org):
    withdraw(case, manager)

    task = task_of(case, Task.Kind.REVIEW_NEW_CASE, partner_org)
    assert task.state == Task.State.CANCELLED


# --- Provide more information: client, 2 business days ---------------------------


@pytest.mark.parametrize(
    ("asked", "due"),
    [
        ("2026-12-18 16:00", date(2026, 12, 22)),  # DESIGN §5's examples
        ("2026-04-01 11:00", date(2026, 4, 8)),
        ("2026-12-24 12:00", date(2026, 12, 29)),
        ("2026-12-19 09:30", date(2026, 12, 22)),  # Saturday, no cut-off hour
    ],
)
def test_info_request_opens_client_task_due_in_two_business_days(
    case, agent, client_org, time_machine, asked, due
):
    time_machine.move_to(at(asked), tick=False)

    request_info(case, agent)

    task = task_of(case, Task.Kind.PROVIDE_INFORMATION, client_org)
    assert (task.state, task.due_on) == (Task.State.OPEN, due)


@pytest.mark.parametrize("answer", ["message", "upload"])
def test_info_task_is_done_when_client_answers(
    case, agent, manager, client_org, answer
):
    request_info(case, agent)

    (post if answer == "message" else upload)(case, manager)

    task = task_of(case, Task.Kind.PROVIDE_INFORMATION, client_org)
    assert (task.state, task.closed_by) == (Task.State.DONE, manager)


def test_info_task_stays_open_when_partner_writes_again(case, agent, client_org):
    request_info(case, agent)

    post(case, agent, "Also the delivery note, please.")

    task = task_of(case, Task.Kind.PROVIDE_INFORMATION, client_org)
    assert task.state == Task.State.OPEN


def test_info_task_is_cancelled_when_partner_accepts(case, agent, client_org):
    request_info(case, agent)

    accept(case, agent)

    task = task_of(case, Task.Kind.PROVIDE_INFORMATION, client_org)
    assert task.state == Task.State.CANCELLED


# --- Reply to message: the other side, 2 business days ---------------------------


def test_partner_message_opens_reply_task_for_client_across_the_weekend(
    active_case, agent, client_org, time_machine
):
    time_machine.move_to(at("2026-12-18 16:00"), tick=False)

    post(active_case, agent, "The debtor offers to pay in three instalments.")

    task = task_of(active_case, Task.Kind.REPLY_TO_MESSAGE, client_org)
    assert (task.state, task.due_on) == (Task.State.OPEN, date(2026, 12, 22))


def test_client_message_opens_reply_task_for_partner_across_christmas(
    active_case, manager, partner_org, time_machine
):
    time_machine.move_to(at("2026-12-23 17:00"), tick=False)

    post(active_case, manager, "Has the debtor answered?")

    task = task_of(active_case, Task.Kind.REPLY_TO_MESSAGE, partner_org)
    # Thursday 24th is a business day in Denmark; 25th and 26th are holidays.
    assert (task.state, task.due_on) == (Task.State.OPEN, date(2026, 12, 28))


def test_more_messages_keep_one_open_reply_task_with_the_first_deadline(
    active_case, agent, client_org, time_machine
):
    time_machine.move_to(at("2026-12-14 11:00"), tick=False)
    post(active_case, agent, "First.")
    time_machine.move_to(at("2026-12-15 11:00"), tick=False)

    post(active_case, agent, "Second.")
    post(active_case, agent, "Third.")

    tasks = Task.objects.filter(
        case=active_case, kind=Task.Kind.REPLY_TO_MESSAGE, organisation=client_org
    )
    assert [(t.state, t.due_on) for t in tasks] == [
        (Task.State.OPEN, date(2026, 12, 16))
    ]


@pytest.mark.parametrize("answer", ["message", "upload"])
def test_reply_task_is_done_when_that_side_posts(
    active_case, agent, manager, client_org, answer
):
    post(active_case, agent, "Do you agree to instalments?")

    (post if answer == "message" else upload)(active_case, manager)

    task = task_of(active_case, Task.Kind.REPLY_TO_MESSAGE, client_org)
    assert (task.state, task.closed_by) == (Task.State.DONE, manager)


def test_reply_task_is_not_closed_by_the_side_that_asked(
    active_case, agent, agent_colleague, client_org
):
    post(active_case, agent, "Do you agree to instalments?")

    post(active_case, agent_colleague, "Please answer by Friday.")
    upload(active_case, agent_colleague)

    task = task_of(active_case, Task.Kind.REPLY_TO_MESSAGE, client_org)
    assert task.state == Task.State.OPEN


def test_file_alone_asks_no_reply(active_case, manager):
    upload(active_case, manager)

    assert not Task.objects.filter(
        case=active_case, kind=Task.Kind.REPLY_TO_MESSAGE
    ).exists()


def test_partners_answer_to_a_reply_closes_its_task_and_opens_the_clients(
    active_case, agent, manager, client_org, partner_org
):
    post(active_case, manager, "Any news?")

    post(active_case, agent, "Yes: the debtor paid half.")

    assert (
        task_of(active_case, Task.Kind.REPLY_TO_MESSAGE, partner_org).state
        == Task.State.DONE
    )
    assert (
        task_of(active_case, Task.Kind.REPLY_TO_MESSAGE, client_org).state
        == Task.State.OPEN
    )


def test_no_reply_task_while_info_task_covers_the_answer(case, agent, client_org):
    request_info(case, agent)

    post(case, agent, "Also the delivery note, please.")

    assert states(case) == [
        (Task.Kind.PROVIDE_INFORMATION, client_org.name, Task.State.OPEN),
        (Task.Kind.REVIEW_NEW_CASE, "Hansen Inkasso", Task.State.DONE),
    ]


def test_info_request_replaces_an_open_reply_task_of_the_client(
    active_case, agent, client_org
):
    post(active_case, agent, "Do you agree to instalments?")

    request_info(active_case, agent, "We need the signed contract first.")

    reply = task_of(active_case, Task.Kind.REPLY_TO_MESSAGE, client_org)
    assert reply.state == Task.State.CANCELLED
    info = task_of(active_case, Task.Kind.PROVIDE_INFORMATION, client_org)
    assert info.state == Task.State.OPEN


def test_clients_answer_to_info_request_asks_partner_for_a_reply(
    case, agent, manager, partner_org
):
    request_info(case, agent)

    post(case, manager, "Contract attached.")

    task = task_of(case, Task.Kind.REPLY_TO_MESSAGE, partner_org)
    assert task.state == Task.State.OPEN


def test_partners_status_change_answers_its_reply_task(
    case, agent, manager, partner_org
):
    request_info(case, agent)
    post(case, manager, "Contract attached.")

    accept(case, agent)

    task = task_of(case, Task.Kind.REPLY_TO_MESSAGE, partner_org)
    assert task.state == Task.State.DONE
    assert not Task.objects.filter(case=case, state=Task.State.OPEN).exists()


def test_reply_tasks_are_cancelled_when_case_closes(
    active_case, agent, manager, client_org
):
    post(active_case, agent, "Do you agree to instalments?")

    withdraw(active_case, manager)

    task = task_of(active_case, Task.Kind.REPLY_TO_MESSAGE, client_org)
    assert task.state == Task.State.CANCELLED


def test_reply_task_is_cancelled_when_case_is_merged(
    active_case, agent, manager, partner_org, client_org
):
    other = submit(manager, partner_org, client_reference="NM-2026-018")
    accept(other, agent)
    post(other, agent, "Do you agree to instalments?")

    merge(active_case, [other], agent)

    task = task_of(other, Task.Kind.REPLY_TO_MESSAGE, client_org)
    assert task.state == Task.State.CANCELLED


# --- Follow up paused case: partner, 14 business days ----------------------------


def test_pause_opens_follow_up_task_due_in_fourteen_business_days(
    active_case, agent, partner_org, time_machine
):
    time_machine.move_to(at("2026-12-18 16:00"), tick=False)

    pause(active_case, agent)

    task = task_of(active_case, Task.Kind.FOLLOW_UP_PAUSED, partner_org)
    # 21–23 Dec, 24 Dec, 28–31 Dec, then 1 Jan (holiday) is skipped: 2 Jan is
    # a Saturday, so 4–8 Jan and 11 Jan.
    assert (task.state, task.due_on) == (Task.State.OPEN, date(2027, 1, 11))


@pytest.mark.parametrize(
    ("step", "resolution"),
    [("resume", "Followed up: Active"), ("close", "Followed up: Closed")],
)
def test_follow_up_task_is_done_when_partner_resumes_or_closes(
    active_case, agent, partner_org, step, resolution
):
    pause(active_case, agent)

    {"resume": resume, "close": close}[step](active_case, agent)

    task = task_of(active_case, Task.Kind.FOLLOW_UP_PAUSED, partner_org)
    assert (task.state, task.closed_by, task.resolution) == (
        Task.State.DONE,
        agent,
        resolution,
    )


def test_follow_up_task_is_cancelled_when_client_withdraws(
    active_case, agent, manager, partner_org
):
    pause(active_case, agent)

    withdraw(active_case, manager)

    task = task_of(active_case, Task.Kind.FOLLOW_UP_PAUSED, partner_org)
    assert task.state == Task.State.CANCELLED


def test_follow_up_task_stays_open_while_partner_writes(
    active_case, agent, manager, partner_org
):
    pause(active_case, agent)

    post(active_case, agent, "The debtor pays the first instalment on the 1st.")
    post(active_case, manager, "Thanks.")

    task = task_of(active_case, Task.Kind.FOLLOW_UP_PAUSED, partner_org)
    assert task.state == Task.State.OPEN


# --- Monthly case update: partner, 5 business days -------------------------------
# (the job and its closing rule: test_monthly_updates.py)


@pytest.mark.parametrize(
    ("accepted", "job_runs", "due"),
    [
        # 23 Dec + 5: 24 Dec, (25, 26 Christmas, weekend) 28–31 Dec.
        ("2026-11-23 10:00", "2026-12-23 00:30", date(2026, 12, 31)),
        # Saturday 26 Dec + 5: 28–31 Dec, (1 Jan, weekend) 4 Jan.
        ("2026-11-26 10:00", "2026-12-26 00:30", date(2027, 1, 4)),
    ],
)
def test_monthly_task_is_due_in_five_business_days_across_christmas(
    manager, agent, partner_org, time_machine, accepted, job_runs, due
):
    time_machine.move_to(at(accepted), tick=False)
    case = accept(submit(manager, partner_org), agent)
    time_machine.move_to(at(job_runs), tick=False)

    services.open_due_monthly_update_tasks()

    task = task_of(case, Task.Kind.MONTHLY_UPDATE, partner_org)
    assert (task.state, task.due_on) == (Task.State.OPEN, due)


# --- Nothing but its own rule closes a task ----------------------------------------


@pytest.fixture
def people(manager, client_member, agent, agent_colleague, client_org, partner_org):
    return SimpleNamespace(
        manager=manager,
        client_member=client_member,
        agent=agent,
        agent_colleague=agent_colleague,
        client_org=client_org,
        partner_org=partner_org,
    )


def edit(case: Any, user: Any) -> Any:
    return services.edit_case(
        case_id=case.pk,
        actor=user,
        membership=membership_of(user),
        changes={"client_reference": "NM-2026-017-B"},
    )


def _open_review(p: SimpleNamespace, time_machine: Any) -> tuple[Any, str, Any]:
    return submit(p.manager, p.partner_org), Task.Kind.REVIEW_NEW_CASE, p.partner_org


def _open_info(p: SimpleNamespace, time_machine: Any) -> tuple[Any, str, Any]:
    case = request_info(submit(p.manager, p.partner_org), p.agent)
    return case, Task.Kind.PROVIDE_INFORMATION, p.client_org


def _open_client_reply(p: SimpleNamespace, time_machine: Any) -> tuple[Any, str, Any]:
    case = accept(submit(p.manager, p.partner_org), p.agent)
    post(case, p.agent, "Do you agree to instalments?")
    return case, Task.Kind.REPLY_TO_MESSAGE, p.client_org


def _open_partner_reply(p: SimpleNamespace, time_machine: Any) -> tuple[Any, str, Any]:
    case = accept(submit(p.manager, p.partner_org), p.agent)
    post(case, p.manager, "Any news from the debtor?")
    return case, Task.Kind.REPLY_TO_MESSAGE, p.partner_org


def _open_monthly(p: SimpleNamespace, time_machine: Any) -> tuple[Any, str, Any]:
    case = accept(submit(p.manager, p.partner_org), p.agent)
    time_machine.move_to(at("2027-01-14 06:00"), tick=False)
    services.open_due_monthly_update_tasks()
    return case, Task.Kind.MONTHLY_UPDATE, p.partner_org


def _open_follow_up(p: SimpleNamespace, time_machine: Any) -> tuple[Any, str, Any]:
    case = pause(accept(submit(p.manager, p.partner_org), p.agent), p.agent)
    return case, Task.Kind.FOLLOW_UP_PAUSED, p.partner_org


OPEN = {
    "review": _open_review,
    "info": _open_info,
    "client's reply": _open_client_reply,
    "partner's reply": _open_partner_reply,
    "monthly": _open_monthly,
    "follow-up": _open_follow_up,
}
EVENTS: dict[str, Callable[[Any, SimpleNamespace], Any]] = {
    "partner message": lambda case, p: post(case, p.agent_colleague, "Noted."),
    "partner upload": lambda case, p: upload(case, p.agent_colleague),
    "client message": lambda case, p: post(case, p.client_member, "Noted."),
    "client upload": lambda case, p: upload(case, p.client_member),
    "client edit": lambda case, p: edit(case, p.manager),
    "monthly update": lambda case, p: monthly_update(case, p.agent),
    "pause": lambda case, p: pause(case, p.agent),
    "pause and resume": lambda case, p: resume(pause(case, p.agent), p.agent),
    "info request": lambda case, p: request_info(case, p.agent),
}
# Every event that may happen while the task is open and that its rule in
# DESIGN §5 does not name (the closing events are tested above).
NOT_CLOSING = {
    "review": [
        "partner message",
        "partner upload",
        "client message",
        "client upload",
        "client edit",
    ],
    "info": ["partner message", "partner upload", "client edit"],
    "client's reply": [
        "partner message",
        "partner upload",
        "monthly update",
        "pause",
        "client edit",
    ],
    "partner's reply": ["client message", "client upload", "client edit"],
    "monthly": [
        "partner message",
        "partner upload",
        "client message",
        "client upload",
        "pause and resume",
        "info request",
        "client edit",
    ],
    "follow-up": [
        "partner message",
        "partner upload",
        "client message",
        "client upload",
        "monthly update",
        "client edit",
    ],
}


@pytest.mark.parametrize(
    ("task", "event"),
    [
        pytest.param(task, event, id=f"{task}-{event}")
        for task, events in NOT_CLOSING.items()
        for event in events
    ],
)
def test_task_stays_open_through_events_its_rule_does_not_name(
    people, time_machine, task, event
):
    time_machine.move_to(at("2026-12-14 09:00"), tick=False)
    case, kind, owner = OPEN[task](people, time_machine)
    opened = task_of(case, kind, owner)

    EVENTS[event](case, people)

    opened.refresh_from_db()
    assert (opened.state, opened.closed_at) == (Task.State.OPEN, None)
    assert (
        Task.objects.filter(
            case=case, kind=kind, organisation=owner, state=Task.State.OPEN
        ).count()
        == 1
    )
