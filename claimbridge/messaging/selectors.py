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


def case_chat_window(case_id: int) -> QuerySet[Message]:
    """The chat as the case page shows it."""
    return case_chat(case_id)


def has_chat_after(case_id: int, entry_id: int) -> bool:
    """Whether the chat has entries newer than the one the page shows last."""
    return Message.objects.filter(case_id=case_id, pk__gt=entry_id).exists()
