"""The outbox: queue notices inside a transaction, deliver them after commit.

Writing: `queue_email` adds one row per recipient in the caller's transaction;
each person's preference for the category decides whether the row is mailed
at once (pending), waits for the daily digest (digest) or stays in the app
(skipped). Chat messages wait for a quiet period, so a burst becomes one mail.

Delivering: `deliver_due_notifications` (the worker's job and the periodic
sweep) claims due rows with a lease, mails them outside any transaction, marks
each mail sent right after the server accepted it, and retries failures with
exponential backoff. `send_daily_digests` (a periodic job) turns each person's
digest rows into one mail a day.
"""

import logging
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from claimbridge.accounts.models import User
from claimbridge.audit.models import AuditEvent
from claimbridge.audit.services import record_event
from claimbridge.core.exceptions import DomainError, PermissionDenied
from claimbridge.organisations.models import Membership, Organisation

from .models import KIND_CATEGORY, Notification, NotificationPreference
from .selectors import notification_preferences

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
# The daily digest goes out at the first run of the digest job from this
# local time on; task reminders are made an hour earlier, so they are in it.
DIGEST_AT = time(7, 0)

Status = Notification.EmailStatus
Choice = NotificationPreference.Choice


def members_to_notify(
    organisation: Organisation, *, exclude: User | None = None
) -> list[User]:
    """Active members of one organisation, never the author of the event."""
    memberships = Membership.objects.filter(
        organisation=organisation, is_active=True, user__is_active=True
    ).select_related("user")
    return [m.user for m in memberships if exclude is None or m.user_id != exclude.pk]


# --- preferences ------------------------------------------------------------------


def set_notification_preferences(
    *, actor: User, choices: dict[str, str]
) -> dict[str, str]:
    """Store how the actor wants to hear about each category; return all choices.

    Rules: known categories and choices only (else DomainError); switching
    information requests off is ignored, as they cannot be switched off.
    """
    for category, choice in choices.items():
        if category not in Notification.Category.values or choice not in Choice.values:
            raise DomainError(_("Unknown notification setting."))
    with transaction.atomic():
        for category, choice in choices.items():
            always_mailed = category in NotificationPreference.ALWAYS_MAILED
            if always_mailed and choice == Choice.OFF:
                continue
            NotificationPreference.objects.update_or_create(
                user=actor, category=category, defaults={"choice": choice}
            )
    return notification_preferences(actor)


# --- queueing -----------------------------------------------------------------------


def _recipients_with_choices(
    organisation: Organisation,
    category: str,
    recipients: Iterable[User] | None,
    exclude: User | None,
) -> list[User]:
    """The active members among the recipients, each with `notification_choice`.

    One query: the membership check and the preference lookup together.
    """
    preference = NotificationPreference.objects.filter(
        user=OuterRef("pk"), category=category
    ).values("choice")[:1]
    users = User.objects.filter(
        is_active=True,
        memberships__organisation=organisation,
        memberships__is_active=True,
    )
    if recipients is not None:
        users = users.filter(pk__in=[user.pk for user in recipients])
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users.annotate(notification_choice=Subquery(preference)).order_by("pk"))


def queue_email(
    *,
    kind: Notification.Kind,
    organisation: Organisation,
    case: Any,
    context: dict[str, Any],
    recipients: Iterable[User] | None = None,
    exclude: User | None = None,
) -> list[Notification]:
    """Write one notification per recipient in the caller's transaction.

    Rules: recipients are the active members of `organisation` (all of them,
    or those of `recipients`), never `exclude` (the author); anyone else
    passed is left out. With a case, `organisation` must be one of its two
    parties. The rendered text may only use `context`, which the caller
    limits to what that organisation may see. Each person's preference for the
    kind's category decides: mailed at once, kept for the daily digest, or not
    mailed (information requests are always mailed). Chat messages wait for
    the quiet period (NOTIFICATION_QUIET_SECONDS). Side effect: a delivery job
    is queued after commit.
    """
    if case is not None and organisation.pk not in (case.client_id, case.partner_id):
        raise ValueError("Notifications of a case go to its client and partner only")
    category = KIND_CATEGORY[kind]
    users = _recipients_with_choices(organisation, category, recipients, exclude)
    if not users:
        return []
    now = timezone.now()
    link = settings.SITE_URL + case.get_absolute_url() if case is not None else ""
    base = {**context, "organisation": organisation, "case": case, "link": link}
    preview = render_to_string("emails/_preview.txt", base).strip()
    rows = []
    for user in users:
        status, due_at = _delivery_for(kind, category, user.notification_choice, now)
        ctx = {**base, "recipient": user}
        rows.append(
            Notification(
                recipient=user,
                organisation=organisation,
                case=case,
                kind=kind,
                category=category,
                subject=_one_line(render_to_string(f"emails/{kind}.subject.txt", ctx)),
                body_text=render_to_string(f"emails/{kind}.txt", ctx),
                body_html=render_to_string(f"emails/{kind}.html", ctx),
                preview=preview,
                link=link,
                email_status=status,
                next_attempt_at=due_at,
            )
        )
    created = Notification.objects.bulk_create(rows)
    due = [row.next_attempt_at for row in created if row.next_attempt_at is not None]
    if due:
        run_after = max(due) if max(due) > now else None
        transaction.on_commit(partial(enqueue_delivery, run_after=run_after))
    return created


def _delivery_for(
    kind: str, category: str, stored: str | None, now: datetime
) -> tuple[str, datetime | None]:
    choice = NotificationPreference.effective_choice(category, stored)
    if choice == Choice.OFF:
        return Status.SKIPPED, None
    if choice == Choice.DIGEST:
        return Status.DIGEST, None
    if kind == Notification.Kind.MESSAGE_POSTED:
        # The group of chat messages goes out once it has been quiet this long
        # after its newest message (see _claim_batch).
        return Status.PENDING, now + timedelta(
            seconds=settings.NOTIFICATION_QUIET_SECONDS
        )
    return Status.PENDING, now


def _one_line(text: str) -> str:
    return " ".join(text.split())[:250]


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


# --- delivery -----------------------------------------------------------------------


@dataclass
class _Mail:
    """One e-mail to send: one notification, or a group of chat notifications."""

    rows: list[Notification]

    @property
    def lead(self) -> Notification:
        return self.rows[0]

    @property
    def ids(self) -> list[int]:
        return [row.pk for row in self.rows]


def _claim_batch(now: datetime) -> list[_Mail]:
    """Claim the next mails that are due, for NOTIFICATION_CLAIM_SECONDS.

    Rules:
    - A pending row is due when its `next_attempt_at` has come and no worker
      holds it (a claim whose time ran out no longer counts: its worker died).
    - Per recipient, mails go out in the order they were queued: a row waits
      while an older pending row of the same person is held by a worker or
      waits for a retry.
    - Chat messages of one case to one person form a group, claimed through
      its oldest row once every row of the group is due (the quiet period
      after the newest message has passed); the group is one mail.
    """
    pending = Notification.objects.filter(email_status=Status.PENDING)
    older = pending.filter(recipient_id=OuterRef("recipient_id"), id__lt=OuterRef("id"))
    held_back = older.filter(
        Q(claimed_until__gt=now) | Q(attempts__gt=0, next_attempt_at__gt=now)
    )
    same_group = {
        "recipient_id": OuterRef("recipient_id"),
        "case_id": OuterRef("case_id"),
        "kind": Notification.Kind.MESSAGE_POSTED,
    }
    not_first_of_group = older.filter(**same_group)
    group_not_quiet = pending.filter(**same_group, next_attempt_at__gt=now)
    lease = now + timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    with transaction.atomic():
        leads = list(
            # of=("self",): PostgreSQL cannot lock the nullable side of the
            # outer join to the case; only the notification rows need the lock.
            pending.select_for_update(skip_locked=True, of=("self",))
            .filter(next_attempt_at__lte=now)
            .exclude(claimed_until__gt=now)
            .exclude(Exists(held_back))
            .exclude(
                Q(kind=Notification.Kind.MESSAGE_POSTED)
                & (Exists(not_first_of_group) | Exists(group_not_quiet))
            )
            .select_related("recipient", "case", "organisation")
            .order_by("id")[:BATCH_SIZE]
        )
        mails = [_Mail([lead]) for lead in leads]
        _add_group_members(mails, now)
        claimed = [pk for mail in mails for pk in mail.ids]
        if claimed:
            Notification.objects.filter(pk__in=claimed).update(claimed_until=lease)
    return mails


def _add_group_members(mails: list[_Mail], now: datetime) -> None:
    groups = {
        (mail.lead.recipient_id, mail.lead.case_id): mail
        for mail in mails
        if mail.lead.kind == Notification.Kind.MESSAGE_POSTED
    }
    if not groups:
        return
    match = Q(pk__in=[])
    for recipient_id, case_id in groups:
        match |= Q(recipient_id=recipient_id, case_id=case_id)
    members = (
        Notification.objects.select_for_update(of=("self",))
        .filter(
            match,
            kind=Notification.Kind.MESSAGE_POSTED,
            email_status=Status.PENDING,
            next_attempt_at__lte=now,
        )
        .exclude(pk__in=[mail.lead.pk for mail in groups.values()])
        .exclude(claimed_until__gt=now)
        .select_related("recipient", "case", "organisation")
        .order_by("id")
    )
    for row in members:
        groups[(row.recipient_id, row.case_id)].rows.append(row)


def _message_id(mail: _Mail) -> str:
    # The same mail gets the same Message-ID on every attempt, so a mail
    # program can drop the copy of a mail resent after a crash (see
    # docs/operations.md, "the window").
    host = urlsplit(settings.SITE_URL).hostname or "claimbridge.local"
    return f"<notification.{mail.lead.pk}.{mail.rows[-1].pk}@{host}>"


def _email_for(mail: _Mail, connection: Any) -> EmailMultiAlternatives:
    lead = mail.lead
    if len(mail.rows) == 1:
        subject, text, html = lead.subject, lead.body_text, lead.body_html
    else:
        subject, text, html = _render_message_group(mail.rows)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[lead.recipient.email],
        connection=connection,
        headers={
            "X-Claimbridge-Notification": ",".join(str(pk) for pk in mail.ids),
            "Message-ID": _message_id(mail),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _render_message_group(rows: list[Notification]) -> tuple[str, str, str]:
    lead = rows[0]
    context = {
        "recipient": lead.recipient,
        "organisation": lead.organisation,
        "case": lead.case,
        "link": lead.link,
        "items": [_item(row) for row in rows],
    }
    return _render("message_digest", context, lead.organisation)


def _render(
    kind: str, context: dict[str, Any], organisation: Organisation
) -> tuple[str, str, str]:
    """Subject, text and HTML of a mail, times in the organisation's zone."""
    with timezone.override(zoneinfo.ZoneInfo(organisation.time_zone)):
        return (
            _one_line(render_to_string(f"emails/{kind}.subject.txt", context)),
            render_to_string(f"emails/{kind}.txt", context),
            render_to_string(f"emails/{kind}.html", context),
        )


_REFERENCE_PREFIX = re.compile(r"^\[[^\]]*\]\s*")


def _item(row: Notification) -> dict[str, Any]:
    """A notice as a line of a mail that lists several: when, what, the gist."""
    return {
        "at": row.created_at,
        "headline": _REFERENCE_PREFIX.sub("", row.subject),
        "preview": row.preview,
    }


def _mark_sent(mail: _Mail) -> None:
    lead, now = mail.lead, timezone.now()
    with transaction.atomic():
        Notification.objects.filter(pk__in=mail.ids).update(
            email_status=Status.SENT,
            sent_at=now,
            attempts=F("attempts") + 1,
            claimed_until=None,
            last_error="",
        )
        if lead.kind == Notification.Kind.DAILY_DIGEST:
            lead.items.update(email_status=Status.SENT, sent_at=now)
        for case in _cases_of(mail):
            record_event(
                action=AuditEvent.Action.NOTIFICATION_SENT,
                actor=None,
                organisation=lead.organisation,
                case=case,
                changes={"notification": mail.ids, "kind": lead.kind},
                summary=f"E-mail “{lead.subject}” sent to {lead.recipient.email}",
            )


def _cases_of(mail: _Mail) -> list[Any]:
    """The cases a mail is about: its own, or each case a daily digest lists."""
    if mail.lead.kind != Notification.Kind.DAILY_DIGEST:
        return [mail.lead.case]
    items = mail.lead.items.select_related("case").order_by("case_id")
    cases = {item.case_id: item.case for item in items}
    return list(cases.values()) or [None]


def _mark_failed_attempt(mail: _Mail, error: Exception) -> datetime | None:
    """Count a failed attempt; return when to retry, or None if it finally failed."""
    lead = mail.lead
    attempts = max(row.attempts for row in mail.rows) + 1
    text = f"{type(error).__name__}: {error}"[:500]
    rows = Notification.objects.filter(pk__in=mail.ids)
    if attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        with transaction.atomic():
            rows.update(
                email_status=Status.FAILED,
                attempts=attempts,
                claimed_until=None,
                last_error=text,
            )
            for case in _cases_of(mail):
                record_event(
                    action=AuditEvent.Action.NOTIFICATION_FAILED,
                    actor=None,
                    organisation=lead.organisation,
                    case=case,
                    changes={"notification": mail.ids, "error": text},
                    summary=f"E-mail to {lead.recipient.email} failed: {text}",
                )
        return None
    delay = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    retry_at = timezone.now() + timedelta(seconds=delay)
    rows.update(
        attempts=attempts, next_attempt_at=retry_at, claimed_until=None, last_error=text
    )
    return retry_at


def _release(mail: _Mail) -> None:
    """Give a claimed mail back unsent and without counting an attempt."""
    Notification.objects.filter(pk__in=mail.ids).update(claimed_until=None)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return min(a, b)


def deliver_due_notifications() -> int:
    """Mail every pending notification that is due; return how many mails went out.

    Rows are claimed in a short transaction (a lease of
    NOTIFICATION_CLAIM_SECONDS), mailed outside any transaction, and each mail
    is marked sent as soon as the server accepted it, so a crash resends at
    most the one mail in flight. A failed send is retried with exponential
    backoff, the person's later mails waiting behind it; after the last
    attempt the rows are marked failed. Both outcomes are audit events. Rows
    of people who left their organisation since, and chat messages read in the
    app during the quiet period, are not mailed (skipped).
    """
    sent = 0
    lease = timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    while True:
        claimed_at = timezone.now()
        mails = _claim_batch(claimed_at)
        if not mails:
            return sent
        retry_at, count = _send_batch(mails, claimed_at + lease / 2)
        sent += count
        if retry_at is not None:
            _schedule_retry(retry_at)
            return sent


def _send_batch(
    mails: list[_Mail], send_until: datetime
) -> tuple[datetime | None, int]:
    """Send claimed mails over one connection; return the next retry and the count.

    Mails not started before `send_until` (half the lease) are given back, so
    no claim runs out while its mail is still being sent.
    """
    mails = _without_read_chat(_without_former_members(mails))
    if not mails:
        return None, 0
    connection = get_connection()
    retry_at = None
    try:
        connection.open()
    except Exception as error:  # the server is down: every mail waits
        for mail in mails:
            retry_at = _earliest(retry_at, _mark_failed_attempt(mail, error))
        return retry_at, 0
    sent = 0
    waiting: set[int] = set()
    try:
        for mail in mails:
            if mail.lead.recipient_id in waiting or timezone.now() >= send_until:
                _release(mail)
                continue
            try:
                _email_for(mail, connection).send()
            except Exception as error:
                waiting.add(mail.lead.recipient_id)
                retry_at = _earliest(retry_at, _mark_failed_attempt(mail, error))
                # The server may have dropped the connection (smtplib closes
                # it on a 421): the next mail opens a new one.
                _close(connection)
                continue
            _mark_sent(mail)
            sent += 1
    finally:
        _close(connection)
    return retry_at, sent


def _without_read_chat(mails: list[_Mail]) -> list[_Mail]:
    """Leave out chat messages the person has read in the app meanwhile.

    A chat mail waits for the quiet period; a person who opened the case in
    that time has seen the messages, and a mail about them comes too late to
    help. Those rows are marked not mailed. Every other kind of notice (an
    information request above all) is mailed whether or not it was read.
    """
    read = {
        row.pk
        for mail in mails
        for row in mail.rows
        if row.kind == Notification.Kind.MESSAGE_POSTED and row.read_at is not None
    }
    if not read:
        return mails
    Notification.objects.filter(pk__in=read).update(
        email_status=Status.SKIPPED, claimed_until=None
    )
    kept = [_Mail([row for row in mail.rows if row.pk not in read]) for mail in mails]
    return [mail for mail in kept if mail.rows]


def _without_former_members(mails: list[_Mail]) -> list[_Mail]:
    """Leave out the rows of people who are no longer members of their organisation.

    A chat mail waits for its quiet period and a failed mail for its retry;
    meanwhile the person may have left the organisation (or been deactivated):
    its news is no longer theirs, as for the daily digest. Their rows are
    marked not mailed; they stay in the recipient's list in the app.
    """
    pairs = {(row.recipient_id, row.organisation_id) for m in mails for row in m.rows}
    match = Q(pk__in=[])
    for user_id, organisation_id in pairs:
        match |= Q(user_id=user_id, organisation_id=organisation_id)
    members = set(
        Membership.objects.filter(match, is_active=True, user__is_active=True)
        .values_list("user_id", "organisation_id")
        .distinct()
    )
    gone = {
        row.pk
        for mail in mails
        for row in mail.rows
        if (row.recipient_id, row.organisation_id) not in members
    }
    if not gone:
        return mails
    Notification.objects.filter(pk__in=gone).update(
        email_status=Status.SKIPPED, claimed_until=None
    )
    kept = [_Mail([row for row in mail.rows if row.pk not in gone]) for mail in mails]
    return [mail for mail in kept if mail.rows]


def _close(connection: Any) -> None:
    try:
        connection.close()
    except Exception:
        logger.warning("SMTP connection did not close cleanly", exc_info=True)


def _schedule_retry(retry_at: datetime | None) -> None:
    if retry_at is not None:
        transaction.on_commit(partial(enqueue_delivery, run_after=retry_at))


def resend_notification(
    *, notification_id: int, actor: User, membership: Membership
) -> Notification:
    """Queue a failed e-mail again, as if new: attempts start over.

    Rules: platform staff only; only a failed notification. Effects: the row
    is pending and due now, an audit event names who queued it again, and a
    delivery job is queued after commit.
    """
    if not membership.organisation.is_platform:
        raise PermissionDenied()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "case")
            .get(pk=notification_id)
        )
        if notification.email_status != Status.FAILED:
            raise DomainError(_("Only a failed e-mail can be sent again."))
        attempts = notification.attempts
        notification.email_status = Status.PENDING
        notification.attempts = 0
        notification.next_attempt_at = timezone.now()
        notification.claimed_until = None
        notification.last_error = ""
        notification.save(
            update_fields=[
                "email_status",
                "attempts",
                "next_attempt_at",
                "claimed_until",
                "last_error",
            ]
        )
        record_event(
            action=AuditEvent.Action.NOTIFICATION_RESENT,
            actor=actor,
            organisation=membership.organisation,
            case=notification.case,
            changes={
                "notification": notification.pk,
                "email_status": [Status.FAILED, Status.PENDING],
                "attempts": [attempts, 0],
            },
            summary=f"E-mail “{notification.subject}” to "
            f"{notification.recipient.email} queued again",
        )
        transaction.on_commit(enqueue_delivery)
    return notification


# --- the daily digest -------------------------------------------------------------


def send_daily_digests(*, now: datetime | None = None) -> int:
    """Make each person's daily digest mail; return how many were made.

    Rules: one digest per person and organisation a day, from DIGEST_AT in the
    organisation's time zone (or at the first run after it); it lists every
    notice waiting for a digest, grouped by case. A day's digest is recorded
    (`digest_on`, unique), so the job may run any number of times; notices
    that arrive after it wait for the next day's. Effects: a pending digest
    row, delivered like any mail, and its notices linked to it.
    """
    now = now or timezone.now()
    waiting = set(
        Notification.objects.filter(
            email_status=Status.DIGEST, digest__isnull=True
        ).values_list("recipient_id", "organisation_id")
    )
    organisations = Organisation.objects.in_bulk({org for _user, org in waiting})
    made = 0
    for recipient_id, organisation_id in sorted(waiting):
        organisation = organisations[organisation_id]
        local = now.astimezone(zoneinfo.ZoneInfo(organisation.time_zone))
        if local.time() < DIGEST_AT:
            continue
        if _make_digest(recipient_id, organisation, local.date(), now):
            made += 1
    if made:
        enqueue_delivery()
    return made


def _make_digest(
    recipient_id: int, organisation: Organisation, day: date, now: datetime
) -> bool:
    try:
        with transaction.atomic():
            if Notification.objects.filter(
                recipient_id=recipient_id, organisation=organisation, digest_on=day
            ).exists():
                return False
            items = list(
                Notification.objects.select_for_update(of=("self",))
                .filter(
                    recipient_id=recipient_id,
                    organisation=organisation,
                    email_status=Status.DIGEST,
                    digest__isnull=True,
                )
                .select_related("recipient", "case")
                .order_by("case_id", "id")
            )
            if not items:
                return False
            recipient = items[0].recipient
            if not _is_member(recipient, organisation):
                # Left the organisation meanwhile: its news is not theirs now.
                Notification.objects.filter(pk__in=[i.pk for i in items]).update(
                    email_status=Status.SKIPPED
                )
                return False
            digest = _digest_row(recipient, organisation, day, items, now)
            Notification.objects.filter(pk__in=[i.pk for i in items]).update(
                digest=digest
            )
            return True
    except IntegrityError:
        # Another run made today's digest at the same moment.
        return False


def _is_member(user: User, organisation: Organisation) -> bool:
    return (
        user.is_active
        and Membership.objects.filter(
            user=user, organisation=organisation, is_active=True
        ).exists()
    )


def _digest_row(
    recipient: User,
    organisation: Organisation,
    day: date,
    items: list[Notification],
    now: datetime,
) -> Notification:
    cases: list[dict[str, Any]] = []
    for item in items:
        if not cases or cases[-1]["case"] != item.case:
            cases.append({"case": item.case, "link": item.link, "items": []})
        cases[-1]["items"].append(_item(item))
    context = {
        "recipient": recipient,
        "organisation": organisation,
        "day": day,
        "cases": cases,
        "count": len(items),
        "link": settings.SITE_URL + reverse("notifications:list"),
        "preferences_link": settings.SITE_URL + reverse("notifications:preferences"),
    }
    subject, text, html = _render("daily_digest", context, organisation)
    return Notification.objects.create(
        recipient=recipient,
        organisation=organisation,
        case=None,
        kind=Notification.Kind.DAILY_DIGEST,
        subject=subject,
        body_text=text,
        body_html=html,
        link=context["link"],
        email_status=Status.PENDING,
        next_attempt_at=now,
        # A mail, not a notice: never counted under the bell.
        read_at=now,
        digest_on=day,
    )


# --- in the app ---------------------------------------------------------------------


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


def mark_all_read(*, user: User, organisation_id: int) -> int:
    """Mark every unread notice of the user in one organisation read."""
    return Notification.objects.filter(
        recipient=user, organisation_id=organisation_id, read_at__isnull=True
    ).update(read_at=timezone.now())
