from django.db.models import QuerySet

from .models import AuditEvent


def case_timeline(case_id: int) -> QuerySet[AuditEvent]:
    """A case's events, oldest first, with actor and organisation joined."""
    return (
        AuditEvent.objects.filter(case_id=case_id)
        .select_related("actor", "organisation")
        .order_by("created_at", "id")
    )
