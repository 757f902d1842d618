"""Live chat in a real browser: the other side's open case page follows by itself.

The client and the partner each have the case page open in their own browser
context. A message one side posts shows on the other side's page within five
seconds, by the page's own polling (every 3 s), without a reload; the bell's
unread marker follows: a message on the open case is read as it shows, one on
another case lights the bell.

Until a message is posted, the browser answers the pages' polls itself
("nothing new", which the server would answer too); they reach the server
from the moment the message is in, timed from then. That keeps two requests
from sharing SQLite's in-memory test connection at once (see
core/tests/browser.py, CHAT_POLL).
"""

import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from claimbridge.cases.tests.workflow import accept, post
from claimbridge.core.testing import submit
from claimbridge.core.tests.browser import *  # noqa: F403
from claimbridge.core.tests.browser import live_chat, log_in
from claimbridge.notifications.models import Notification
from claimbridge.tasks.models import Task

pytestmark = pytest.mark.browser

WITHIN_MS = 5_000
FROM_PARTNER = "The debtor offers three instalments of 4,150 DKK. Agree?"
FROM_CLIENT = "Agreed, if the first one is paid this month."


def open_case(page: Page, email: str, case) -> None:
    page.goto(f"/cases/{case.pk}/")
    log_in(page, email)
    expect(page.get_by_test_id("case-status")).to_have_text("Active")


def task_line(page: Page, text: str):
    return page.get_by_test_id("case-tasks").locator("li").filter(has_text=text)


def mark_page(page: Page) -> None:
    """A mark in the page's memory: a reload or another page would lose it."""
    page.evaluate("window.pageMark = 'still here'")


def never_reloaded(page: Page) -> bool:
    return page.evaluate("window.pageMark") == "still here"


def send(page: Page, text: str) -> None:
    """Post through the case page's form, and wait for the page to show it."""
    form = page.get_by_test_id("message-form")
    form.get_by_label("Message").fill(text)
    form.get_by_role("button", name="Send message").click()
    expect(page.get_by_test_id("chat").locator(":scope > li").last).to_contain_text(
        text
    )


def test_message_shows_on_the_other_sides_open_page_within_five_seconds(
    live_server, new_context, manager, agent, partner_org
):
    case = accept(submit(manager, partner_org), agent)
    other_case = accept(submit(manager, partner_org, client_reference="NM-2"), agent)
    Notification.objects.update(read_at=timezone.now())
    client_context, client = new_context()
    partner_context, partner = new_context()
    open_case(client, manager.email, case)
    open_case(partner, agent.email, case)
    expect(client.get_by_test_id("unread-count")).to_have_count(0)
    mark_page(client)

    send(partner, FROM_PARTNER)
    posted = time.monotonic()
    with live_chat(client_context, catch_up=False):
        expect(client.get_by_test_id("chat")).to_contain_text(
            FROM_PARTNER, timeout=WITHIN_MS
        )
        shown_after = time.monotonic() - posted
        # Tasks panel and bell come with the same poll: the reply now owed,
        # and no unread notice, as the message is read where it shows.
        expect(task_line(client, "Reply to message — Nordlys")).to_contain_text("due")
        expect(client.get_by_test_id("unread-count")).to_have_count(0)

    assert shown_after < WITHIN_MS / 1000
    notice = Notification.objects.get(
        recipient=manager, case=case, kind="message_posted"
    )
    assert notice.read_at is not None

    post(other_case, agent, "On the other case: the letter came back.")
    posted = time.monotonic()
    with live_chat(client_context, catch_up=False):
        expect(client.get_by_test_id("unread-count")).to_have_text(
            "1", timeout=WITHIN_MS
        )
        lit_after = time.monotonic() - posted
        expect(client.get_by_test_id("chat")).not_to_contain_text("letter came back")

    assert lit_after < WITHIN_MS / 1000
    assert never_reloaded(client)
    mark_page(partner)  # its own message reloaded it; from now on it must not

    send(client, FROM_CLIENT)
    posted = time.monotonic()
    with live_chat(partner_context, catch_up=False):
        expect(partner.get_by_test_id("chat")).to_contain_text(
            FROM_CLIENT, timeout=WITHIN_MS
        )
        shown_after = time.monotonic() - posted
        expect(task_line(partner, "Reply to message — Hansen")).to_contain_text("due")

    assert shown_after < WITHIN_MS / 1000
    assert never_reloaded(partner)
    replies = Task.objects.filter(case=case, kind=Task.Kind.REPLY_TO_MESSAGE)
    assert sorted(replies.values_list("organisation__name", "state")) == [
        (partner_org.name, Task.State.OPEN),
        (case.client.name, Task.State.DONE),
    ]
