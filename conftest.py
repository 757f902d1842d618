"""Personas and test settings shared by the whole suite."""

import pytest

from claimbridge.accounts.tests.factories import UserFactory
from claimbridge.organisations.models import Membership, Organisation
from claimbridge.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnerFactory,
)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A fresh cache per test: log-in throttling of one test never throttles
    # another. Tests of throttling with the production default (the database
    # cache) ask for the `database_cache` fixture. The rate-limit counters stay
    # in their table, as in production: each test's rows go with its transaction,
    # and the query-count tests count their statements.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{tmp_path.name}-{id(tmp_path)}",
        },
        "ratelimit": {"BACKEND": "claimbridge.core.cache.CounterCache"},
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DEMO_MAIL_DIR = str(tmp_path / "mail")
    settings.SITE_URL = "http://testserver"
    # Chat mails go out at the next delivery run; the grouping tests set the
    # quiet period themselves (notifications/tests/test_grouping.py).
    settings.NOTIFICATION_QUIET_SECONDS = 0


@pytest.fixture
def client_org(db):
    return OrganisationFactory(
        name="Nordlys Møbler ApS", country="DK", time_zone="Europe/Copenhagen"
    )


@pytest.fixture
def partner_org(db):
    return PartnerFactory(
        name="Hansen Inkasso", country="DK", covered_countries=["DK", "SE"]
    )


@pytest.fixture
def other_client_org(db):
    return OrganisationFactory(
        name="Brennwerk GmbH", country="DE", time_zone="Europe/Berlin"
    )


@pytest.fixture
def other_partner_org(db):
    return PartnerFactory(name="Recht & Inkasso", covered_countries=["DE", "DK"])


def _member(org: Organisation, email: str, role: str = Membership.Role.MEMBER):
    user = UserFactory(
        email=email, first_name=email.split("@")[0].title(), last_name="Test"
    )
    MembershipFactory(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def manager(client_org):
    """A client admin (credit manager)."""
    return _member(client_org, "manager@nordlys.example", Membership.Role.ADMIN)


@pytest.fixture
def client_member(client_org):
    return _member(client_org, "clerk@nordlys.example")


@pytest.fixture
def agent(partner_org):
    """A member of the collection partner."""
    return _member(partner_org, "agent@hansen.example")


@pytest.fixture
def agent_colleague(partner_org):
    return _member(partner_org, "colleague@hansen.example")


@pytest.fixture
def outsider(other_client_org):
    """A member of another client organisation."""
    return _member(other_client_org, "outsider@brennwerk.example")


@pytest.fixture
def outsider_partner(other_partner_org):
    return _member(other_partner_org, "outsider@recht.example")


def membership_of(user) -> Membership:
    return Membership.objects.select_related("organisation").get(user=user)


@pytest.fixture
def database_cache(settings):
    """The configured cache (by default the database table all processes share)."""
    from django.core.cache import cache

    from config import settings as project_settings

    settings.CACHES = {
        "default": project_settings.CACHES["default"],
        "ratelimit": project_settings.CACHES["ratelimit"],
    }
    cache.clear()
    return cache
