from decimal import Decimal

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from claimbridge.core.choices import choice_label

CURRENCIES = [
    ("EUR", "EUR – Euro"),
    ("USD", "USD – US dollar"),
    ("GBP", "GBP – Pound sterling"),
    ("CHF", "CHF – Swiss franc"),
    ("DKK", "DKK – Danish krone"),
    ("SEK", "SEK – Swedish krona"),
    ("NOK", "NOK – Norwegian krone"),
    ("PLN", "PLN – Polish złoty"),
    ("CZK", "CZK – Czech koruna"),
    ("HUF", "HUF – Hungarian forint"),
    ("RON", "RON – Romanian leu"),
    ("BGN", "BGN – Bulgarian lev"),
    ("ISK", "ISK – Icelandic króna"),
    ("CAD", "CAD – Canadian dollar"),
    ("AUD", "AUD – Australian dollar"),
    ("JPY", "JPY – Japanese yen"),
]

MONEY = {"max_digits": 14, "decimal_places": 2}


def validate_e164(value: str) -> None:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("Enter the phone number in international form, e.g. +45 32 12 34 56.")
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This phone number is not valid."))


class Case(models.Model):
    """One debtor and one or more claims of one client, in one currency."""

    class Status(models.TextChoices):
        PENDING_VERIFICATION = "pending_verification", _("Pending verification")
        MORE_INFO_REQUIRED = "more_info_required", _("More info required")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")
        MERGED = "merged", _("Merged")

    class ClaimType(models.TextChoices):
        UNPAID_INVOICE = "unpaid_invoice", _("Unpaid invoice")
        LOAN_REPAYMENT = "loan_repayment", _("Loan repayment")
        OTHER = "other", _("Other")

    class DisputeState(models.TextChoices):
        NOT_DISPUTED = "not_disputed", _("Not disputed")
        UNKNOWN = "unknown", _("Unknown")
        DISPUTED = "disputed", _("Disputed")

    class DebtorKind(models.TextChoices):
        COMPANY = "company", _("Company")
        PERSON = "person", _("Private person")

    class CloseCode(models.TextChoices):
        PAID_IN_FULL = "paid_in_full", _("Paid in full")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        WITHDRAWN_BY_CLIENT = "withdrawn_by_client", _("Withdrawn by client")
        LEGAL_ACTION_DECLINED = (
            "legal_action_declined",
            _("Legal action declined by client (disputed)"),
        )
        SETTLEMENT_REJECTED = "settlement_rejected", _("Settlement rejected by client")
        UNRESPONSIVE_CLIENT = "unresponsive_client", _("Unresponsive client")
        DEBTOR_INSOLVENT = "debtor_insolvent", _("Debtor insolvent")
        DEBTOR_UNTRACEABLE = "debtor_untraceable", _("Debtor untraceable")
        STATUTE_EXPIRED = "statute_expired", _("Statute of limitations expired")
        PRE_LEGAL_EXHAUSTED = "pre_legal_exhausted", _("Pre-legal collection exhausted")
        UNECONOMICAL = "uneconomical", _("Uneconomical to pursue")
        NEVER_STARTED = "never_started", _("Never started (declined)")
        INVALID_CASE_DATA = "invalid_case_data", _("Invalid case data")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        FULL = "full", _("Fully recovered")
        PARTIAL = "partial", _("Partially recovered")
        NONE = "none", _("Not recovered")

    # The partner's close form asks for the outcome first, then offers its codes.
    OUTCOME_CODES: dict[str, tuple[str, ...]] = {
        Outcome.FULL: (CloseCode.PAID_IN_FULL,),
        Outcome.PARTIAL: (CloseCode.PARTIALLY_PAID,),
        Outcome.NONE: (
            CloseCode.LEGAL_ACTION_DECLINED,
            CloseCode.SETTLEMENT_REJECTED,
            CloseCode.UNRESPONSIVE_CLIENT,
            CloseCode.DEBTOR_INSOLVENT,
            CloseCode.DEBTOR_UNTRACEABLE,
            CloseCode.STATUTE_EXPIRED,
            CloseCode.PRE_LEGAL_EXHAUSTED,
            CloseCode.UNECONOMICAL,
            CloseCode.NEVER_STARTED,
            CloseCode.INVALID_CASE_DATA,
            CloseCode.OTHER,
        ),
    }
    # Codes grouped by kind of ending, for the close form's option groups.
    CLOSE_CODE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
        (_("Success"), (CloseCode.PAID_IN_FULL, CloseCode.PARTIALLY_PAID)),
        (
            _("Client decision"),
            (
                CloseCode.LEGAL_ACTION_DECLINED,
                CloseCode.SETTLEMENT_REJECTED,
                CloseCode.UNRESPONSIVE_CLIENT,
            ),
        ),
        (
            _("Uncollectable"),
            (
                CloseCode.DEBTOR_INSOLVENT,
                CloseCode.DEBTOR_UNTRACEABLE,
                CloseCode.STATUTE_EXPIRED,
            ),
        ),
        (_("Exhausted"), (CloseCode.PRE_LEGAL_EXHAUSTED, CloseCode.UNECONOMICAL)),
        (_("Rejected"), (CloseCode.NEVER_STARTED, CloseCode.INVALID_CASE_DATA)),
        (_("Other"), (CloseCode.OTHER,)),
    )

    # Who may move a case from one status to another (DESIGN §3). Every status
    # change, from UI, API or job, is checked against this one table.
    TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
        Status.PENDING_VERIFICATION: {
            Status.MORE_INFO_REQUIRED: frozenset({"partner"}),
            Status.ACTIVE: frozenset({"partner"}),
            Status.CLOSED: frozenset({"partner", "client"}),
            Status.MERGED: frozenset({"partner"}),
        },
        Status.MORE_INFO_REQUIRED: {
            Status.ACTIVE: frozenset({"partner"}),
            Status.CLOSED: frozenset({"partner", "client"}),
            Status.MERGED: frozenset({"partner"}),
        },
        Status.ACTIVE: {
            Status.MORE_INFO_REQUIRED: frozenset({"partner"}),
            Status.PAUSED: frozenset({"partner"}),
            Status.CLOSED: frozenset({"partner", "client"}),
            Status.MERGED: frozenset({"partner"}),
        },
        Status.PAUSED: {
            Status.ACTIVE: frozenset({"partner"}),
            Status.CLOSED: frozenset({"partner", "client"}),
            Status.MERGED: frozenset({"partner"}),
        },
        Status.CLOSED: {},
        Status.MERGED: {},
    }
    OPEN_STATUSES = (
        Status.PENDING_VERIFICATION,
        Status.MORE_INFO_REQUIRED,
        Status.ACTIVE,
        Status.PAUSED,
    )

    client = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="client_cases",
    )
    partner = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="partner_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    division = models.CharField(_("division"), max_length=120, blank=True)
    status = models.CharField(
        max_length=32, choices=Status.choices, default=Status.PENDING_VERIFICATION
    )
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="EUR")
    claim_type = models.CharField(
        max_length=32, choices=ClaimType.choices, default=ClaimType.UNPAID_INVOICE
    )
    claim_type_other = models.CharField(max_length=200, blank=True)
    dispute_state = models.CharField(
        max_length=16, choices=DisputeState.choices, default=DisputeState.NOT_DISPUTED
    )
    dispute_reason = models.TextField(blank=True)
    client_reference = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    comments_to_partner = models.TextField(blank=True)

    debtor_kind = models.CharField(
        max_length=16, choices=DebtorKind.choices, default=DebtorKind.COMPANY
    )
    debtor_company_name = models.CharField(max_length=200, blank=True)
    debtor_first_name = models.CharField(max_length=100, blank=True)
    debtor_last_name = models.CharField(max_length=100, blank=True)
    # Company name, or first + last name: what lists show, sort and search by.
    debtor_name = models.CharField(max_length=220)
    debtor_registration_number = models.CharField(max_length=60, blank=True)
    debtor_email = models.EmailField(blank=True)
    debtor_phone = models.CharField(
        max_length=20, blank=True, validators=[validate_e164]
    )
    debtor_street = models.CharField(max_length=200, blank=True)
    debtor_postal_code = models.CharField(max_length=20, blank=True)
    debtor_city = models.CharField(max_length=100, blank=True)
    debtor_country = CountryField()
    debtor_region = models.CharField(max_length=10, blank=True)

    # Derived from the claim lines by the service that writes them.
    total_principal = models.DecimalField(**MONEY, default=Decimal("0.00"))
    total_paid = models.DecimalField(**MONEY, default=Decimal("0.00"))

    close_code = models.CharField(max_length=32, choices=CloseCode.choices, blank=True)
    close_comment = models.TextField(blank=True)
    recovered_amount = models.DecimalField(**MONEY, null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    # When the partner first accepted the case: the monthly updates count from
    # here until the first update (CaseUpdate).
    accepted_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_activity_at = models.DateTimeField()
    # A submit form sent twice carries the same token: one case results.
    submission_token = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        # The case lists (selectors.case_list): one organisation's cases in each
        # sort order, optionally of one status. The id ends each index because
        # it breaks ties in every sort, so a page is read straight off the index
        # and stops after 26 rows. The debtor search has trigram indexes on
        # PostgreSQL (migration 0002).
        indexes = [
            models.Index(
                fields=["client", "last_activity_at", "id"], name="case_client_activity"
            ),
            models.Index(
                fields=["partner", "last_activity_at", "id"],
                name="case_partner_activity",
            ),
            models.Index(
                fields=["client", "status", "last_activity_at", "id"],
                name="case_client_status",
            ),
            models.Index(
                fields=["partner", "status", "last_activity_at", "id"],
                name="case_partner_status",
            ),
            models.Index(
                fields=["client", "debtor_name", "id"], name="case_client_debtor"
            ),
            models.Index(
                fields=["partner", "debtor_name", "id"], name="case_partner_debtor"
            ),
            models.Index(
                fields=["client", "total_principal", "id"], name="case_client_amount"
            ),
            models.Index(
                fields=["partner", "total_principal", "id"], name="case_partner_amount"
            ),
            models.Index(
                fields=["client", "created_at", "id"], name="case_client_created"
            ),
            models.Index(
                fields=["partner", "created_at", "id"], name="case_partner_created"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.debtor_name}"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    def get_status_display(self) -> str:
        # Lists call it once per row; see core.choices.choice_label.
        return choice_label(self.Status, self.status)

    @property
    def reference(self) -> str:
        return f"CB-{self.pk:06d}" if self.pk else "CB-new"

    @property
    def outstanding(self) -> Decimal:
        return self.total_principal - self.total_paid

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def can_transition_to(self, status: str, side: str) -> bool:
        return side in self.TRANSITIONS.get(self.status, {}).get(status, frozenset())

    def status_label_for(self, side: str) -> str:
        if side == "client" and self.status == self.Status.MORE_INFO_REQUIRED:
            return str(_("Needs additional details"))
        return str(self.get_status_display())


class ClaimLine(models.Model):
    """One invoice or loan instalment of a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="claim_lines")
    reference = models.CharField(_("invoice number"), max_length=100)
    issued_on = models.DateField(_("issue date"))
    due_on = models.DateField(_("due date"))
    principal = models.DecimalField(
        **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    paid = models.DecimalField(
        **MONEY,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def outstanding(self) -> Decimal:
        return self.principal - self.paid


class StatusChange(models.Model):
    """One move of a case from one status to another."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        max_length=32, choices=Case.Status.choices, blank=True
    )
    to_status = models.CharField(max_length=32, choices=Case.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A transition form sent twice carries the same token: one change results.
    request_token = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class CaseUpdate(models.Model):
    """The partner's monthly report on a case; posted in the chat as a partner note."""

    class Recommendation(models.TextChoices):
        CONTINUE = "continue", _("Continue collection")
        PAYMENT_PLAN = "payment_plan", _("Agree a payment plan")
        LEGAL_ACTION = "legal_action", _("Start legal action")
        SETTLEMENT = "settlement", _("Accept a settlement")
        CLOSE = "close", _("Close the case")
        OTHER = "other", _("Other (see comment)")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # The partner note in the chat that carries the summary.
    message = models.OneToOneField(
        "messaging.Message", on_delete=models.PROTECT, related_name="case_update"
    )
    work_done = models.TextField(_("what was done"), max_length=5000)
    payments_received = models.DecimalField(
        _("payments received"), **MONEY, default=Decimal("0.00")
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=32, choices=Recommendation.choices
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A form sent twice carries the same token: one update results.
    request_token = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["created_at", "id"]
        # The monthly job reads each active case's latest update.
        indexes = [
            models.Index(fields=["case", "created_at"], name="case_update_latest")
        ]

    def __str__(self) -> str:
        return f"Update of case {self.case_id} on {self.created_at:%Y-%m-%d}"
