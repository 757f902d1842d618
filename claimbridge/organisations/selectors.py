"""Reads of organisations and memberships."""

from collections.abc import Sequence

from django.db.models import QuerySet

from claimbridge.accounts.models import User

from .models import Membership, Organisation


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, is_active=True).select_related(
        "organisation"
    )


def active_membership(
    memberships: Sequence[Membership], organisation_id: int | None
) -> Membership | None:
    """The membership the user works in now: the one chosen, else the first."""
    for membership in memberships:
        if membership.organisation_id == organisation_id:
            return membership
    return memberships[0] if memberships else None


def partners_covering(country: str) -> QuerySet[Organisation]:
    """Partners that take cases for debtors in this country."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.PARTNER, covered_countries__contains=country
    ).order_by("name")
