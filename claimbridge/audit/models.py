from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from claimbridge.core.choices import choice_label


class AuditEvent(models.Model):
    """One change, as it happened: append-only, never updated or deleted."""

    class Action(models.TextChoices):
        CASE_CREATED = "case.created", _("Case submitted")
        CASE_STATUS_CHANGED = "case.status_changed", _("Status changed")
        CASE_EDITED = "case.edited", _("Case edited")
        CASE_MERGED = "case.merged", _("Cases merged")
        CLAIM_CORRECTED = "claim.corrected", _("Claim corrected")
        EVIDENCE_EXPORTED = "case.exported", _("Evidence exported")
        MESSAGE_POSTED = "message.posted", _("Message posted")
        DOCUMENT_ADDED = "document.added", _("File added")
        DOCUMENT_REMOVED = "document.removed", _("File removed")
        TASK_OPENED = "task.opened", _("Task opened")
        TASK_CLOSED = "task.closed", _("Task done")
        TASK_CANCELLED = "task.cancelled", _("Task cancelled")
        TASK_ASSIGNED = "task.assigned", _("Task assigned")
        TASK_POSTPONED = "task.postponed", _("Task postponed")
        CASE_UPDATE_POSTED = "case.update_posted", _("Monthly update posted")
        NOTIFICATION_SENT = "notification.sent", _("E-mail sent")
        NOTIFICATION_FAILED = "notification.failed", _("E-mail failed")
        NOTIFICATION_RESENT = "notification.resent", _("E-mail queued again")
        USER_LOGGED_IN = "user.logged_in", _("Logged in")
        USER_LOGIN_FAILED = "user.login_failed", _("Log-in failed")
        USER_PASSWORD_CHANGED = "user.password_changed", _("Password changed")
        USER_PASSWORD_RESET = "user.password_reset", _("Password reset by e-mail")
        USER_SESSIONS_ENDED = "user.sessions_ended", _("Logged out everywhere else")
        MFA_ADDED = "mfa.added", _("Two-factor method added")
        MFA_REMOVED = "mfa.removed", _("Two-factor method removed")
        MFA_RESET = "mfa.reset", _("Recovery codes renewed")
        MFA_FAILED = "mfa.failed", _("Two-factor code refused")
        DOCUMENT_DOWNLOADED = "document.downloaded", _("File downloaded")
        SECURITY_SETTINGS_CHANGED = (
            "organisation.security_changed",
            _("Security settings changed"),
        )

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    action = models.CharField(max_length=40, choices=Action.choices)
    # {field: [old, new]} for edits; free details for other actions.
    changes = models.JSONField(default=dict, blank=True)
    summary = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        # The case page's timeline reads the latest events backwards off this index.
        indexes = [
            models.Index(fields=["case", "created_at", "id"], name="audit_case_time")
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit events are append-only")

    def get_action_display(self) -> str:
        # Lists call it once per row; see core.choices.choice_label.
        return choice_label(self.Action, self.action)
