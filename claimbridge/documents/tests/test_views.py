"""Downloading case files: only for the two parties, under the name it was given."""

from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from claimbridge.cases import services
from claimbridge.core.testing import checked_upload, pdf_bytes, submit
from claimbridge.documents.models import Document
from conftest import membership_of

pytestmark = pytest.mark.django_db

UNICODE_NAMES = ["Zahlungsbestätigung.pdf", "счёт №17.pdf", "請求書.pdf"]


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def download_url(document) -> str:
    return reverse("documents:download", args=[document.pk])


def content_of(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def case(manager, partner_org):
    return submit(manager, partner_org)


@pytest.fixture
def invoice():
    """The bytes of one PDF (reportlab stamps each rendering differently)."""
    return pdf_bytes("Invoice INV-1001")


@pytest.fixture
def document(case, manager, invoice):
    [document] = services.upload_case_documents(
        case_id=case.pk,
        actor=manager,
        membership=membership_of(manager),
        uploads=[checked_upload("invoice-1001.pdf", invoice)],
    )
    return document


@pytest.mark.parametrize(
    "persona", ["manager", "client_member", "agent", "agent_colleague"]
)
def test_both_parties_download_the_file(document, invoice, persona, request):
    user = request.getfixturevalue(persona)

    response = browser(user).get(download_url(document))

    assert response.status_code == 200
    assert content_of(response) == invoice


@pytest.mark.parametrize("persona", ["outsider", "outsider_partner"])
def test_other_organisation_gets_404_for_the_file(document, persona, request):
    user = request.getfixturevalue(persona)

    response = browser(user).get(download_url(document))

    assert response.status_code == 404
    assert b"%PDF" not in response.content


def test_anonymous_user_is_redirected_to_log_in(document):
    response = Client().get(download_url(document))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_file_is_served_as_a_download_never_inline(document, agent):
    response = browser(agent).get(download_url(document))

    assert response["Content-Disposition"] == 'attachment; filename="invoice-1001.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    # Opened in a tab anyway, the file may run no script and reach no cookie.
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("stored_type", ["text/html", "image/svg+xml", ""])
def test_type_outside_the_allow_list_is_sent_as_octet_stream(
    document, agent, stored_type
):
    # A row from before a type left the allow list, or written by other code.
    Document.objects.filter(pk=document.pk).update(content_type=stored_type)

    response = browser(agent).get(download_url(document))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="invoice-1001.pdf"'
    assert response["Content-Security-Policy"] == "sandbox"


@pytest.mark.parametrize("media_url", ["", "/", "/media/", "/uploads/"])
def test_stored_file_has_no_public_address(document, agent, settings, media_url):
    settings.MEDIA_URL = media_url
    stored = document.file.name
    assert default_storage.exists(stored)

    response = browser(agent).get("/" + (media_url + stored).lstrip("/"))

    assert response.status_code == 404
    assert b"%PDF" not in response.content


def test_configured_file_storage_lies_outside_the_static_files():
    from config import settings as project_settings

    media = Path(project_settings.MEDIA_ROOT).resolve()
    static = [project_settings.STATIC_ROOT, *project_settings.STATICFILES_DIRS]

    assert not any(media.is_relative_to(Path(folder).resolve()) for folder in static)


@pytest.mark.parametrize("name", UNICODE_NAMES)
def test_file_with_non_latin_name_is_accepted_and_listed_on_case_page(
    case, manager, agent, name
):
    browser(manager).post(
        reverse("cases:upload", args=[case.pk]),
        {"kind": "invoice", "files": [SimpleUploadedFile(name, pdf_bytes(name))]},
    )

    response = browser(agent).get(reverse("cases:detail", args=[case.pk]))

    document = Document.objects.get(case=case)
    assert document.original_name == name
    assert f">{name}</a>" in response.content.decode()


@pytest.mark.parametrize("name", UNICODE_NAMES)
def test_file_with_non_latin_name_downloads_under_same_name_and_bytes(
    case, manager, agent, name
):
    content = pdf_bytes(f"Beleg {name}")
    browser(manager).post(
        reverse("cases:upload", args=[case.pk]),
        {"kind": "invoice", "files": [SimpleUploadedFile(name, content)]},
    )
    document = Document.objects.get(case=case)

    response = browser(agent).get(download_url(document))

    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
    )
    assert content_of(response) == content
