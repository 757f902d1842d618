"""Who may do what: small pure functions used by views and services alike."""

from typing import Protocol

from .models import Membership, Organisation


class HasParties(Protocol):
    client_id: int
    partner_id: int


def is_party(membership: Membership | None, case: HasParties) -> bool:
    if membership is None:
        return False
    return membership.organisation_id in (case.client_id, case.partner_id)


def is_client_of(membership: Membership | None, case: HasParties) -> bool:
    return membership is not None and membership.organisation_id == case.client_id


def is_partner_of(membership: Membership | None, case: HasParties) -> bool:
    return membership is not None and membership.organisation_id == case.partner_id


def can_submit_case(membership: Membership | None) -> bool:
    return (
        membership is not None
        and membership.organisation.kind == Organisation.Kind.CLIENT
    )


def can_manage_security(membership: Membership | None) -> bool:
    """Admins set their organisation's security rules and read its security log."""
    return membership is not None and membership.is_admin
