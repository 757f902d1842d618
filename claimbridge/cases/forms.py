"""Input shapes of the case pages; the services decide what the input may do."""

import copy
import uuid
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from claimbridge.documents.models import Document
from claimbridge.documents.services import validate_uploads
from claimbridge.documents.validation import RejectedFile
from claimbridge.organisations.models import Organisation

from .models import Case, CaseUpdate
from .services import Upload

# Free texts of a case (description, comments): a few pages at most.
TEXT_LIMIT = 10_000
# Claims older than this are typing mistakes (a year 0001 or 19 instead of 2019).
EARLIEST_ISSUE_DATE = date(1900, 1, 1)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content, not by name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [super(MultipleFileField, self).clean(f, initial) for f in files]
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"])
        limit = settings.DOCUMENT_MAX_FILES_PER_UPLOAD
        if len(files) > limit:
            raise forms.ValidationError(
                _("Attach at most %(limit)d files at a time."), params={"limit": limit}
            )
        total_limit = settings.DOCUMENT_MAX_BYTES_PER_UPLOAD
        if sum(f.size or 0 for f in files) > total_limit:
            raise forms.ValidationError(
                _(
                    "The files together are larger than %(limit)d MB. "
                    "Send them in several parts."
                ),
                params={"limit": total_limit // (1024 * 1024)},
            )
        try:
            detected = validate_uploads(files)
        except RejectedFile as exc:
            raise forms.ValidationError(str(exc)) from exc
        return list(zip(files, detected, strict=True))


class MoneyField(forms.DecimalField):
    """An amount as people type it: 19.99, 19,99 or 1 234.50 — never a float."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        # A text input: a number input refuses "12 450,00" and sends nothing.
        self.widget = forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off"}
        )

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {}

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace("\u00a0", "")
            if "," in value and "." not in value:
                value = value.replace(",", ".")
        try:
            return super().to_python(value)
        except InvalidOperation as exc:  # pragma: no cover - Django wraps this
            raise forms.ValidationError(self.error_messages["invalid"]) from exc


class TokenField(forms.UUIDField):
    """A random token per rendered form, so a form sent twice is done once."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class TokenForm(forms.Form):
    request_token = TokenField()
    # Several forms share the case page: each gets its own element ids.
    id_prefix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("request_token", uuid.uuid4())


def uploads_from(pairs: list[Any], kind: str = Document.Kind.OTHER) -> list[Upload]:
    return [Upload(file=f, detected=d, kind=kind) for f, d in pairs]


class CaseForm(TokenForm):
    partner = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.PARTNER),
        label=_("Collection partner"),
        help_text=_("Partners that take cases for the debtor's country."),
    )
    debtor_kind = forms.ChoiceField(
        choices=Case.DebtorKind.choices, label=_("Debtor is a")
    )
    debtor_company_name = forms.CharField(label=_("Company name"), required=False)
    debtor_first_name = forms.CharField(label=_("First name"), required=False)
    debtor_last_name = forms.CharField(label=_("Last name"), required=False)
    debtor_registration_number = forms.CharField(
        label=_("Registration or VAT number"), required=False
    )
    debtor_email = forms.EmailField(label=_("E-mail"), required=False)
    debtor_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        help_text=_("International form, e.g. +45 32 12 34 56"),
    )
    debtor_street = forms.CharField(label=_("Street"), required=False)
    debtor_postal_code = forms.CharField(label=_("Postal code"), required=False)
    debtor_city = forms.CharField(label=_("City"), required=False)
    debtor_country = LazyTypedChoiceField(choices=countries, label=_("Country"))
    currency = forms.ChoiceField(choices=Case._meta.get_field("currency").choices)
    claim_type = forms.ChoiceField(choices=Case.ClaimType.choices)
    claim_type_other = forms.CharField(label=_("Claim type (other)"), required=False)
    dispute_state = forms.ChoiceField(
        choices=Case.DisputeState.choices, label=_("Dispute")
    )
    dispute_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("The debtor's stated reason"),
    )
    client_reference = forms.CharField(label=_("Your reference"), required=False)
    division = forms.CharField(label=_("Division"), required=False)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=TEXT_LIMIT,
    )
    comments_to_partner = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=TEXT_LIMIT,
        label=_("Comments to the partner"),
    )
    document_kind = forms.ChoiceField(
        choices=Document.Kind.choices,
        initial=Document.Kind.INVOICE,
        label=_("Document type"),
    )
    files = MultipleFileField(label=_("Documents"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("debtor_kind")
        if (
            kind == Case.DebtorKind.COMPANY
            and not data.get("debtor_company_name", "").strip()
        ):
            self.add_error("debtor_company_name", _("Enter the company name."))
        if kind == Case.DebtorKind.PERSON and not (
            data.get("debtor_first_name", "").strip()
            and data.get("debtor_last_name", "").strip()
        ):
            self.add_error("debtor_last_name", _("Enter the first and last name."))
        if data.get("claim_type") == Case.ClaimType.OTHER and not data.get(
            "claim_type_other"
        ):
            self.add_error("claim_type_other", _("Say what kind of claim this is."))
        if data.get("dispute_state") == Case.DisputeState.DISPUTED and not data.get(
            "dispute_reason"
        ):
            self.add_error("dispute_reason", _("Give the debtor's stated reason."))
        return data

    def clean_debtor_phone(self) -> str:
        raw = self.cleaned_data.get("debtor_phone", "").strip()
        if not raw:
            return ""
        try:
            number = phonenumbers.parse(raw, None)
        except phonenumbers.NumberParseException as exc:
            raise forms.ValidationError(
                _("Enter the phone number in international form, e.g. +45 32 12 34 56.")
            ) from exc
        if not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(_("This phone number is not valid."))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def case_data(self) -> dict[str, Any]:
        skip = {"partner", "files", "document_kind", "request_token"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class ClaimLineForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The lines are a table: the column heads are the visible labels.
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))

    reference = forms.CharField(label=_("Invoice number"), max_length=100)
    issued_on = forms.DateField(
        label=_("Issue date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    due_on = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    principal = MoneyField(label=_("Amount"), min_value=Decimal("0.01"))
    paid = MoneyField(label=_("Already paid"), min_value=Decimal("0"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        issued, due = data.get("issued_on"), data.get("due_on")
        # The service checks against the client's own date; this catches typos
        # without refusing "today" in a time zone ahead of UTC.
        if issued and issued > timezone.localdate() + timedelta(days=1):
            self.add_error("issued_on", _("The issue date cannot be in the future."))
        if issued and issued < EARLIEST_ISSUE_DATE:
            self.add_error(
                "issued_on", _("The issue date is before 1900: check the year.")
            )
        if issued and due and due < issued:
            self.add_error("due_on", _("The due date cannot be before the issue date."))
        paid, principal = data.get("paid") or Decimal("0"), data.get("principal")
        if principal is not None and paid > principal:
            self.add_error("paid", _("Already paid cannot exceed the amount."))
        data["paid"] = paid
        return data


class BaseClaimLineFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": _("Add at least one claim line."),
        "too_many_forms": _("A case can have at most 200 claim lines."),
    }


ClaimLineFormSet = forms.formset_factory(
    ClaimLineForm,
    formset=BaseClaimLineFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=200,
    validate_max=True,
)


class MessageForm(TokenForm):
    id_prefix = "message"
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 10_000}),
        required=False,
        max_length=10_000,
    )
    files = MultipleFileField(label=_("Attach files"))
    kind = forms.ChoiceField(
        choices=Document.Kind.choices,
        initial=Document.Kind.OTHER,
        required=False,
        label=_("Type of the attached files"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            not (data.get("body") or "").strip()
            and not data.get("files")
            and not self.errors
        ):
            raise forms.ValidationError(_("Write a message or attach a file."))
        return data


class UploadForm(TokenForm):
    id_prefix = "upload"
    kind = forms.ChoiceField(choices=Document.Kind.choices, label=_("Document type"))
    files = MultipleFileField(label=_("Files"), required=True)


class StatusForm(TokenForm):
    """Base of the status-change forms: carries the status the user saw."""

    expected_status = forms.ChoiceField(
        choices=Case.Status.choices, widget=forms.HiddenInput
    )


class RequestInfoForm(StatusForm):
    id_prefix = "request_info"
    message = forms.CharField(
        label=_("What is needed, and why"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 10_000}),
        max_length=10_000,
        error_messages={"required": _("Write what information is needed and why.")},
    )
    files = MultipleFileField(label=_("Attach files"))


class AcceptForm(StatusForm):
    id_prefix = "accept"


class PauseForm(StatusForm):
    id_prefix = "pause"
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for pausing the case.")},
    )


class ResumeForm(StatusForm):
    id_prefix = "resume"


def _close_code_choices() -> list[Any]:
    return [("", "—")] + [
        (group, [(code, Case.CloseCode(code).label) for code in codes])
        for group, codes in Case.CLOSE_CODE_GROUPS
    ]


class CloseForm(StatusForm):
    id_prefix = "close"
    outcome = forms.ChoiceField(
        choices=Case.Outcome.choices,
        widget=forms.RadioSelect,
        label=_("What was recovered?"),
        error_messages={"required": _("Say whether the claim was recovered.")},
    )
    close_code = forms.ChoiceField(
        choices=_close_code_choices,
        label=_("Close code"),
        error_messages={"required": _("Choose a close code.")},
    )
    close_comment = forms.CharField(
        label=_("Comment to the client"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    recovered_amount = MoneyField(
        label=_("Amount recovered"),
        required=False,
        min_value=Decimal("0"),
        help_text=_("Required when the claim was fully or partially recovered."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        outcome, code = data.get("outcome"), data.get("close_code")
        if outcome and code and code not in Case.OUTCOME_CODES[outcome]:
            self.add_error(
                "close_code",
                _("“%(code)s” does not fit the outcome “%(outcome)s”.")
                % {
                    "code": Case.CloseCode(code).label,
                    "outcome": Case.Outcome(outcome).label,
                },
            )
        return data


class WithdrawForm(StatusForm):
    id_prefix = "withdraw"
    confirmed = forms.BooleanField(
        required=False,
        label=_("I understand that the partner's work stops and fees may be owed."),
    )
    close_comment = forms.CharField(
        label=_("Reason (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class MergeForm(forms.Form):
    cases = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label=_("Cases to merge into this one"),
        error_messages={"required": _("Choose at least one case to merge.")},
    )
    confirmed = forms.BooleanField(
        label=_("I understand that merging cannot be undone."),
        error_messages={"required": _("Confirm that merging cannot be undone.")},
    )

    def __init__(self, *args: Any, candidates: list[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [
            (
                c.pk,
                f"{c.reference} · {c.debtor_name} · "
                f"{c.total_principal} {c.currency} · {c.get_status_display()}",
            )
            for c in candidates
        ]


class EditCaseForm(forms.Form):
    """The case fields a side may edit now; the rest are not offered."""

    def __init__(
        self, *args: Any, case: Case, fields: tuple[str, ...], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in fields:
            if name in CaseForm.base_fields:
                self.fields[name] = copy.deepcopy(CaseForm.base_fields[name])
                value = getattr(case, name)
                self.initial[name] = getattr(value, "code", value)

    def changed_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class CorrectionForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    principal = MoneyField(label=_("Amount"), min_value=Decimal("0.01"))
    paid = MoneyField(label=_("Already paid"), min_value=Decimal("0"))
    reason = forms.CharField(
        label=_("Reason for the correction"), required=False, max_length=500
    )


class MonthlyUpdateForm(TokenForm):
    """The partner's monthly report: what was done, payments, the recommendation."""

    id_prefix = "update"
    work_done = forms.CharField(
        label=_("What was done since the last update"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 5000}),
        max_length=5000,
        error_messages={"required": _("Say what was done since the last update.")},
    )
    payments_received = MoneyField(
        label=_("Payments received since the last update"),
        min_value=Decimal("0"),
        required=False,
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=[("", "—"), *CaseUpdate.Recommendation.choices],
        error_messages={"required": _("Choose a recommendation.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
        max_length=2000,
        required=False,
    )

    def clean_payments_received(self) -> Decimal:
        return self.cleaned_data.get("payments_received") or Decimal("0")


# The status forms by the target status they lead to; the key is the URL part.
STATUS_FORMS: dict[str, tuple[type[StatusForm], str]] = {
    "request-info": (RequestInfoForm, Case.Status.MORE_INFO_REQUIRED),
    "accept": (AcceptForm, Case.Status.ACTIVE),
    "pause": (PauseForm, Case.Status.PAUSED),
    "resume": (ResumeForm, Case.Status.ACTIVE),
    "close": (CloseForm, Case.Status.CLOSED),
    "withdraw": (WithdrawForm, Case.Status.CLOSED),
}
