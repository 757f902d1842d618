import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claimbridge.core.choices import choice_label


def random_storage_key(instance: "Document", filename: str) -> str:
    # The stored name says nothing of the original: no path tricks, no guessing.
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Document(models.Model):
    """A file on a case, uploaded by one person for one organisation."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Original invoice")
        CONTRACT = "contract", _("Contract")
        PROOF_OF_DELIVERY = "proof_of_delivery", _("Proof of delivery or service")
        CORRESPONDENCE = (
            "correspondence",
            _("Reminders and correspondence with the debtor"),
        )
        BANK_STATEMENT = "bank_statement", _("Bank statement")
        DISPUTE_EVIDENCE = "dispute_evidence", _("Dispute evidence")
        OTHER = "other", _("Other")

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="documents"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(upload_to=random_storage_key, max_length=200)
    original_name = models.CharField(max_length=255)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # The files of one upload form share its token; a form sent twice finds
    # them (checked under the case's row lock) instead of storing them again.
    upload_token = models.UUIDField(null=True, blank=True, db_index=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [
            models.Index(fields=["case", "uploaded_at"], name="document_case_time")
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("documents:download", args=[self.pk])

    def get_kind_display(self) -> str:
        # Lists call it once per row; see core.choices.choice_label.
        return choice_label(self.Kind, self.kind)
