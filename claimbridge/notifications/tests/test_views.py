"""The bell and the notifications page: only the user's own notices, in a fixed cost."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claimbridge.cases.tests.factories import CaseFactory
from claimbridge.core.testing import submit, working_browser
from claimbridge.notifications.models import Notification
from claimbridge.notifications.tests.factories import NotificationFactory
from claimbridge.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(manager, agent, partner_org):
    """Submitting it notifies Hansen Inkasso's agent."""
    return submit(manager, partner_org)


def test_notification_list_shows_the_users_own_notifications(case, agent):
    response = browser(agent).get(reverse("notifications:list"))

    assert response.status_code == 200
    assert (
        f"[{case.reference}] New case from Nordlys Møbler ApS"
        in response.content.decode()
    )


@pytest.mark.parametrize("persona", ["outsider", "outsider_partner"])
def test_notification_list_never_shows_another_organisations_notifications(
    case, persona, request
):
    user = request.getfixturevalue(persona)

    response = browser(user).get(reverse("notifications:list"))

    assert response.context["page"].paginator.count == 0
    assert case.reference not in response.content.decode()
    assert "Fjordkant" not in response.content.decode()


@pytest.fixture
def agent_also_at_other_partner(agent, other_partner_org):
    """Agent works for Hansen Inkasso and for Recht & Inkasso."""
    MembershipFactory(user=agent, organisation=other_partner_org)
    return agent


def _switch(client: Client, organisation) -> None:
    response = client.post(
        reverse("organisations:switch"), {"organisation": organisation.pk}
    )
    assert response.status_code == 302


def test_notification_list_shows_only_the_active_organisations_notifications(
    case, agent_also_at_other_partner, other_partner_org
):
    user = browser(agent_also_at_other_partner)
    _switch(user, other_partner_org)

    response = user.get(reverse("notifications:list"))

    assert response.context["page"].paginator.count == 0
    assert case.reference not in response.content.decode()


def test_unread_counter_counts_only_the_active_organisations_notifications(
    case, agent_also_at_other_partner, partner_org, other_partner_org
):
    user = browser(agent_also_at_other_partner)
    _switch(user, partner_org)
    at_hansen = user.get(reverse("tasks:list"))
    _switch(user, other_partner_org)

    at_recht = user.get(reverse("tasks:list"))

    assert at_hansen.context["unread_notifications"] == 1
    assert 'data-testid="unread-count">1<' in at_hansen.content.decode()
    assert at_recht.context["unread_notifications"] == 0
    assert 'data-testid="unread-count"' not in at_recht.content.decode()


def test_anonymous_user_is_redirected_to_log_in():
    response = Client().get(reverse("notifications:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_notification_page_queries_do_not_grow_with_notifications(
    manager, client_org, partner_org
):
    def notify(count: int) -> None:
        for case in CaseFactory.create_batch(
            count, client=client_org, partner=partner_org
        ):
            NotificationFactory(recipient=manager, case=case, organisation=client_org)

    user = working_browser(manager)
    notify(5)
    with CaptureQueriesContext(connection) as with_5:
        assert user.get(reverse("notifications:list")).status_code == 200

    notify(45)
    with CaptureQueriesContext(connection) as with_50:
        assert user.get(reverse("notifications:list")).status_code == 200

    assert len(with_50) == len(with_5)
    assert len(with_50) <= 12


def unread_of(user) -> list[tuple[str, int]]:
    return sorted(
        Notification.objects.filter(recipient=user, read_at__isnull=True).values_list(
            "organisation__name", "case_id"
        )
    )


def test_mark_all_as_read_marks_the_users_notices_of_this_organisation(
    agent_colleague, case, agent_also_at_other_partner, other_partner_org
):
    """The colleague, a member before the case came, has the same notice unread."""
    agent = agent_also_at_other_partner
    elsewhere = NotificationFactory(recipient=agent, organisation=other_partner_org)
    colleague_before = unread_of(agent_colleague)
    user = browser(agent)

    page = user.get(reverse("notifications:list")).content.decode()
    response = user.post(reverse("notifications:mark_all_read"))
    after = user.get(response["Location"]).content.decode()

    assert "Mark all as read" in page
    assert response.status_code == 302
    assert "1 notification marked as read." in after
    assert "Mark all as read" not in after
    assert unread_of(agent) == [(other_partner_org.name, elsewhere.case_id)]
    assert unread_of(agent_colleague) == colleague_before != []


def test_mark_all_as_read_is_a_post(agent):
    response = browser(agent).get(reverse("notifications:mark_all_read"))

    assert response.status_code == 405
