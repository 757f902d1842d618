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

    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

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
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField()
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

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The worker's claim query: pending rows due now, oldest first.
            models.Index(
                fields=["email_status", "next_attempt_at"], name="notif_outbox_due"
            ),
            # The bell: a user's unread notices.
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread"),
            # The notifications page: a user's notices in one organisation, newest first.
            models.Index(
                fields=["recipient", "organisation", "created_at", "id"],
                name="notif_recipient_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
