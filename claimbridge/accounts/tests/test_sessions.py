"""Sessions end after a while without activity, and are saved once a minute."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claimbridge.accounts.tests.helpers import logged_in
from claimbridge.core.testing import submit

pytestmark = pytest.mark.django_db

START = 1_800_000_000  # seconds since the epoch


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def session_writes(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return sum(
        1
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "django_session"')
    )


def test_session_ends_after_thirty_minutes_without_a_page(clock, manager, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    browser = logged_in(manager)
    cases = reverse("cases:list")

    clock.shift(29 * 60)
    kept = browser.get(cases)
    clock.shift(30 * 60 + 1)
    ended = browser.get(cases)

    assert kept.status_code == 200
    assert ended.status_code == 302
    assert ended["Location"].startswith(reverse("account_login"))


def test_polling_of_an_open_page_does_not_keep_the_session(
    clock, manager, settings, partner_org
):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    case = submit(manager, partner_org)
    browser = logged_in(manager)
    chat = reverse("cases:chat", args=[case.pk])
    browser.get(reverse("cases:detail", args=[case.pk]))

    polls = []
    for shift in (10 * 60, 10 * 60, 10 * 60, 1):
        clock.shift(shift)
        polls.append(browser.get(chat, HTTP_HX_REQUEST="true"))
    after = browser.get(reverse("cases:list"))

    assert [p.has_header("HX-Redirect") for p in polls] == [False, False, False, True]
    assert polls[3].status_code == 204
    assert polls[3]["HX-Redirect"] == reverse("account_login")
    assert after.status_code == 302


def test_session_is_saved_at_most_once_a_minute(clock, manager):
    browser = logged_in(manager)
    cases = reverse("cases:list")
    clock.shift(61)

    writes = [session_writes(browser, cases)]
    clock.shift(20)
    writes.append(session_writes(browser, cases))
    clock.shift(41)
    writes.append(session_writes(browser, cases))

    assert writes == [1, 0, 1]
