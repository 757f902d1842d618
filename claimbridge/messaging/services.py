"""Writing chat entries; the case workflow adds tasks and notifications."""

import uuid
from typing import Any

from claimbridge.accounts.models import User
from claimbridge.audit.models import AuditEvent
from claimbridge.audit.services import record_event
from claimbridge.organisations.models import Organisation

from .models import Message


def write_message(
    *,
    case: Any,
    kind: Message.Kind,
    body: str,
    author: User | None,
    organisation: Organisation | None,
    attachments: list[Any] = (),  # type: ignore[assignment]
    request_token: uuid.UUID | None = None,
) -> Message:
    """Append one chat entry (with its attachments) and its audit event.

    Runs in the caller's transaction. System notes have no author.
    """
    message = Message.objects.create(
        case=case,
        kind=kind,
        body=body,
        author=author,
        organisation=organisation,
        request_token=request_token,
    )
    if attachments:
        message.attachments.set(attachments)
    if kind != Message.Kind.SYSTEM:
        record_event(
            action=AuditEvent.Action.MESSAGE_POSTED,
            actor=author,
            organisation=organisation,
            case=case,
            changes={
                "message": message.pk,
                "kind": kind,
                "attachments": [a.original_name for a in attachments],
            },
            summary=body[:200],
        )
    return message
