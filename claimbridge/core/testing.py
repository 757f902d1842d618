"""Helpers for tests: small real files and the case workflow in one call."""

import io
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile


def pdf_bytes(text: str = "Invoice INV-1001") -> bytes:
    """A small, valid one-page PDF."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def uploaded(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content)


def checked_upload(name: str, content: bytes | None = None, kind: str = "other") -> Any:
    """An upload that passed validation, as the services take it."""
    from claimbridge.cases.services import Upload
    from claimbridge.documents.validation import check_upload

    file = uploaded(name, content)
    detected = check_upload(file, name=name, size=file.size)
    return Upload(file=file, detected=detected, kind=kind)


def case_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "debtor_kind": "company",
        "debtor_company_name": "Fjordkant Byg A/S",
        "debtor_first_name": "",
        "debtor_last_name": "",
        "debtor_registration_number": "DK12345678",
        "debtor_email": "bogholderi@fjordkant.example",
        "debtor_phone": "+4532123456",
        "debtor_street": "Havnegade 4",
        "debtor_postal_code": "8000",
        "debtor_city": "Aarhus",
        "debtor_country": "DK",
        "currency": "DKK",
        "claim_type": "unpaid_invoice",
        "claim_type_other": "",
        "dispute_state": "not_disputed",
        "dispute_reason": "",
        "client_reference": "NM-2026-017",
        "division": "",
        "description": "Three unpaid invoices for office furniture.",
        "comments_to_partner": "Customer since 2019.",
    }
    data.update(overrides)
    return data


def claim_line(amount: str = "19.99", n: int = 1, paid: str = "0") -> dict[str, Any]:
    return {
        "reference": f"INV-{1000 + n}",
        "issued_on": date.today() - timedelta(days=90),
        "due_on": date.today() - timedelta(days=60),
        "principal": Decimal(amount),
        "paid": Decimal(paid),
    }


def submit(
    user: Any,
    partner: Any,
    *,
    lines: list | None = None,
    request_token: uuid.UUID | None = None,
    **overrides: Any,
) -> Any:
    """Submit a case as `user` (a client member) through the real service."""
    from claimbridge.cases.services import submit_case
    from claimbridge.organisations.models import Membership

    membership = Membership.objects.select_related("organisation").get(user=user)
    return submit_case(
        actor=user,
        membership=membership,
        partner=partner,
        case_data=case_data(**overrides),
        lines=lines or [claim_line()],
        uploads=[],
        request_token=request_token or uuid.uuid4(),
    )


def working_browser(user: Any) -> Any:
    """A logged-in test browser that has opened a page, as in the middle of work.

    Its session's last activity is recorded, so the pages it opens in the next
    minute save no session (accounts.middleware.ACTIVITY_RESOLUTION): what a
    query-count test compares is the page, not the once-a-minute session write.
    """
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    client.get(reverse("cases:list"))
    return client
