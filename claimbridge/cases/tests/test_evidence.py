"""The evidence export: one ZIP with the case PDF, the files and their SHA-256 sums."""

import hashlib
import io
import re
import zipfile
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from claimbridge.audit.models import AuditEvent
from claimbridge.cases import evidence, services
from claimbridge.cases.models import Case, StatusChange
from claimbridge.core.testing import (
    checked_upload,
    claim_line,
    pdf_bytes,
    submit,
    working_browser,
)
from claimbridge.documents.models import Document
from claimbridge.messaging.models import Message
from conftest import membership_of

pytestmark = pytest.mark.django_db

INVOICE = pdf_bytes("Invoice INV-1001 Nordlys Møbler")
INVOICE_REMINDER = pdf_bytes("Reminder for INV-1001")
DELIVERY_NOTE = "Leveret 2026-01-05, kvitteret af J. Østergaard.\n".encode()


# --- helpers ------------------------------------------------------------------


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def evidence_url(case) -> str:
    return reverse("cases:evidence", args=[case.pk])


def post(case, user, body, uploads=()):
    return services.post_case_message(
        case_id=case.pk,
        actor=user,
        membership=membership_of(user),
        body=body,
        uploads=list(uploads),
    )


def move(case, user, to_status, **fields):
    return services.change_case_status(
        case_id=case.pk,
        actor=user,
        membership=membership_of(user),
        to_status=to_status,
        expected_status=Case.objects.get(pk=case.pk).status,
        **fields,
    )


def body(n: int) -> str:
    return f"Message {n:02d} about invoice INV-{1000 + n}"


def download(user, case) -> tuple[bytes, zipfile.ZipFile]:
    response = browser(user).get(evidence_url(case))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    return data, zipfile.ZipFile(io.BytesIO(data))


def pdf_text(archive: zipfile.ZipFile, case) -> str:
    reader = PdfReader(io.BytesIO(archive.read(f"case-{case.reference}.pdf")))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split())


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


def checksums(archive: zipfile.ZipFile) -> dict[str, str]:
    lines = archive.read("SHA256SUMS").decode().splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines)}


@pytest.fixture
def full_case(manager, agent, partner_org):
    """3 files, 20 posted messages and 8 status records, made by the real services."""
    case = submit(
        manager,
        partner_org,
        lines=[claim_line("1200.00", 1), claim_line("450.50", 2, paid="50.00")],
    )
    files = {
        3: [checked_upload("invoice.pdf", INVOICE, kind="invoice")],
        7: [checked_upload("..\\..\\Leveringsbevis ø.txt", DELIVERY_NOTE)],
        12: [checked_upload("invoice.pdf", INVOICE_REMINDER, kind="correspondence")],
    }
    steps = {
        2: (agent, Case.Status.MORE_INFO_REQUIRED, {"message": "Send the contract."}),
        5: (agent, Case.Status.ACTIVE, {}),
        8: (agent, Case.Status.PAUSED, {"reason": "Debtor asked for two weeks."}),
        11: (agent, Case.Status.ACTIVE, {}),
        14: (agent, Case.Status.MORE_INFO_REQUIRED, {"message": "Proof of delivery?"}),
        17: (agent, Case.Status.ACTIVE, {}),
    }
    for n in range(1, 21):
        author = manager if n % 2 else agent
        post(case, author, body(n), files.get(n, ()))
        if n in steps:
            user, to_status, fields = steps[n]
            move(case, user, to_status, **fields)
    move(
        case,
        agent,
        Case.Status.CLOSED,
        close_code=Case.CloseCode.UNECONOMICAL,
        close_comment="Debtor has no assets.",
    )
    return case


@pytest.fixture
def small_case(manager, partner_org):
    case = submit(manager, partner_org)
    post(case, manager, "Invoice attached.", [checked_upload("invoice.pdf", INVOICE)])
    return case


# --- contents -----------------------------------------------------------------


def test_evidence_zip_holds_the_pdf_every_file_and_their_checksums(full_case, manager):
    assert Message.objects.filter(case=full_case, kind="message").count() >= 20
    assert StatusChange.objects.filter(case=full_case).count() == 8

    data, archive = download(manager, full_case)

    assert archive.testzip() is None
    assert archive.namelist() == [
        "files/01-invoice.pdf",
        "files/02-Leveringsbevis ø.txt",
        "files/03-invoice.pdf",
        f"case-{full_case.reference}.pdf",
        "SHA256SUMS",
    ]
    assert archive.read("files/01-invoice.pdf") == INVOICE
    assert archive.read("files/02-Leveringsbevis ø.txt") == DELIVERY_NOTE
    assert archive.read("files/03-invoice.pdf") == INVOICE_REMINDER
    sums = checksums(archive)
    assert set(sums) == set(archive.namelist()) - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    recorded = set(
        Document.objects.filter(case=full_case).values_list("sha256", flat=True)
    )
    assert recorded == {sums[n] for n in sums if n.startswith("files/")}


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "/etc/passwd", "..\\..\\boot.ini", "..", " .hidden", "a/../b"],
)
def test_zip_entry_names_stay_inside_the_archive(name):
    entry = evidence.zip_entry_name(7, 2, name)

    assert entry.startswith("files/07-")
    assert ".." not in re.split(r"[\\/]", entry)
    assert entry.count("/") == 1


def test_evidence_pdf_holds_every_message_status_change_and_hash(full_case, agent):
    _data, archive = download(agent, full_case)
    text = pdf_text(archive, full_case)

    chat = section(text, "4. Communication", "5. Files")
    for message in Message.objects.filter(case=full_case):
        assert " ".join(message.body.split()) in chat
    history = section(text, "3. Status history", "4. Communication")
    expected = Counter(
        f"{Case.Status(s.from_status).label} → {Case.Status(s.to_status).label}"
        for s in StatusChange.objects.filter(case=full_case).exclude(from_status="")
    )
    for change, count in expected.items():
        assert history.count(change) == count
    files = section(text, "5. Files", "6. Audit timeline")
    for digest in Document.objects.filter(case=full_case).values_list(
        "sha256", flat=True
    ):
        assert digest in files
    assert files.count("Verified") == 3
    timeline = text[text.index("6. Audit timeline") :]
    assert timeline.count("File added") == 3
    assert timeline.count("Status changed") == 7


def test_evidence_pdf_names_exporter_and_their_time_zone(
    small_case, agent, partner_org
):
    partner_org.time_zone = "Europe/Stockholm"
    partner_org.save()

    _data, archive = download(agent, small_case)

    text = pdf_text(archive, small_case)
    assert "by Agent Test (Hansen Inkasso)" in text
    assert "for Hansen Inkasso, the collection partner." in text
    assert "All times are in the time zone Europe/Stockholm." in text
    assert "Fjordkant Byg A/S" in text


def test_evidence_pdf_keeps_non_latin_text(manager, partner_org):
    case = submit(manager, partner_org, debtor_company_name="Ødegård Møbler AS")
    post(
        case,
        manager,
        "Должник обещал оплатить до пятницы. Hilsen fra Århus, ärgerlich.",
    )

    _data, archive = download(manager, case)

    text = pdf_text(archive, case)
    assert "Ødegård Møbler AS" in text
    assert "Nordlys Møbler ApS" in text
    assert "Должник обещал оплатить до пятницы. Hilsen fra Århus, ärgerlich." in text


def test_evidence_pdf_falls_back_to_reportlab_vera_without_dejavu(
    manager, partner_org, tmp_path, monkeypatch
):
    monkeypatch.setattr(evidence, "DEJAVU_DIR", tmp_path / "no-dejavu")
    case = submit(manager, partner_org, debtor_company_name="Ødegård Møbler AS")
    post(case, manager, "Hilsen fra Århus, ärgerlich.", [checked_upload("faktura.pdf")])

    _data, archive = download(manager, case)

    text = pdf_text(archive, case)
    assert "Ødegård Møbler AS" in text
    assert "Hilsen fra Århus, ärgerlich." in text
    assert Document.objects.get(case=case).sha256 in text


# --- broken storage and removed files ------------------------------------------


def test_missing_and_altered_files_are_reported_and_the_zip_still_built(
    manager, partner_org
):
    case = submit(manager, partner_org)
    uploads = [
        checked_upload("invoice.pdf", INVOICE),
        checked_upload("Leveringsbevis ø.txt", DELIVERY_NOTE),
        checked_upload("invoice.pdf", INVOICE_REMINDER),
    ]
    post(case, manager, "Three files.", uploads)
    first, second, third = Document.objects.filter(case=case).order_by("id")
    first.file.storage.delete(first.file.name)
    with second.file.storage.open(second.file.name, "wb") as stored:
        stored.write(b"tampered")

    _data, archive = download(manager, case)

    assert "files/01-invoice.pdf" not in archive.namelist()
    assert archive.read("files/02-Leveringsbevis ø.txt") == b"tampered"
    assert archive.read("files/03-invoice.pdf") == INVOICE_REMINDER
    sums = checksums(archive)
    assert sums["files/01-invoice.pdf"] == first.sha256
    assert sums["files/02-Leveringsbevis ø.txt"] == second.sha256
    files = section(pdf_text(archive, case), "5. Files", "6. Audit timeline")
    assert "MISSING" in files
    assert "HASH MISMATCH" in files
    assert hashlib.sha256(b"tampered").hexdigest() in files
    assert third.sha256 in files


def test_removed_file_is_listed_but_not_included(manager, partner_org):
    case = submit(manager, partner_org)
    post(case, manager, "Wrong file, sorry.", [checked_upload("wrong.pdf")])
    # No removal service exists yet; the row is put in the state it would leave.
    Document.objects.filter(case=case).update(
        removed_at=timezone.now(), removed_by=manager
    )

    _data, archive = download(manager, case)

    assert not [n for n in archive.namelist() if n.startswith("files/")]
    assert list(checksums(archive)) == [f"case-{case.reference}.pdf"]
    files = section(pdf_text(archive, case), "5. Files", "6. Audit timeline")
    assert "wrong.pdf" in files
    assert "Removed" in files
    assert "not included" in files


# --- access, audit, response ---------------------------------------------------


@pytest.mark.parametrize("persona", ["outsider", "outsider_partner"])
def test_other_organisations_get_404(small_case, persona, request):
    user = request.getfixturevalue(persona)

    response = browser(user).get(evidence_url(small_case))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.EVIDENCE_EXPORTED
    ).exists()


def test_anonymous_is_sent_to_log_in(small_case):
    response = Client().get(evidence_url(small_case))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_export_is_a_zip_download_and_recorded_in_the_audit_trail(
    small_case, manager, client_org
):
    response = browser(manager).get(evidence_url(small_case))
    data = b"".join(response.streaming_content)

    assert response["Content-Type"] == "application/zip"
    assert response["X-Content-Type-Options"] == "nosniff"
    today = client_org.local_today()
    assert response["Content-Disposition"] == (
        f'attachment; filename="evidence-{small_case.reference}-{today:%Y%m%d}.zip"'
    )
    event = AuditEvent.objects.get(
        case=small_case, action=AuditEvent.Action.EVIDENCE_EXPORTED
    )
    assert (event.actor, event.organisation) == (manager, client_org)
    assert event.changes["sha256"] == hashlib.sha256(data).hexdigest()


def test_export_query_count_does_not_grow_with_messages_and_files(
    manager, agent, partner_org
):
    small = submit(manager, partner_org)
    post(small, manager, "One", [checked_upload("one.pdf")])
    large = submit(manager, partner_org)
    for n in range(1, 11):
        post(large, manager if n % 2 else agent, body(n), [checked_upload(f"f{n}.pdf")])
    client = working_browser(manager)

    counts = []
    for case in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(evidence_url(case))
            b"".join(response.streaming_content)
        counts.append(len(queries))

    assert counts[0] == counts[1] < 30


def test_case_page_links_to_the_evidence_export(small_case, agent):
    response = browser(agent).get(reverse("cases:detail", args=[small_case.pk]))

    assert f'href="{evidence_url(small_case)}"' in response.content.decode()
