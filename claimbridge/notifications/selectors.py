from django.db.models import QuerySet

from claimbridge.accounts.models import User

from .models import Notification, NotificationPreference


def unread_count(user: User, organisation_id: int) -> int:
    return Notification.objects.filter(
        recipient=user, organisation_id=organisation_id, read_at__isnull=True
    ).count()


def notifications_for(user: User, organisation_id: int) -> QuerySet[Notification]:
    """The user's notices in one organisation (the digest mails are not notices)."""
    return (
        Notification.objects.filter(recipient=user, organisation_id=organisation_id)
        .exclude(kind=Notification.Kind.DAILY_DIGEST)
        .select_related("case")
    )


def notification_preferences(user: User) -> dict[str, str]:
    """The user's choice for every category, defaults filled in."""
    stored = dict(
        NotificationPreference.objects.filter(user=user).values_list(
            "category", "choice"
        )
    )
    return {
        category: NotificationPreference.effective_choice(
            category, stored.get(category)
        )
        for category in Notification.Category.values
    }


def failed_notifications() -> QuerySet[Notification]:
    """Mails that failed after their last attempt, newest first (platform staff)."""
    return (
        Notification.objects.filter(email_status=Notification.EmailStatus.FAILED)
        .select_related("recipient", "organisation", "case")
        .order_by("-created_at", "-id")
    )


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
