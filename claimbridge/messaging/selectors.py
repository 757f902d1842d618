from django.db.models import Prefetch, QuerySet

from claimbridge.core.pagination import latest
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


# Entries the case page shows; earlier ones are a click away (?chat=all).
CHAT_WINDOW = 25


def case_chat_window(
    case_id: int, limit: int | None = CHAT_WINDOW
) -> tuple[list[Message], bool]:
    """The chat as the case page shows it: the latest entries, oldest first.

    Returns the entries and whether earlier ones exist; `limit=None` for all.
    """
    return latest(case_chat(case_id), limit)


def has_chat_after(case_id: int, entry_id: int) -> bool:
    """Whether the chat has entries newer than the one the page shows last."""
    return Message.objects.filter(case_id=case_id, pk__gt=entry_id).exists()
