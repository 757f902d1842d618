"""The demo data: seeded through the services, covering every status, once."""

from io import StringIO

import pytest
from django.core.management import call_command

from claimbridge.cases.models import Case
from claimbridge.documents.models import Document
from claimbridge.notifications.models import Notification
from claimbridge.organisations.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_a_demo_in_every_status_with_its_cast():
    output = seed_demo()

    assert "Demo data created" in output
    cases = Case.objects.all()
    assert cases.count() >= 30
    statuses = set(cases.values_list("status", flat=True))
    assert statuses == set(Case.Status.values) - {Case.Status.MERGED}
    close_codes = set(cases.exclude(close_code="").values_list("close_code", flat=True))
    assert len(close_codes) >= 5
    clients = Organisation.objects.filter(kind=Organisation.Kind.CLIENT)
    assert clients.count() >= 2
    assert len({str(org.country) for org in clients}) >= 2
    assert Organisation.objects.filter(kind=Organisation.Kind.PARTNER).count() >= 2
    assert Membership.objects.filter(
        organisation__kind=Organisation.Kind.PLATFORM, user__is_staff=True
    ).exists()
    for org in Organisation.objects.exclude(kind=Organisation.Kind.PLATFORM):
        roles = set(org.memberships.values_list("role", flat=True))
        assert roles == {Membership.Role.ADMIN, Membership.Role.MEMBER}, org.name
    assert any(
        Membership.objects.filter(user_id=user_id).count() > 1
        for user_id in Membership.objects.values_list("user_id", flat=True)
    )
    for case in cases:
        lines = case.claim_lines.count()
        assert 1 <= lines <= 4
        assert case.documents.filter(kind=Document.Kind.INVOICE).count() == lines
    assert not Notification.objects.exclude(
        email_status=Notification.EmailStatus.SENT
    ).exists()


def test_seed_demo_a_second_time_creates_nothing():
    seed_demo()
    counts = (
        Organisation.objects.count(),
        Case.objects.count(),
        Document.objects.count(),
    )

    output = seed_demo()

    assert "Demo data already present" in output
    assert counts == (
        Organisation.objects.count(),
        Case.objects.count(),
        Document.objects.count(),
    )
