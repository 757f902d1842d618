"""Case reads are scoped to the organisation the user works in."""

import pytest
from django.http import Http404

from claimbridge.cases.selectors import case_list, get_case_for_user
from claimbridge.core.testing import submit
from claimbridge.organisations.tests.factories import MembershipFactory, PartnerFactory
from conftest import membership_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(manager, partner_org):
    """Nordlys Møbler's case against Fjordkant Byg, at Hansen Inkasso."""
    return submit(manager, partner_org, client_reference="NM-2026-017")


@pytest.fixture
def other_clients_case(outsider, other_partner_org):
    """Brennwerk GmbH's case against Kessler Metallbau, at Recht & Inkasso."""
    return submit(
        outsider,
        other_partner_org,
        debtor_company_name="Kessler Metallbau GmbH",
        debtor_country="DE",
        debtor_phone="+4930123456",
        client_reference="BW-77",
        currency="EUR",
    )


@pytest.mark.parametrize(
    "persona", ["manager", "client_member", "agent", "agent_colleague"]
)
def test_both_parties_get_the_case(case, persona, request):
    user = request.getfixturevalue(persona)

    assert get_case_for_user(membership_of(user), case.pk) == case


@pytest.mark.parametrize("persona", ["outsider", "outsider_partner"])
def test_other_organisation_gets_404_for_the_case(case, persona, request):
    user = request.getfixturevalue(persona)

    with pytest.raises(Http404):
        get_case_for_user(membership_of(user), case.pk)


def test_partner_not_assigned_gets_404_even_when_covering_the_country(case, db):
    danish_partner = PartnerFactory(name="Kronborg Inkasso", covered_countries=["DK"])
    member = MembershipFactory(organisation=danish_partner)

    with pytest.raises(Http404):
        get_case_for_user(member, case.pk)


def test_no_membership_gets_404(case):
    with pytest.raises(Http404):
        get_case_for_user(None, case.pk)


def test_case_list_of_client_holds_only_its_own_cases(
    manager, partner_org, case, other_clients_case
):
    second = submit(manager, partner_org)

    cases = case_list(membership_of(manager))

    assert set(cases) == {case, second}
    assert cases.count() == 2


def test_case_list_of_partner_holds_only_cases_assigned_to_it(
    agent, outsider_partner, case, other_clients_case
):
    assert list(case_list(membership_of(agent))) == [case]
    assert list(case_list(membership_of(outsider_partner))) == [other_clients_case]


@pytest.mark.parametrize("query", ["Kessler", "kessler metallbau", "BW-77", "INV-1001"])
def test_search_never_finds_another_clients_case(
    manager, case, other_clients_case, query
):
    found = case_list(membership_of(manager), query=query)

    assert other_clients_case not in found


def test_search_by_reference_of_another_clients_case_finds_nothing(
    manager, case, other_clients_case
):
    found = case_list(membership_of(manager), query=other_clients_case.reference)

    assert list(found) == []


def test_search_finds_own_case_by_debtor_reference_and_invoice(manager, case):
    membership = membership_of(manager)

    assert list(case_list(membership, query="fjordkant")) == [case]
    assert list(case_list(membership, query="NM-2026")) == [case]
    assert list(case_list(membership, query=case.reference)) == [case]
    assert list(case_list(membership, query="INV-1001")) == [case]
