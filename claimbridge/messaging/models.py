from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One entry of a case's chat; never edited or deleted (a correction is a
    new entry)."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Message")
        SYSTEM = "system", _("System note")
        PARTNER_NOTE = "partner_note", _("Partner note")
        CALL_LOG = "call_log", _("Call log")

    MAX_LENGTH = 10_000

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="messages"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.MESSAGE)
    author = models.ForeignKey(
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
    body = models.TextField(max_length=MAX_LENGTH, blank=True)
    attachments = models.ManyToManyField(
        "documents.Document", blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A form sent twice carries the same token: the second send finds the first.
    request_token = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["created_at", "id"]
        # The case page reads the latest entries backwards off this index.
        indexes = [
            models.Index(fields=["case", "created_at", "id"], name="message_case_time")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on case {self.case_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("Chat entries are never edited")
        super().save(*args, **kwargs)  # type: ignore[arg-type]
