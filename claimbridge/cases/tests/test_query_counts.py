"""The pages of the benchmark (bench/, docs/performance.md): their SQL stays flat.

Each operation (a)–(f) of `make bench` runs the same number of queries with 5
rows as with 50, and at most 15. Transaction control (BEGIN, COMMIT,
SAVEPOINT…) is not a query here, as in the benchmark's X-Query-Count header:
SQLite issues it as SQL, PostgreSQL does not.

The clock stands still and each browser has opened a page before it is
measured, as in the benchmark's steady state: the session is written at most
once a minute (accounts.middleware.ACTIVITY_RESOLUTION), which would add one
UPDATE to the request that falls on that minute.
"""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claimbridge.audit.models import AuditEvent
from claimbridge.cases.models import Case
from claimbridge.cases.selectors import TIMELINE_WINDOW
from claimbridge.cases.tests.factories import CaseFactory, ClaimLineFactory
from claimbridge.core.middleware import is_transaction_control
from claimbridge.core.testing import working_browser
from claimbridge.documents.tests.factories import DocumentFactory
from claimbridge.messaging.selectors import CHAT_WINDOW
from claimbridge.messaging.tests.factories import MessageFactory
from claimbridge.tasks.models import Task
from claimbridge.tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15


@pytest.fixture(autouse=True)
def _steady_clock():
    with time_machine.travel(datetime(2026, 3, 4, 10, 0, tzinfo=UTC), tick=False):
        yield


browser = working_browser


def queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return sum(
        1 for q in captured.captured_queries if not is_transaction_control(q["sql"])
    )


def cases(client_org, partner_org, count: int) -> None:
    for case in CaseFactory.create_batch(
        count, client=client_org, partner=partner_org, status=Case.Status.ACTIVE
    ):
        ClaimLineFactory(case=case)


def chat(case, count: int, author, organisation) -> None:
    for _ in range(count):
        message = MessageFactory(case=case, author=author, organisation=organisation)
        message.attachments.add(
            DocumentFactory(case=case, organisation=organisation, uploaded_by=author)
        )
        AuditEvent.objects.create(
            action=AuditEvent.Action.MESSAGE_POSTED,
            actor=author,
            organisation=organisation,
            case=case,
            summary=message.body,
        )


def get(user, url: str) -> Callable[[], object]:
    client = browser(user)

    def call() -> object:
        response = client.get(url)
        assert response.status_code == 200
        return response

    return call


def test_partner_case_list_queries_do_not_grow_with_cases(
    agent, client_org, partner_org
):
    cases(client_org, partner_org, 5)
    page = get(agent, reverse("cases:list"))
    with_5 = queries(page)

    cases(client_org, partner_org, 45)
    with_50 = queries(page)

    assert with_50 == with_5 <= MAX_QUERIES


def test_partner_case_search_queries_do_not_grow_with_cases(
    agent, client_org, partner_org
):
    cases(client_org, partner_org, 5)
    page = get(agent, reverse("cases:list") + "?status=active&q=debtor")
    with_5 = queries(page)

    cases(client_org, partner_org, 45)
    with_50 = queries(page)

    assert with_50 == with_5 <= MAX_QUERIES


def test_case_page_queries_do_not_grow_with_chat_and_files(
    manager, agent, client_org, partner_org
):
    case = CaseFactory(
        client=client_org, partner=partner_org, status=Case.Status.ACTIVE
    )
    page = get(agent, reverse("cases:detail", args=[case.pk]))
    chat(case, 5, manager, client_org)
    with_5 = queries(page)

    chat(case, 45, agent, partner_org)
    with_50 = queries(page)

    assert with_50 == with_5 <= MAX_QUERIES


def test_whole_conversation_costs_the_same_queries_as_the_window(
    manager, agent, client_org, partner_org
):
    case = CaseFactory(
        client=client_org, partner=partner_org, status=Case.Status.ACTIVE
    )
    chat(case, 60, manager, client_org)

    window = queries(get(agent, reverse("cases:detail", args=[case.pk])))
    everything = queries(
        get(agent, reverse("cases:detail", args=[case.pk]) + "?chat=all&timeline=all")
    )

    assert everything == window <= MAX_QUERIES


def test_posting_a_message_queries_do_not_grow_with_chat(
    manager, agent, client_org, partner_org
):
    case = CaseFactory(
        client=client_org, partner=partner_org, status=Case.Status.ACTIVE
    )
    client = browser(manager)
    url = reverse("cases:post_message", args=[case.pk])

    def post() -> None:
        response = client.post(
            url, {"body": "Paid?", "request_token": str(uuid.uuid4())}
        )
        assert response.status_code == 302

    post()  # the first message of a side opens the other side's reply task
    chat(case, 5, manager, client_org)
    with_5 = queries(post)

    chat(case, 45, agent, partner_org)
    with_50 = queries(post)

    assert with_50 == with_5 <= MAX_QUERIES


def test_tasks_page_queries_do_not_grow_with_open_tasks(agent, client_org, partner_org):
    def open_tasks(count: int) -> None:
        for case in CaseFactory.create_batch(
            count, client=client_org, partner=partner_org
        ):
            TaskFactory(case=case, organisation=partner_org, state=Task.State.OPEN)

    page = get(agent, reverse("tasks:list"))
    open_tasks(5)
    with_5 = queries(page)

    open_tasks(45)
    with_50 = queries(page)

    assert with_50 == with_5 <= MAX_QUERIES


def test_client_case_list_queries_do_not_grow_with_cases(
    manager, client_org, partner_org
):
    cases(client_org, partner_org, 5)
    page = get(manager, reverse("cases:list"))
    with_5 = queries(page)

    cases(client_org, partner_org, 45)
    with_50 = queries(page)

    assert with_50 == with_5 <= MAX_QUERIES


# --- the case page's window on the chat and the timeline ------------------------


def test_case_page_shows_the_latest_chat_entries_and_links_to_all(
    manager, agent, client_org, partner_org
):
    case = CaseFactory(
        client=client_org, partner=partner_org, status=Case.Status.ACTIVE
    )
    chat(case, CHAT_WINDOW + 5, manager, client_org)
    first, last = case.messages.order_by("id")[0], case.messages.order_by("-id")[0]

    html = browser(agent).get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert last.body in html
    assert first.body not in html
    assert 'data-testid="chat-earlier"' in html
    assert "?chat=all#chat" in html


def test_whole_conversation_shows_every_chat_entry(
    manager, agent, client_org, partner_org
):
    case = CaseFactory(
        client=client_org, partner=partner_org, status=Case.Status.ACTIVE
    )
    chat(case, CHAT_WINDOW + 5, manager, client_org)

    url = reverse("cases:detail", args=[case.pk]) + "?chat=all"
    html = browser(agent).get(url).content.decode()

    for message in case.messages.all():
        assert message.body in html
    assert 'data-testid="chat-earlier"' not in html
    assert "chat=all" in html  # the live update keeps showing everything


def test_case_page_shows_the_latest_timeline_events_and_links_to_all(
    manager, agent, client_org, partner_org
):
    case = CaseFactory(
        client=client_org, partner=partner_org, status=Case.Status.ACTIVE
    )
    chat(case, TIMELINE_WINDOW + 5, manager, client_org)
    url = reverse("cases:detail", args=[case.pk])

    windowed = browser(agent).get(url).content.decode()
    everything = browser(agent).get(url + "?timeline=all").content.decode()

    assert windowed.count("<strong>Message posted</strong>") == TIMELINE_WINDOW
    assert 'data-testid="timeline-earlier"' in windowed
    assert everything.count("<strong>Message posted</strong>") == TIMELINE_WINDOW + 5
