"""The one way to write the audit trail."""

from typing import Any

from claimbridge.accounts.models import User
from claimbridge.organisations.models import Organisation

from .models import AuditEvent


def record_event(
    *,
    action: AuditEvent.Action,
    actor: User | None,
    organisation: Organisation | None,
    case: Any = None,
    changes: dict[str, Any] | None = None,
    summary: str = "",
) -> AuditEvent:
    """Append one event; call it inside the transaction of the change it records."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        organisation=organisation,
        case=case,
        changes=changes or {},
        summary=summary[:500],
    )
