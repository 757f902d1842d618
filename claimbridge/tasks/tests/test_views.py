"""The Tasks page: an organisation's own work and what it waits for, nobody else's."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claimbridge.cases import services
from claimbridge.cases.models import Case
from claimbridge.cases.tests.factories import CaseFactory
from claimbridge.core.testing import submit, working_browser
from claimbridge.tasks.models import Task
from claimbridge.tasks.tests.factories import TaskFactory
from conftest import membership_of

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown_tasks(response) -> list[tuple[str, int]]:
    return [(t.kind, t.case_id) for t in response.context["page"].object_list]


@pytest.fixture
def case(manager, partner_org, agent):
    """Submitted, then asked about: review done, info task open for the client."""
    case = submit(manager, partner_org)
    return services.change_case_status(
        case_id=case.pk,
        actor=agent,
        membership=membership_of(agent),
        to_status=Case.Status.MORE_INFO_REQUIRED,
        expected_status=Case.Status.PENDING_VERIFICATION,
        message="Please send the signed contract.",
    )


def test_client_sees_info_task_for_us(case, manager):
    response = browser(manager).get(reverse("tasks:list"))

    assert shown_tasks(response) == [("provide_information", case.pk)]


def test_partner_sees_info_task_as_waiting_on_others(case, agent):
    response = browser(agent).get(reverse("tasks:list"), {"tab": "waiting"})

    assert shown_tasks(response) == [("provide_information", case.pk)]


@pytest.mark.parametrize("persona", ["outsider", "outsider_partner"])
@pytest.mark.parametrize("tab", ["ours", "waiting"])
def test_other_organisation_never_sees_the_cases_tasks(case, persona, tab, request):
    user = request.getfixturevalue(persona)

    response = browser(user).get(reverse("tasks:list"), {"tab": tab})

    assert response.status_code == 200
    assert shown_tasks(response) == []
    assert case.reference not in response.content.decode()
    assert case.debtor_name not in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "outsider_partner"])
def test_search_by_case_reference_never_finds_another_organisations_tasks(
    case, persona, request
):
    user = request.getfixturevalue(persona)

    response = browser(user).get(
        reverse("tasks:list"), {"tab": "waiting", "case": case.reference}
    )

    assert shown_tasks(response) == []


def test_anonymous_user_is_redirected_to_log_in():
    response = Client().get(reverse("tasks:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_task_page_queries_do_not_grow_with_tasks(agent, client_org, partner_org):
    def add_tasks(count: int) -> None:
        for case in CaseFactory.create_batch(
            count, client=client_org, partner=partner_org
        ):
            TaskFactory(case=case, organisation=partner_org, assigned_to=agent)

    user = working_browser(agent)
    add_tasks(5)
    with CaptureQueriesContext(connection) as with_5:
        assert user.get(reverse("tasks:list")).status_code == 200

    add_tasks(45)
    with CaptureQueriesContext(connection) as with_50:
        assert user.get(reverse("tasks:list")).status_code == 200

    assert len(with_50) == len(with_5)
    assert len(with_50) <= 12


# --- assigning and postponing from the Tasks page --------------------------------


@pytest.fixture
def review_task(manager, partner_org):
    """Hansen Inkasso's open "Review new case" task."""
    case = submit(manager, partner_org)
    return Task.objects.get(case=case, kind=Task.Kind.REVIEW_NEW_CASE)


def test_tasks_page_marks_unassigned_tasks_and_offers_colleagues(
    review_task, agent, agent_colleague
):
    response = browser(agent).get(reverse("tasks:list"))

    html = response.content.decode()
    assert 'class="tag unassigned"' in html
    assert response.context["colleagues"] == [agent, agent_colleague]
    assert reverse("tasks:assign", args=[review_task.pk]) in html
    assert reverse("tasks:postpone", args=[review_task.pk]) in html


def test_waiting_tab_offers_no_actions_on_the_other_sides_tasks(review_task, manager):
    html = (
        browser(manager).get(reverse("tasks:list"), {"tab": "waiting"}).content.decode()
    )

    assert reverse("tasks:assign", args=[review_task.pk]) not in html
    assert reverse("tasks:postpone", args=[review_task.pk]) not in html


def test_member_assigns_a_task_from_the_tasks_page(review_task, agent, agent_colleague):
    response = browser(agent).post(
        reverse("tasks:assign", args=[review_task.pk]),
        {"assignee": agent_colleague.pk, "next": "/tasks/?tab=ours"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/tasks/?tab=ours"
    review_task.refresh_from_db()
    assert review_task.assigned_to == agent_colleague


def test_assigning_to_someone_outside_the_organisation_changes_nothing(
    review_task, agent, manager
):
    response = browser(agent).post(
        reverse("tasks:assign", args=[review_task.pk]), {"assignee": manager.pk}
    )

    assert response.status_code == 302
    review_task.refresh_from_db()
    assert review_task.assigned_to is None


def test_assign_never_redirects_to_another_site(review_task, agent, agent_colleague):
    response = browser(agent).post(
        reverse("tasks:assign", args=[review_task.pk]),
        {"assignee": agent_colleague.pk, "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("tasks:list")


def test_member_postpones_a_task_with_a_reason(review_task, agent):
    new_date = review_task.due_on + timedelta(days=7)

    response = browser(agent).post(
        reverse("tasks:postpone", args=[review_task.pk]),
        {"due_on": new_date.isoformat(), "reason": "Client on holiday."},
    )

    assert response.status_code == 302
    review_task.refresh_from_db()
    assert review_task.due_on == new_date


def test_postponing_to_an_earlier_date_is_shown_again_with_the_reason(
    review_task, agent
):
    earlier = review_task.due_on - timedelta(days=1)

    response = browser(agent).post(
        reverse("tasks:postpone", args=[review_task.pk]),
        {"due_on": earlier.isoformat(), "reason": "Oops."},
    )

    assert response.status_code == 400
    assert "The new deadline must be after" in response.content.decode()


@pytest.mark.parametrize("persona", ["manager", "outsider", "outsider_partner"])
@pytest.mark.parametrize(
    ("name", "method"),
    [("tasks:assign", "post"), ("tasks:postpone", "get"), ("tasks:postpone", "post")],
)
def test_only_the_owning_organisation_reaches_a_tasks_actions(
    review_task, agent_colleague, persona, name, method, request
):
    user = request.getfixturevalue(persona)
    due_before = review_task.due_on

    response = getattr(browser(user), method)(
        reverse(name, args=[review_task.pk]),
        {
            "assignee": agent_colleague.pk,
            "due_on": (due_before + timedelta(days=7)).isoformat(),
            "reason": "Mine now.",
        },
    )

    assert response.status_code == 404
    review_task.refresh_from_db()
    assert (review_task.assigned_to, review_task.due_on) == (None, due_before)


def test_owning_organisation_opens_the_postpone_page(review_task, agent):
    response = browser(agent).get(reverse("tasks:postpone", args=[review_task.pk]))

    assert response.status_code == 200
    assert 'data-testid="postpone-form"' in response.content.decode()


def test_assign_list_selects_the_assignee_and_escapes_names(
    review_task, agent, agent_colleague
):
    agent_colleague.first_name, agent_colleague.last_name = "<b>Ann", "& Co</b>"
    agent_colleague.save()
    review_task.assigned_to = agent_colleague
    review_task.save()

    html = browser(agent).get(reverse("tasks:list")).content.decode()

    select = html[html.index(f'id="assign-{review_task.pk}"') :]
    select = select[: select.index("</select>")]
    assert '<option value="">Unassigned</option>' in select
    assert (
        f'<option value="{agent_colleague.pk}" selected>&lt;b&gt;Ann &amp; Co&lt;/b&gt;'
        "</option>"
    ) in select
    assert f'<option value="{agent.pk}">{agent.display_name}</option>' in select
