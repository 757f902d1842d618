from django.db.models import QuerySet

from claimbridge.accounts.models import User

from .models import Notification


def unread_count(user: User, organisation_id: int) -> int:
    return Notification.objects.filter(
        recipient=user, organisation_id=organisation_id, read_at__isnull=True
    ).count()


def notifications_for(user: User, organisation_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(
        recipient=user, organisation_id=organisation_id
    ).select_related("case")


def sent_mail_files() -> list[dict[str, str]]:
    """Mails received by the demo SMTP sink (newest first), parsed for display."""
    import email
    from email import policy
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.DEMO_MAIL_DIR)
    if not folder.is_dir():
        return []
    mails = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:200]:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        mails.append(
            {
                "name": path.name,
                "to": str(message.get("To", "")),
                "subject": " ".join(str(message.get("Subject", "")).split()),
                "date": str(message.get("Date", "")),
                "body": body.get_content() if body is not None else "",
            }
        )
    return mails
