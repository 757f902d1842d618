from django.db.models import Prefetch, QuerySet

from claimbridge.documents.models import Document

from .models import Message


def case_chat(case_id: int) -> QuerySet[Message]:
    """The chat of a case, oldest first, authors and attachments loaded."""
    return (
        Message.objects.filter(case_id=case_id)
        .select_related("author", "organisation")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=Document.objects.filter(removed_at__isnull=True),
            )
        )
        .order_by("created_at", "id")
    )
