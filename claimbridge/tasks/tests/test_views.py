"""The Tasks page: an organisation's own work and what it waits for, nobody else's."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claimbridge.cases import services
from claimbridge.cases.models import Case
from claimbridge.cases.tests.factories import CaseFactory
from claimbridge.core.testing import submit
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

    user = browser(agent)
    add_tasks(5)
    with CaptureQueriesContext(connection) as with_5:
        assert user.get(reverse("tasks:list")).status_code == 200

    add_tasks(45)
    with CaptureQueriesContext(connection) as with_50:
        assert user.get(reverse("tasks:list")).status_code == 200

    assert len(with_50) == len(with_5)
    assert len(with_50) <= 12
