"""The outbox: queue notices inside a transaction, deliver them after commit."""

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from claimbridge.accounts.models import User
from claimbridge.audit.models import AuditEvent
from claimbridge.audit.services import record_event
from claimbridge.organisations.models import Membership, Organisation

from .models import Notification

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 300
BATCH_SIZE = 50


def members_to_notify(
    organisation: Organisation, *, exclude: User | None = None
) -> list[User]:
    """Active members of one organisation, never the author of the event."""
    memberships = Membership.objects.filter(
        organisation=organisation, is_active=True, user__is_active=True
    ).select_related("user")
    return [m.user for m in memberships if exclude is None or m.user_id != exclude.pk]


def queue_email(
    *,
    kind: Notification.Kind,
    recipients: Iterable[User],
    organisation: Organisation,
    case: Any,
    context: dict[str, Any],
) -> list[Notification]:
    """Write one notification per recipient in the caller's transaction.

    Rules: every recipient must be a member of `organisation`, and the rendered
    text may only use `context`, which the caller limits to what that
    organisation may see. Side effect: a delivery job is queued after commit.
    """
    link = settings.SITE_URL + case.get_absolute_url() if case is not None else ""
    rows = []
    for recipient in recipients:
        ctx = {
            **context,
            "recipient": recipient,
            "organisation": organisation,
            "case": case,
            "link": link,
        }
        subject = render_to_string(f"emails/{kind}.subject.txt", ctx)
        rows.append(
            Notification(
                recipient=recipient,
                organisation=organisation,
                case=case,
                kind=kind,
                subject=" ".join(subject.split())[:250],
                body_text=render_to_string(f"emails/{kind}.txt", ctx),
                body_html=render_to_string(f"emails/{kind}.html", ctx),
                link=link,
                next_attempt_at=timezone.now(),
            )
        )
    created = Notification.objects.bulk_create(rows)
    if created:
        transaction.on_commit(enqueue_delivery)
    return created


def enqueue_delivery(run_after: Any = None) -> None:
    """Ask the worker to deliver due notifications (cheap, after commit)."""
    from .jobs import deliver_notifications

    try:
        if run_after is not None:
            deliver_notifications.using(run_after=run_after).enqueue()
        else:
            deliver_notifications.enqueue()
    except Exception:
        # The periodic sweep delivers the rows anyway; the user's request must
        # not fail because the task backend hiccuped.
        logger.exception("Could not queue notification delivery")


def _claim_batch(now: Any) -> list[Notification]:
    with transaction.atomic():
        rows = list(
            # of=("self",): PostgreSQL cannot lock the nullable side of the
            # outer join to the case; only the notification rows need the lock.
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                email_status=Notification.EmailStatus.PENDING,
                next_attempt_at__lte=now,
            )
            .exclude(claimed_until__gt=now)
            .select_related("recipient", "case")
            .order_by("id")[:BATCH_SIZE]
        )
        if rows:
            Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
                claimed_until=now + timedelta(seconds=CLAIM_SECONDS)
            )
    return rows


def _message_for(notification: Notification, connection: Any) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient.email],
        connection=connection,
        headers={"X-Claimbridge-Notification": str(notification.pk)},
    )
    message.attach_alternative(notification.body_html, "text/html")
    return message


def _mark_sent(notification: Notification) -> None:
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(
            email_status=Notification.EmailStatus.SENT,
            sent_at=timezone.now(),
            attempts=notification.attempts + 1,
            claimed_until=None,
            last_error="",
        )
        record_event(
            action=AuditEvent.Action.NOTIFICATION_SENT,
            actor=None,
            organisation=notification.organisation,
            case=notification.case,
            changes={"notification": notification.pk, "kind": notification.kind},
            summary=f"E-mail “{notification.subject}” sent to {notification.recipient.email}",
        )


def _mark_failed_attempt(notification: Notification, error: Exception) -> Any:
    attempts = notification.attempts + 1
    text = f"{type(error).__name__}: {error}"[:500]
    if attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        with transaction.atomic():
            Notification.objects.filter(pk=notification.pk).update(
                email_status=Notification.EmailStatus.FAILED,
                attempts=attempts,
                claimed_until=None,
                last_error=text,
            )
            record_event(
                action=AuditEvent.Action.NOTIFICATION_FAILED,
                actor=None,
                organisation=notification.organisation,
                case=notification.case,
                changes={"notification": notification.pk, "error": text},
                summary=f"E-mail to {notification.recipient.email} failed: {text}",
            )
        return None
    delay = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    retry_at = timezone.now() + timedelta(seconds=delay)
    Notification.objects.filter(pk=notification.pk).update(
        attempts=attempts, next_attempt_at=retry_at, claimed_until=None, last_error=text
    )
    return retry_at


def deliver_due_notifications() -> int:
    """Mail every pending notification that is due; return how many were sent.

    Rows are claimed in a short transaction, mailed outside any transaction, then
    marked. A failed send is retried with exponential backoff; after the last
    attempt the row is marked failed. Both outcomes are audit events.
    """
    sent = 0
    while True:
        now = timezone.now()
        batch = _claim_batch(now)
        if not batch:
            return sent
        connection = get_connection()
        retry_at = None
        try:
            connection.open()
        except Exception as error:  # the server is down: every row waits
            for notification in batch:
                retry_at = _mark_failed_attempt(notification, error) or retry_at
            _schedule_retry(retry_at)
            return sent
        try:
            for notification in batch:
                try:
                    _message_for(notification, connection).send()
                except Exception as error:
                    retry_at = _mark_failed_attempt(notification, error) or retry_at
                    continue
                _mark_sent(notification)
                sent += 1
        finally:
            try:
                connection.close()
            except Exception:
                logger.warning("SMTP connection did not close cleanly", exc_info=True)
        if retry_at is not None:
            _schedule_retry(retry_at)
            return sent


def _schedule_retry(retry_at: Any) -> None:
    if retry_at is not None:
        transaction.on_commit(partial(enqueue_delivery, run_after=retry_at))


def mark_case_read(*, user: User, case_id: int) -> int:
    """Opening a case marks the user's notifications about it read.

    Reads first and writes only when something is unread: most page views find
    nothing, and an UPDATE of no rows still takes SQLite's one write lock.
    """
    unread = Notification.objects.filter(
        recipient=user, case_id=case_id, read_at__isnull=True
    )
    if not unread.exists():
        return 0
    return unread.update(read_at=timezone.now())
