import factory

from claimbridge.accounts.tests.factories import UserFactory
from claimbridge.organisations.models import Membership, Organisation


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.CLIENT
    name = factory.Sequence(lambda n: f"Organisation {n}")
    country = "DK"
    time_zone = "Europe/Copenhagen"


class PartnerFactory(OrganisationFactory):
    kind = Organisation.Kind.PARTNER
    name = factory.Sequence(lambda n: f"Partner {n}")
    country = "DE"
    time_zone = "Europe/Berlin"
    covered_countries = ["DK", "DE", "AT"]


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER
