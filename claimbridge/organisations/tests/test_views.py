"""The organisation switcher: a person in two organisations works in one at a time."""

import pytest
from django.test import Client
from django.urls import reverse

from claimbridge.core.testing import submit
from claimbridge.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(manager, outsider, partner_org, other_partner_org):
    """One case of each client."""
    return {
        "nordlys": submit(
            manager, partner_org, debtor_company_name="Fjordkant Byg A/S"
        ),
        "brennwerk": submit(
            outsider,
            other_partner_org,
            debtor_company_name="Kessler Metallbau GmbH",
            debtor_country="DE",
            debtor_phone="+4930123456",
        ),
    }


@pytest.fixture
def consultant(manager, other_client_org, cases):
    """The credit manager of Nordlys Møbler, who also works for Brennwerk GmbH."""
    MembershipFactory(user=manager, organisation=other_client_org)
    return manager


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(response) -> list[str]:
    return [c.debtor_name for c in response.context["page"].object_list]


def test_user_in_two_organisations_sees_the_switcher(consultant):
    response = browser(consultant).get(reverse("cases:list"))

    html = response.content.decode()
    assert '<select id="org-switch" name="organisation">' in html
    assert ">Nordlys Møbler ApS</option>" in html
    assert ">Brennwerk GmbH</option>" in html


def test_user_in_one_organisation_sees_no_switcher(agent):
    response = browser(agent).get(reverse("cases:list"))

    assert 'id="org-switch"' not in response.content.decode()


def test_switching_shows_the_other_organisations_cases(
    consultant, cases, client_org, other_client_org
):
    user = browser(consultant)
    user.post(reverse("organisations:switch"), {"organisation": other_client_org.pk})
    at_brennwerk = listed(user.get(reverse("cases:list")))

    response = user.post(
        reverse("organisations:switch"), {"organisation": client_org.pk}
    )

    assert response.status_code == 302
    assert at_brennwerk == ["Kessler Metallbau GmbH"]
    assert listed(user.get(reverse("cases:list"))) == ["Fjordkant Byg A/S"]


def test_switching_changes_which_case_lists_and_pages_open(
    consultant, cases, client_org, other_client_org
):
    user = browser(consultant)
    user.post(reverse("organisations:switch"), {"organisation": other_client_org.pk})

    own = user.get(reverse("cases:detail", args=[cases["brennwerk"].pk]))
    chat = user.get(reverse("cases:chat", args=[cases["nordlys"].pk]))

    assert (own.status_code, chat.status_code) == (200, 404)


def test_link_to_a_case_of_the_persons_other_organisation_switches_to_it(
    consultant, cases, client_org, other_client_org
):
    """A mail of Nordlys opened while working for Brennwerk."""
    user = browser(consultant)
    user.post(reverse("organisations:switch"), {"organisation": other_client_org.pk})
    url = reverse("cases:detail", args=[cases["nordlys"].pk])

    response = user.get(url)
    page = user.get(url)

    assert response.status_code == 302
    assert response["Location"] == url
    assert page.status_code == 200
    assert "You are now working in Nordlys Møbler ApS" in page.content.decode()
    assert listed(user.get(reverse("cases:list"))) == ["Fjordkant Byg A/S"]


def test_link_to_a_case_of_no_organisation_of_the_person_stays_404(
    cases, client_member
):
    """A member of Nordlys only, with the id of Brennwerk's case."""
    user = browser(client_member)

    response = user.get(reverse("cases:detail", args=[cases["brennwerk"].pk]))

    assert response.status_code == 404
    assert "active_organisation_id" not in user.session


def test_switching_to_organisation_user_is_not_member_of_gives_404(
    consultant, cases, partner_org
):
    user = browser(consultant)
    before = listed(user.get(reverse("cases:list")))

    response = user.post(
        reverse("organisations:switch"), {"organisation": partner_org.pk}
    )

    assert response.status_code == 404
    assert listed(user.get(reverse("cases:list"))) == before


def test_switching_to_an_organisation_that_does_not_exist_gives_404(consultant):
    response = browser(consultant).post(
        reverse("organisations:switch"), {"organisation": "999999"}
    )

    assert response.status_code == 404


def test_switch_does_not_redirect_to_another_site(consultant, other_client_org):
    response = browser(consultant).post(
        reverse("organisations:switch"),
        {"organisation": other_client_org.pk, "next": "https://evil.example/cases/"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:list")


def test_switching_to_organisation_whose_membership_was_revoked_gives_404(
    consultant, other_client_org
):
    consultant.memberships.filter(organisation=other_client_org).update(is_active=False)

    response = browser(consultant).post(
        reverse("organisations:switch"), {"organisation": other_client_org.pk}
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    "value", ["99999999999999999999999", "-1", "0", "abc", "", "1e9"]
)
def test_switching_to_an_impossible_id_gives_404(consultant, value):
    response = browser(consultant).post(
        reverse("organisations:switch"), {"organisation": value}
    )

    assert response.status_code == 404
