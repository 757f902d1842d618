"""The case pages through the test client: who may do what, and what bad input shows."""

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claimbridge.audit.models import AuditEvent
from claimbridge.cases import services
from claimbridge.cases.models import Case, ClaimLine, StatusChange
from claimbridge.cases.tests.concurrency import (
    post_at_once,
    require_postgresql,
)
from claimbridge.cases.tests.factories import CaseFactory
from claimbridge.core.testing import (
    case_data,
    checked_upload,
    pdf_bytes,
    submit,
    working_browser,
)
from claimbridge.documents.models import Document
from claimbridge.documents.tests.factories import DocumentFactory
from claimbridge.messaging.models import Message
from claimbridge.messaging.tests.factories import MessageFactory
from claimbridge.notifications.models import Notification
from claimbridge.tasks.models import Task
from conftest import membership_of

pytestmark = pytest.mark.django_db

HTML_INVOICE = (
    b"<!DOCTYPE html><html><head><title>Invoice</title></head>"
    b"<body><p>Pay now</p></body></html>"
)
SVG_LOGO = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10"/></svg>'
)


# --- helpers ------------------------------------------------------------------


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def detail_url(case) -> str:
    return reverse("cases:detail", args=[case.pk])


def message_url(case) -> str:
    return reverse("cases:post_message", args=[case.pk])


def upload_url(case) -> str:
    return reverse("cases:upload", args=[case.pk])


def status_url(case, action: str) -> str:
    return reverse("cases:change_status", args=[case.pk, action])


def request_info(case, agent, text="Please send the signed contract."):
    return services.change_case_status(
        case_id=case.pk,
        actor=agent,
        membership=membership_of(agent),
        to_status=Case.Status.MORE_INFO_REQUIRED,
        expected_status=case.status,
        message=text,
    )


def accept(case, agent):
    return services.change_case_status(
        case_id=case.pk,
        actor=agent,
        membership=membership_of(agent),
        to_status=Case.Status.ACTIVE,
        expected_status=Case.objects.get(pk=case.pk).status,
    )


def line_fields(
    index: int,
    amount: str = "19.99",
    *,
    reference: str | None = None,
    issued_on: date | None = None,
    due_on: date | None = None,
    paid: str = "",
) -> dict[str, str]:
    issued_on = issued_on or date.today() - timedelta(days=90)
    due_on = due_on or issued_on + timedelta(days=30)
    return {
        f"lines-{index}-reference": reference or f"INV-{2000 + index}",
        f"lines-{index}-issued_on": issued_on.isoformat(),
        f"lines-{index}-due_on": due_on.isoformat(),
        f"lines-{index}-principal": amount,
        f"lines-{index}-paid": paid,
    }


def submission(partner, lines: list[dict[str, str]], **overrides) -> dict[str, str]:
    """The POST data of the "Submit a case" form, as the browser sends it."""
    data = {k: str(v) for k, v in case_data().items()}
    data.update(
        partner=str(partner.pk),
        document_kind="invoice",
        request_token=str(uuid.uuid4()),
    )
    data["lines-TOTAL_FORMS"] = str(len(lines))
    data["lines-INITIAL_FORMS"] = "0"
    data["lines-MIN_NUM_FORMS"] = "1"
    data["lines-MAX_NUM_FORMS"] = "200"
    for fields in lines:
        data.update(fields)
    data.update({k: str(v) for k, v in overrides.items()})
    return data


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> dict:
    """A multipart body written by hand, so a file name reaches the server as sent.

    The test client's own encoder keeps only the base name of a file; browsers and
    attackers can send any name.
    """
    boundary = "claimbridge-test-boundary-7d1f"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for field, filename, content in files:
        parts.append(
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{field}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return {
        "data": b"".join(parts),
        "content_type": f"multipart/form-data; boundary={boundary}",
    }


def state_of(case) -> dict:
    """What an attempt on a case could change."""
    case.refresh_from_db()
    return {
        "status": case.status,
        "status_changes": StatusChange.objects.filter(case=case).count(),
        "messages": Message.objects.filter(case=case).count(),
        "documents": Document.objects.filter(case=case).count(),
        "notifications": Notification.objects.filter(case=case).count(),
        "tasks": sorted(Task.objects.filter(case=case).values_list("kind", "state")),
        "events": AuditEvent.objects.filter(case=case).count(),
    }


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def case(manager, partner_org):
    """A case of Nordlys Møbler, submitted to Hansen Inkasso, pending verification."""
    return submit(manager, partner_org)


@pytest.fixture
def info_requested(case, agent, client_member):
    """The case after Hansen Inkasso asked the client for the signed contract."""
    return request_info(case, agent)


def info_task(case) -> Task:
    return Task.objects.get(case=case, kind=Task.Kind.PROVIDE_INFORMATION)


# --- 1. the info-request task closes on client activity ----------------------


def test_client_message_on_case_page_closes_info_task(info_requested, manager):
    response = browser(manager).post(
        message_url(info_requested), {"body": "The signed contract is attached."}
    )

    assert response.status_code == 302
    task = info_task(info_requested)
    assert task.state == Task.State.DONE
    assert task.closed_by == manager
    assert task.closed_by_message.body == "The signed contract is attached."


def test_client_file_sent_in_chat_without_text_closes_info_task(
    info_requested, manager
):
    response = browser(manager).post(
        message_url(info_requested),
        {
            "body": "",
            "files": [SimpleUploadedFile("contract.pdf", pdf_bytes("Contract"))],
        },
    )

    assert response.status_code == 302
    task = info_task(info_requested)
    assert task.state == Task.State.DONE
    assert [d.original_name for d in task.closed_by_message.attachments.all()] == [
        "contract.pdf"
    ]


def test_client_upload_with_upload_form_closes_info_task(info_requested, manager):
    response = browser(manager).post(
        upload_url(info_requested),
        {
            "kind": Document.Kind.CONTRACT,
            "files": [SimpleUploadedFile("contract.pdf", pdf_bytes("Contract"))],
        },
    )

    assert response.status_code == 302
    task = info_task(info_requested)
    assert task.state == Task.State.DONE
    assert task.closed_by == manager
    assert "contract.pdf" in task.resolution


def test_partner_message_leaves_info_task_open(info_requested, agent):
    response = browser(agent).post(
        message_url(info_requested), {"body": "Any news on the contract?"}
    )

    assert response.status_code == 302
    assert info_task(info_requested).state == Task.State.OPEN


def test_partner_upload_leaves_info_task_open(info_requested, agent):
    response = browser(agent).post(
        upload_url(info_requested),
        {"kind": "other", "files": [SimpleUploadedFile("checklist.pdf", pdf_bytes())]},
    )

    assert response.status_code == 302
    assert info_task(info_requested).state == Task.State.OPEN


# --- 2. tenancy ---------------------------------------------------------------

ACTION_DATA = {
    "request-info": {"message": "Send the contract."},
    "accept": {},
    "pause": {"reason": "Payment plan agreed."},
    "resume": {},
    "close": {"outcome": "none", "close_code": "other", "close_comment": "Done."},
    "withdraw": {"confirmed": "on"},
}


def _attempts(case) -> dict:
    """Every write URL of a case, with the data a party would send to it."""
    attempts = {
        "post message": (message_url(case), {"body": "Hello from elsewhere."}),
        "upload": (
            upload_url(case),
            {"kind": "other", "files": [SimpleUploadedFile("x.pdf", pdf_bytes())]},
        ),
    }
    for action, data in ACTION_DATA.items():
        attempts[action] = (
            status_url(case, action),
            {
                "expected_status": case.status,
                "request_token": str(uuid.uuid4()),
                **data,
            },
        )
    attempts["edit"] = (
        reverse("cases:edit", args=[case.pk]),
        {"client_reference": "CHANGED", "debtor_city": "Odense"},
    )
    attempts["correct claim"] = (
        reverse("cases:correct_line", args=[case.pk]),
        {
            "line": case.claim_lines.get().pk,
            "principal": "1.00",
            "paid": "0",
            "reason": "x",
        },
    )
    attempts["merge"] = (
        reverse("cases:merge", args=[case.pk]),
        {"cases": [case.pk], "confirmed": "on"},
    )
    return attempts


WRITE_ATTEMPTS = [
    "post message",
    "upload",
    *ACTION_DATA,
    "edit",
    "correct claim",
    "merge",
]
READ_URLS = ["detail", "chat", "evidence", "edit", "merge"]


@pytest.fixture
def case_with_file(case, manager):
    services.upload_case_documents(
        case_id=case.pk,
        actor=manager,
        membership=membership_of(manager),
        uploads=[checked_upload("invoice.pdf")],
    )
    return case


@pytest.mark.parametrize("persona", ["outsider", "outsider_partner"])
@pytest.mark.parametrize("url_name", READ_URLS)
def test_other_organisation_gets_404_for_every_page_of_the_case(
    case_with_file, persona, url_name, request
):
    user = request.getfixturevalue(persona)
    before = state_of(case_with_file)

    response = browser(user).get(reverse(f"cases:{url_name}", args=[case_with_file.pk]))

    assert response.status_code == 404
    assert case_with_file.debtor_name.encode() not in response.content
    assert state_of(case_with_file) == before


@pytest.mark.parametrize("persona", ["outsider", "outsider_partner"])
@pytest.mark.parametrize("attempt", WRITE_ATTEMPTS)
def test_other_organisation_gets_404_for_every_case_action_and_changes_nothing(
    case_with_file, persona, attempt, request, settings
):
    user = request.getfixturevalue(persona)
    url, data = _attempts(case_with_file)[attempt]
    before = state_of(case_with_file)
    files_before = stored_files(settings)

    response = browser(user).post(url, data)

    assert response.status_code == 404
    assert state_of(case_with_file) == before
    assert stored_files(settings) == files_before


def test_partner_not_assigned_cannot_see_case(
    case, outsider_partner, other_partner_org
):
    assert "DK" in other_partner_org.covered_countries

    response = browser(outsider_partner).get(detail_url(case))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "method, url_name",
    [
        ("get", "detail"),
        ("post", "post_message"),
        ("post", "upload"),
        ("post", "request-info"),
        ("post", "accept"),
        ("get", "list"),
        ("get", "new"),
    ],
)
def test_anonymous_user_is_redirected_to_log_in(case, method, url_name):
    if url_name in ACTION_DATA:
        url = status_url(case, url_name)
    elif url_name in ("list", "new"):
        url = reverse(f"cases:{url_name}")
    else:
        url = reverse(f"cases:{url_name}", args=[case.pk])
    before = state_of(case)

    response = getattr(Client(), method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    assert state_of(case) == before


@pytest.fixture
def other_clients_case(outsider, other_partner_org):
    """A case of Brennwerk GmbH (another client) at another partner."""
    return submit(
        outsider,
        other_partner_org,
        debtor_company_name="Kessler Metallbau GmbH",
        debtor_country="DE",
        debtor_phone="+4930123456",
        client_reference="BW-77",
        currency="EUR",
    )


def test_case_list_shows_only_the_organisations_own_cases(
    manager, partner_org, other_clients_case
):
    own = [submit(manager, partner_org), submit(manager, partner_org)]

    response = browser(manager).get(reverse("cases:list"))

    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == 2
    assert {c.pk for c in page.object_list} == {c.pk for c in own}
    assert b"Kessler Metallbau" not in response.content
    assert other_clients_case.reference.encode() not in response.content


@pytest.mark.parametrize("query", ["Kessler", "BW-77", "INV-1001"])
def test_search_never_finds_another_organisations_case(
    manager, case, other_clients_case, query
):
    response = browser(manager).get(reverse("cases:list"), {"q": query})

    assert other_clients_case.pk not in {
        c.pk for c in response.context["page"].object_list
    }
    assert b"Kessler Metallbau" not in response.content


def test_search_by_reference_of_another_organisations_case_finds_nothing(
    manager, case, other_clients_case
):
    response = browser(manager).get(
        reverse("cases:list"), {"q": other_clients_case.reference}
    )

    assert response.context["page"].paginator.count == 0
    assert b"No cases match these filters." in response.content


def test_partner_case_list_shows_only_cases_assigned_to_it(
    agent, case, outsider_partner, other_clients_case
):
    response = browser(outsider_partner).get(reverse("cases:list"))

    assert [c.pk for c in response.context["page"].object_list] == [
        other_clients_case.pk
    ]
    assert case.debtor_name.encode() not in response.content


# --- 3. bad input: a clear message, status 400, nothing changed ----------------


def test_info_request_without_message_is_refused_with_message(case, agent):
    before = state_of(case)

    response = browser(agent).post(
        status_url(case, "request-info"),
        {
            "expected_status": case.status,
            "request_token": str(uuid.uuid4()),
            "message": "",
        },
    )

    assert response.status_code == 400
    assert "Write what information is needed and why." in response.content.decode()
    assert state_of(case) == before


@pytest.mark.parametrize("endpoint", ["message", "upload"])
@pytest.mark.parametrize(
    "name, content",
    [("invoice.pdf", HTML_INVOICE), ("logo.svg", SVG_LOGO)],
    ids=["html-named-pdf", "svg"],
)
def test_file_of_unaccepted_content_is_refused_with_message(
    info_requested, manager, endpoint, name, content, settings
):
    before = state_of(info_requested)
    url = (
        message_url(info_requested)
        if endpoint == "message"
        else upload_url(info_requested)
    )

    response = browser(manager).post(
        url, {"kind": "other", "body": "", "files": [SimpleUploadedFile(name, content)]}
    )

    assert response.status_code == 400
    assert (
        f"“{name}” contains HTML, XML or SVG markup. Such files are not accepted."
        in response.content.decode()
    )
    assert state_of(info_requested) == before
    assert stored_files(settings) == []


def test_file_over_size_limit_is_refused_with_the_limit_in_message(
    info_requested, manager, settings
):
    settings.DOCUMENT_MAX_BYTES = 1000
    before = state_of(info_requested)

    response = browser(manager).post(
        upload_url(info_requested),
        {
            "kind": "other",
            "files": [SimpleUploadedFile("scan.pdf", pdf_bytes() + b" " * 1000)],
        },
    )

    assert response.status_code == 400
    assert (
        "“scan.pdf” is larger than 0.00095 MB, the largest file accepted."
        in response.content.decode()
    )
    assert state_of(info_requested) == before


def test_file_of_25_mb_and_one_byte_is_refused_with_message(
    info_requested, manager, settings
):
    assert settings.DOCUMENT_MAX_BYTES == 25 * 1024 * 1024
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n" + bytes(25 * 1024 * 1024 - 8))
    assert big.size == 25 * 1024 * 1024 + 1
    before = state_of(info_requested)

    response = browser(manager).post(
        upload_url(info_requested), {"kind": "other", "files": [big]}
    )

    assert response.status_code == 400
    assert (
        "“scan.pdf” is larger than 25 MB, the largest file accepted."
        in response.content.decode()
    )
    assert state_of(info_requested) == before
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    "sent_name, shown_name",
    [("../../x.pdf", "x.pdf"), ("..\\..\\x.pdf", "x.pdf"), ("/etc/passwd", "passwd")],
)
def test_path_in_uploaded_file_name_is_dropped(
    info_requested, manager, sent_name, shown_name, settings
):
    request = multipart({"kind": "other"}, [("files", sent_name, pdf_bytes())])

    response = browser(manager).post(upload_url(info_requested), **request)

    assert response.status_code == 302
    document = Document.objects.get(case=info_requested)
    assert document.original_name == shown_name
    assert re.fullmatch(r"documents/\d{4}/\d{2}/[0-9a-f]{32}", document.file.name)
    assert (
        Path(document.file.path)
        .resolve()
        .is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    )
    assert [p.name for p in stored_files(settings)] == [Path(document.file.name).name]


def test_accept_on_active_case_is_refused_with_message(case, agent):
    accept(case, agent)
    before = state_of(case)

    response = browser(agent).post(
        status_url(case, "accept"),
        {"expected_status": Case.Status.ACTIVE, "request_token": str(uuid.uuid4())},
    )

    assert response.status_code == 400
    assert (
        "A case that is “Active” cannot be moved to “Active” by you."
        in response.content.decode()
    )
    assert state_of(case) == before


def test_accept_of_case_changed_meanwhile_says_so(case, agent, agent_colleague):
    accept(case, agent_colleague)
    before = state_of(case)

    response = browser(agent).post(
        status_url(case, "accept"),
        {
            "expected_status": Case.Status.PENDING_VERIFICATION,
            "request_token": str(uuid.uuid4()),
        },
    )

    assert response.status_code == 400
    assert "The case changed meanwhile." in response.content.decode()
    assert state_of(case) == before


def test_client_asking_for_info_is_refused_with_message(case, manager):
    before = state_of(case)

    response = browser(manager).post(
        status_url(case, "request-info"),
        {
            "expected_status": case.status,
            "request_token": str(uuid.uuid4()),
            "message": "Please hurry.",
        },
    )

    assert response.status_code == 400
    assert (
        "A case that is “Pending verification” cannot be moved to "
        "“More info required” by you." in response.content.decode()
    )
    assert state_of(case) == before


def test_message_on_closed_case_is_refused_with_message(case, manager):
    services.change_case_status(
        case_id=case.pk,
        actor=manager,
        membership=membership_of(manager),
        to_status=Case.Status.CLOSED,
        expected_status=Case.Status.PENDING_VERIFICATION,
    )
    before = state_of(case)

    response = browser(manager).post(message_url(case), {"body": "One more thing."})

    assert response.status_code == 400
    assert "The case is closed: no new messages." in response.content.decode()
    assert state_of(case) == before


@pytest.mark.parametrize(
    "lines, overrides, expected",
    [
        ([], {}, "Add at least one claim line."),
        (
            [line_fields(0, issued_on=date.today() + timedelta(days=30))],
            {},
            "issue date cannot be in the future.",
        ),
        ([line_fields(0, "abc")], {}, "Enter a number."),
        (
            [line_fields(0)],
            {"debtor_country": "DE"},
            "Hansen Inkasso does not take cases for debtors in this country.",
        ),
    ],
    ids=["no-claim-line", "issue-date-in-future", "amount-abc", "partner-not-covering"],
)
def test_invalid_submission_is_shown_again_with_message_and_creates_nothing(
    manager, partner_org, agent, lines, overrides, expected, settings
):
    data = submission(partner_org, lines, **overrides)

    response = browser(manager).post(
        reverse("cases:new"),
        {**data, "files": [SimpleUploadedFile("invoice.pdf", pdf_bytes())]},
    )

    assert response.status_code == 400
    assert expected in response.content.decode()
    assert Case.objects.count() == 0
    assert ClaimLine.objects.count() == 0
    assert Document.objects.count() == 0
    assert Notification.objects.count() == 0
    assert Task.objects.count() == 0
    assert not AuditEvent.objects.exclude(
        action=AuditEvent.Action.USER_LOGGED_IN
    ).exists()
    assert stored_files(settings) == []


# --- 4. money -----------------------------------------------------------------

TYPED_AMOUNTS = ["19.99", "8.20", "4.56", "0.29"]


def test_typed_amounts_are_stored_exactly(manager, partner_org):
    lines = [line_fields(i, amount) for i, amount in enumerate(TYPED_AMOUNTS)]

    response = browser(manager).post(
        reverse("cases:new"), submission(partner_org, lines)
    )

    assert response.status_code == 302
    case = Case.objects.get()
    stored = list(
        case.claim_lines.order_by("reference").values_list("principal", flat=True)
    )
    assert stored == [Decimal(a) for a in TYPED_AMOUNTS]
    assert case.total_principal == Decimal("33.04")


def test_typed_amounts_are_shown_exactly_on_case_page(manager, partner_org):
    lines = [line_fields(i, amount) for i, amount in enumerate(TYPED_AMOUNTS)]
    user = browser(manager)
    user.post(reverse("cases:new"), submission(partner_org, lines))

    response = user.get(detail_url(Case.objects.get()))

    html = response.content.decode()
    for amount in TYPED_AMOUNTS:
        assert f'<td class="num">{amount}</td>' in html
    assert 'data-testid="total-principal">33.04<' in html


def test_three_claim_lines_of_19_99_total_59_97_on_case_page(manager, partner_org):
    lines = [line_fields(i, "19.99") for i in range(3)]
    user = browser(manager)
    user.post(reverse("cases:new"), submission(partner_org, lines))
    case = Case.objects.get()

    response = user.get(detail_url(case))

    assert case.total_principal == Decimal("59.97")
    assert 'data-testid="total-principal">59.97<' in response.content.decode()


def test_amount_with_decimal_comma_is_read_as_decimal_point(manager, partner_org):
    response = browser(manager).post(
        reverse("cases:new"), submission(partner_org, [line_fields(0, "8,20")])
    )

    assert response.status_code == 302
    assert ClaimLine.objects.get().principal == Decimal("8.20")


# --- 6. a form sent twice is done once -----------------------------------------


def test_submission_sent_twice_creates_one_case(
    manager, partner_org, agent, agent_colleague
):
    data = submission(partner_org, [line_fields(0, "19.99")])
    user = browser(manager)

    first = user.post(reverse("cases:new"), data)
    second = user.post(reverse("cases:new"), data)

    case = Case.objects.get()
    assert first["Location"] == second["Location"] == detail_url(case)
    assert StatusChange.objects.filter(case=case).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CASE_CREATED).count() == 1
    assert Task.objects.filter(case=case).count() == 1
    assert sorted(Notification.objects.values_list("recipient__email", flat=True)) == [
        agent.email,
        agent_colleague.email,
    ]


def test_accept_sent_twice_changes_status_once(case, agent, manager, client_member):
    data = {
        "expected_status": Case.Status.PENDING_VERIFICATION,
        "request_token": str(uuid.uuid4()),
    }
    user = browser(agent)

    first = user.post(status_url(case, "accept"), data)
    second = user.post(status_url(case, "accept"), data)

    assert (first.status_code, second.status_code) == (302, 302)
    assert (
        StatusChange.objects.filter(case=case, to_status=Case.Status.ACTIVE).count()
        == 1
    )
    assert (
        AuditEvent.objects.filter(
            case=case, action=AuditEvent.Action.CASE_STATUS_CHANGED
        ).count()
        == 1
    )
    changes = Notification.objects.filter(
        case=case, kind=Notification.Kind.STATUS_CHANGED
    )
    assert sorted(n.recipient.email for n in changes) == [
        client_member.email,
        manager.email,
    ]


def test_message_sent_twice_posts_once_and_notifies_once(
    case, manager, agent, agent_colleague
):
    data = {"body": "The contract is attached.", "request_token": str(uuid.uuid4())}
    user = browser(manager)

    user.post(message_url(case), data)
    user.post(message_url(case), data)

    assert (
        Message.objects.filter(case=case, body="The contract is attached.").count() == 1
    )
    mails = Notification.objects.filter(
        case=case, kind=Notification.Kind.MESSAGE_POSTED
    )
    assert sorted(n.recipient.email for n in mails) == [
        agent.email,
        agent_colleague.email,
    ]


def test_upload_sent_twice_stores_the_files_once(case, manager, agent):
    token = str(uuid.uuid4())
    user = browser(manager)

    for _attempt in range(2):
        user.post(
            reverse("cases:upload", args=[case.pk]),
            {
                "kind": "contract",
                "request_token": token,
                "files": [SimpleUploadedFile("Contract.pdf", pdf_bytes())],
            },
        )

    assert list(
        Document.objects.filter(case=case).values_list("original_name", flat=True)
    ) == ["Contract.pdf"]
    assert (
        Notification.objects.filter(
            case=case, kind=Notification.Kind.MESSAGE_POSTED, recipient=agent
        ).count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_same_accept_posted_twice_at_once_changes_status_once(
    manager, agent, partner_org
):
    require_postgresql()
    case = submit(manager, partner_org)
    data = {
        "expected_status": Case.Status.PENDING_VERIFICATION,
        "request_token": str(uuid.uuid4()),
    }

    results = post_at_once(
        [browser(agent), browser(agent)], status_url(case, "accept"), data, case.pk
    )

    assert [getattr(r, "status_code", r) for r in results] == [302, 302]
    assert (
        StatusChange.objects.filter(case=case, to_status=Case.Status.ACTIVE).count()
        == 1
    )
    assert (
        AuditEvent.objects.filter(
            case=case, action=AuditEvent.Action.CASE_STATUS_CHANGED
        ).count()
        == 1
    )
    assert (
        Notification.objects.filter(
            case=case, kind=Notification.Kind.STATUS_CHANGED
        ).count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_same_message_posted_twice_at_once_posts_once(
    manager, agent, agent_colleague, partner_org
):
    require_postgresql()
    case = submit(manager, partner_org)
    data = {"body": "The contract is attached.", "request_token": str(uuid.uuid4())}

    results = post_at_once(
        [browser(manager), browser(manager)], message_url(case), data, case.pk
    )

    assert [getattr(r, "status_code", r) for r in results] == [302, 302]
    assert Message.objects.filter(case=case, kind=Message.Kind.MESSAGE).count() == 1
    mails = Notification.objects.filter(
        case=case, kind=Notification.Kind.MESSAGE_POSTED
    )
    assert sorted(n.recipient.email for n in mails) == [
        agent.email,
        agent_colleague.email,
    ]


# --- 7. query counts do not grow with the data ----------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_case_list_queries_do_not_grow_with_cases(manager, client_org, partner_org):
    user = working_browser(manager)
    CaseFactory.create_batch(5, client=client_org, partner=partner_org)
    with_5 = _queries(user, reverse("cases:list"))

    CaseFactory.create_batch(45, client=client_org, partner=partner_org)
    with_50 = _queries(user, reverse("cases:list"))

    assert with_50 == with_5
    assert with_50 <= 12


def _add_chat(case, count: int, author, organisation) -> None:
    for _ in range(count):
        document = DocumentFactory(
            case=case, organisation=organisation, uploaded_by=author
        )
        message = MessageFactory(case=case, author=author, organisation=organisation)
        message.attachments.add(document)
        AuditEvent.objects.create(
            action=AuditEvent.Action.MESSAGE_POSTED,
            actor=author,
            organisation=organisation,
            case=case,
            summary=message.body,
        )


def test_case_page_queries_do_not_grow_with_messages_and_files(
    manager, agent, client_org, partner_org, case
):
    user = working_browser(manager)
    _add_chat(case, 5, manager, client_org)
    CaseFactory.create_batch(5, client=client_org, partner=partner_org)
    with_5 = _queries(user, detail_url(case))

    _add_chat(case, 45, agent, partner_org)
    CaseFactory.create_batch(45, client=client_org, partner=partner_org)
    with_50 = _queries(user, detail_url(case))

    assert with_50 == with_5
    assert with_50 <= 20


# --- 8. the timeline ------------------------------------------------------------


def _timeline_entries(html: str) -> list[str]:
    timeline = re.search(
        r'<ol class="timeline" data-testid="timeline">(.*?)</ol>', html, re.S
    )
    assert timeline is not None
    return [
        re.sub(r"\s+", " ", li)
        for li in re.findall(r"<li>(.*?)</li>", timeline.group(1), re.S)
    ]


def test_case_page_timeline_shows_every_step_with_its_actor(
    case, manager, agent, client_member
):
    request_info(case, agent)
    browser(client_member).post(
        upload_url(case),
        {
            "kind": "contract",
            "files": [SimpleUploadedFile("contract.pdf", pdf_bytes())],
        },
    )
    accept(case, agent)

    response = browser(manager).get(detail_url(case))

    entries = _timeline_entries(response.content.decode())
    expected = [
        ("Case submitted", "Manager Test"),
        ("Task opened", "Manager Test"),
        ("Status changed", "Agent Test"),
        ("Message posted", "Agent Test"),
        ("Task done", "Agent Test"),
        ("Task opened", "Agent Test"),
        ("File added", "Clerk Test"),
        ("Task done", "Clerk Test"),
        ("Status changed", "Agent Test"),
    ]
    assert len(entries) == len(expected)
    for entry, (action, actor) in zip(entries, expected, strict=True):
        assert f"<strong>{action}</strong>" in entry
        assert f'<span class="actor">{actor} (' in entry
        assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}T[^"]+">', entry)


def test_case_page_timeline_names_each_actor_with_their_own_organisation(
    case, manager, agent
):
    request_info(case, agent)

    response = browser(manager).get(detail_url(case))

    actors = {
        re.search(r'<span class="actor">(.*?)</span>', entry).group(1)
        for entry in _timeline_entries(response.content.decode())
    }
    assert actors == {
        "Manager Test (Nordlys Møbler ApS)",
        "Agent Test (Hansen Inkasso)",
    }


# --- the actions of the case page --------------------------------------------


def _action_panels(html: str) -> list[str]:
    return re.findall(r'data-testid="action-([a-z-]+)"', html)


@pytest.mark.parametrize(
    ("persona", "status", "expected"),
    [
        (
            "agent",
            Case.Status.PENDING_VERIFICATION,
            ["request-info", "accept", "close"],
        ),
        ("manager", Case.Status.PENDING_VERIFICATION, ["withdraw"]),
        (
            "agent",
            Case.Status.ACTIVE,
            ["request-info", "pause", "close", "monthly-update"],
        ),
        ("manager", Case.Status.ACTIVE, ["withdraw"]),
        ("agent", Case.Status.PAUSED, ["resume", "close", "monthly-update"]),
        ("agent", Case.Status.CLOSED, []),
        ("manager", Case.Status.CLOSED, []),
    ],
)
def test_case_page_offers_only_the_actions_of_this_side_and_status(
    case, persona, status, expected, request
):
    Case.objects.filter(pk=case.pk).update(status=status)

    html = (
        browser(request.getfixturevalue(persona)).get(detail_url(case)).content.decode()
    )

    assert _action_panels(html) == expected


def test_action_form_is_sent_when_its_panel_opens(case, agent):
    response = browser(agent).get(
        detail_url(case), {"action": "close"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<form")
    assert f'action="{status_url(case, "close")}"' in html
    assert 'name="close_code"' in html
    assert 'value="pending_verification"' in html  # the status it was opened in
    assert "<html" not in html


def test_case_page_without_javascript_opens_the_asked_action(case, agent):
    html = browser(agent).get(detail_url(case), {"action": "accept"}).content.decode()

    assert f'action="{status_url(case, "accept")}"' in html
    assert f'action="{status_url(case, "close")}"' not in html
    assert 'href="?action=close#action-close"' in html


@pytest.mark.parametrize("htmx", [True, False])
def test_action_of_another_organisations_case_is_404(case, outsider, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    response = browser(outsider).get(
        detail_url(case), {"action": "withdraw"}, **headers
    )

    assert response.status_code == 404


@pytest.mark.parametrize("action", ["accept", "explode"])
def test_panel_of_an_action_no_longer_open_says_so(case, manager, action):
    response = browser(manager).get(
        detail_url(case), {"action": action}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert response.content.decode() == (
        '<p class="warning" role="alert">This action is not available any more: '
        "the case is now “Pending verification”. "
        "Reload the page to see what you can do.</p>"
    )


def test_link_to_an_action_no_longer_open_leads_to_the_case_page(case, manager):
    user = browser(manager)

    response = user.get(detail_url(case), {"action": "accept"})
    page = user.get(response["Location"]).content.decode()

    assert response.status_code == 302
    assert response["Location"] == detail_url(case)
    assert "This action is not available any more" in page


def test_closed_case_page_shows_the_recovered_amount(case, agent, manager):
    services.change_case_status(
        case_id=case.pk,
        actor=agent,
        membership=membership_of(agent),
        to_status=Case.Status.CLOSED,
        expected_status=case.status,
        close_code="paid_in_full",
        recovered_amount=Decimal("1634.50"),
    )

    html = browser(manager).get(detail_url(case)).content.decode()

    assert '<span data-testid="recovered">1,634.50 DKK</span>' in html


@pytest.mark.parametrize(
    ("lines", "overrides", "message"),
    [
        (
            [line_fields(0, issued_on=date(1, 1, 1))],
            {},
            "The issue date is before 1900: check the year.",
        ),
        (
            [line_fields(0)],
            {"description": "x" * 10_001},
            "Ensure this value has at most 10000 characters (it has 10001).",
        ),
    ],
)
def test_implausible_submission_is_refused_with_a_message(
    manager, partner_org, lines, overrides, message
):
    data = submission(partner_org, lines)
    data.update(overrides)

    response = browser(manager).post(reverse("cases:new"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Case.objects.count() == 0
