from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One notice to one person: shown under the bell and, as the outbox, mailed.

    Rows are written in the transaction of the event they announce; the worker
    mails them after commit. A rollback leaves no row, so no phantom mail.
    """

    class Kind(models.TextChoices):
        CASE_SUBMITTED = "case_submitted", _("New case")
        INFO_REQUESTED = "info_requested", _("Information request")
        MESSAGE_POSTED = "message_posted", _("New message")
        STATUS_CHANGED = "status_changed", _("Status change")
        TASK_DUE_SOON = "task_due_soon", _("Task due tomorrow")
        TASK_OVERDUE = "task_overdue", _("Task overdue")
        # The daily e-mail that lists a person's digest notices; a mail only,
        # never shown under the bell.
        DAILY_DIGEST = "daily_digest", _("Daily digest")

    class Category(models.TextChoices):
        """What a person chooses how to hear about (NotificationPreference)."""

        NEW_CASES = "new_cases", _("New cases")
        INFO_REQUESTS = "info_requests", _("Information requests")
        MESSAGES = "messages", _("Messages")
        STATUS_CHANGES = "status_changes", _("Status changes")
        TASK_REMINDERS = "task_reminders", _("Task reminders")

    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Waits for the recipient's daily digest (see `digest`).
        DIGEST = "digest", _("In the daily digest")
        # The recipient switched the category off: shown in-app only.
        SKIPPED = "skipped", _("Not mailed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # The recipient's organisation: what the notice may show is scoped to it.
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    category = models.CharField(max_length=32, choices=Category.choices, blank=True)
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField()
    # The gist (a message's text, its files, a reason) for mails that list
    # several notices: the grouped chat mail and the daily digest.
    preview = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    email_status = models.CharField(
        max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker that claimed the row holds it until then; a crashed worker's
    # claim runs out and another worker takes the row over.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # A digest notice: the daily digest mail that carries it.
    digest = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    # A daily digest mail: the recipient's local date it was made for.
    digest_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The worker's claim query: pending rows due now, oldest first.
            models.Index(
                fields=["email_status", "next_attempt_at"], name="notif_outbox_due"
            ),
            # The claim query's per-recipient checks (order, chat groups): a
            # recipient's pending rows.
            models.Index(
                fields=["recipient", "case", "id"],
                condition=models.Q(email_status="pending"),
                name="notif_pending_recipient",
            ),
            # The digest job: notices waiting for a digest.
            models.Index(
                fields=["recipient", "organisation"],
                condition=models.Q(email_status="digest", digest__isnull=True),
                name="notif_digest_waiting",
            ),
            # The bell: a user's unread notices.
            models.Index(
                fields=["recipient", "read_at"], name="notif_recipient_unread"
            ),
            # Notifications page: a user's notices in one organisation, newest first.
            models.Index(
                fields=["recipient", "organisation", "created_at", "id"],
                name="notif_recipient_list",
            ),
        ]
        constraints = [
            # One daily digest per person, organisation and local day.
            models.UniqueConstraint(
                fields=["recipient", "organisation", "digest_on"],
                condition=models.Q(digest_on__isnull=False),
                name="notif_one_digest_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


# Which category each kind of notice belongs to; the daily digest has none.
KIND_CATEGORY: dict[str, str] = {
    Notification.Kind.CASE_SUBMITTED: Notification.Category.NEW_CASES,
    Notification.Kind.INFO_REQUESTED: Notification.Category.INFO_REQUESTS,
    Notification.Kind.MESSAGE_POSTED: Notification.Category.MESSAGES,
    Notification.Kind.STATUS_CHANGED: Notification.Category.STATUS_CHANGES,
    Notification.Kind.TASK_DUE_SOON: Notification.Category.TASK_REMINDERS,
    Notification.Kind.TASK_OVERDUE: Notification.Category.TASK_REMINDERS,
}


class NotificationPreference(models.Model):
    """How one person wants to hear about one category; no row means the default."""

    class Choice(models.TextChoices):
        IMMEDIATELY = "immediately", _("Immediately")
        DIGEST = "digest", _("Daily digest")
        OFF = "off", _("Off (in the app only)")

    # What applies without a row: mail at once, except the reminders, which
    # come in the morning's digest.
    DEFAULTS: dict[str, str] = {
        Notification.Category.NEW_CASES: Choice.IMMEDIATELY,
        Notification.Category.INFO_REQUESTS: Choice.IMMEDIATELY,
        Notification.Category.MESSAGES: Choice.IMMEDIATELY,
        Notification.Category.STATUS_CHANGES: Choice.IMMEDIATELY,
        Notification.Category.TASK_REMINDERS: Choice.DIGEST,
    }
    # Categories that cannot be switched off (DESIGN §6): a partner waits on them.
    ALWAYS_MAILED = frozenset({Notification.Category.INFO_REQUESTS})

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    category = models.CharField(max_length=32, choices=Notification.Category.choices)
    choice = models.CharField(max_length=16, choices=Choice.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "category"], name="notif_pref_one_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.category} = {self.choice}"

    @classmethod
    def effective_choice(cls, category: str, stored: str | None) -> str:
        """What applies for a category: the stored choice or the default.

        An information request is never "off", whatever is stored.
        """
        choice = stored or cls.DEFAULTS[category]
        if choice == cls.Choice.OFF and category in cls.ALWAYS_MAILED:
            return cls.DEFAULTS[category]
        return choice
