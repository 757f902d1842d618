from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from claimbridge.accounts.tests.factories import UserFactory
from claimbridge.cases.models import Case, ClaimLine
from claimbridge.organisations.tests.factories import (
    OrganisationFactory,
    PartnerFactory,
)


class CaseFactory(factory.django.DjangoModelFactory):
    """A case written straight to the database (no workflow effects)."""

    class Meta:
        model = Case

    client = factory.SubFactory(OrganisationFactory)
    partner = factory.SubFactory(PartnerFactory)
    created_by = factory.SubFactory(UserFactory)
    status = Case.Status.PENDING_VERIFICATION
    currency = "EUR"
    debtor_kind = Case.DebtorKind.COMPANY
    debtor_company_name = factory.Sequence(lambda n: f"Debtor Company {n} A/S")
    debtor_name = factory.LazyAttribute(lambda o: o.debtor_company_name)
    debtor_country = "DK"
    debtor_city = "Aarhus"
    last_activity_at = factory.LazyFunction(timezone.now)
    total_principal = Decimal("100.00")


class ClaimLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimLine

    case = factory.SubFactory(CaseFactory)
    reference = factory.Sequence(lambda n: f"INV-{1000 + n}")
    issued_on = factory.LazyFunction(lambda: date.today() - timedelta(days=60))
    due_on = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    principal = Decimal("100.00")
