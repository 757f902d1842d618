from django.db.models import Q, QuerySet

from .models import AuditEvent

NOTIFICATION_ACTIONS = (
    AuditEvent.Action.NOTIFICATION_SENT,
    AuditEvent.Action.NOTIFICATION_FAILED,
)


def case_timeline(
    case_id: int, viewer_organisation_id: int | None = None
) -> QuerySet[AuditEvent]:
    """A case's events, oldest first, with actor and organisation joined.

    For a viewer, mail deliveries to the other organisation's people are left
    out: who received which e-mail there is that organisation's business.
    """
    events = AuditEvent.objects.filter(case_id=case_id)
    if viewer_organisation_id is not None:
        events = events.exclude(
            Q(action__in=NOTIFICATION_ACTIONS)
            & ~Q(organisation_id=viewer_organisation_id)
        )
    return events.select_related("actor", "organisation").order_by("created_at", "id")
