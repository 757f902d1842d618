"""Changes to organisations."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from claimbridge.accounts.models import User
from claimbridge.accounts.selectors import has_two_factor
from claimbridge.audit.models import AuditEvent
from claimbridge.audit.services import record_event
from claimbridge.core.exceptions import DomainError, PermissionDenied

from .models import Membership, Organisation
from .permissions import can_manage_security


class TwoFactorNotSetUp(DomainError):
    default_message = _(
        "Set up two-factor authentication for yourself first, then require it "
        "for everyone."
    )


def set_two_factor_requirement(
    *, membership: Membership, actor: User, required: bool
) -> Organisation:
    """Require (or stop requiring) two-factor log-in of all members.

    Only an admin may; an admin who requires it must use it already. Recorded
    in the audit trail (the security log).
    """
    if not can_manage_security(membership):
        raise PermissionDenied()
    if required and not has_two_factor(actor):
        raise TwoFactorNotSetUp()
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(
            pk=membership.organisation_id
        )
        before = organisation.requires_two_factor
        if before == required:
            return organisation
        organisation.requires_two_factor = required
        organisation.save(update_fields=["requires_two_factor"])
        record_event(
            action=AuditEvent.Action.SECURITY_SETTINGS_CHANGED,
            actor=actor,
            organisation=organisation,
            changes={"requires_two_factor": [before, required]},
            summary=str(
                _("Two-factor authentication required")
                if required
                else _("Two-factor authentication no longer required")
            ),
        )
    return organisation
