"""Posting messages and uploading files are limited per person (django-ratelimit).

Past RATE_LIMIT_MESSAGES or RATE_LIMIT_UPLOADS the answer is the 429 page
(templates/429.html) and nothing is stored.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from claimbridge.core.testing import pdf_bytes, submit
from claimbridge.documents.models import Document
from claimbridge.messaging.models import Message

pytestmark = pytest.mark.django_db

THROTTLED = "Too many attempts — try again in a few minutes."
NOW = datetime(2026, 3, 4, 10, 0, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    # django-ratelimit counts in fixed windows; the test must not cross one.
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(manager, partner_org):
    return submit(manager, partner_org)


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_message(client: Client, case, n: int):
    return client.post(
        reverse("cases:post_message", args=[case.pk]),
        {"body": f"Message number {n}.", "request_token": str(uuid.uuid4())},
    )


def upload(client: Client, case, n: int):
    name = f"statement-{n}.pdf"
    return client.post(
        reverse("cases:upload", args=[case.pk]),
        {
            "kind": "bank_statement",
            "files": [SimpleUploadedFile(name, pdf_bytes(name))],
            "request_token": str(uuid.uuid4()),
        },
    )


def test_messages_past_the_limit_are_answered_with_429_and_not_posted(
    settings, case, manager
):
    settings.RATE_LIMIT_MESSAGES = "3/m"
    client = browser(manager)

    answers = [post_message(client, case, n) for n in range(1, 6)]

    assert [a.status_code for a in answers] == [302, 302, 302, 429, 429]
    assert THROTTLED in answers[3].content.decode()
    assert answers[3]["Content-Type"] == "text/html; charset=utf-8"
    assert sorted(Message.objects.filter(case=case).values_list("body", flat=True)) == [
        "Message number 1.",
        "Message number 2.",
        "Message number 3.",
    ]


def test_uploads_past_the_limit_are_answered_with_429_and_not_stored(
    settings, case, agent
):
    settings.RATE_LIMIT_UPLOADS = "2/m"
    client = browser(agent)

    answers = [upload(client, case, n) for n in range(1, 5)]

    assert [a.status_code for a in answers] == [302, 302, 429, 429]
    assert THROTTLED in answers[2].content.decode()
    assert sorted(
        Document.objects.filter(case=case).values_list("original_name", flat=True)
    ) == [
        "statement-1.pdf",
        "statement-2.pdf",
    ]


def test_the_limit_counts_per_person(settings, case, manager, client_member):
    settings.RATE_LIMIT_MESSAGES = "2/m"
    [post_message(browser(manager), case, n) for n in range(1, 4)]

    colleague = post_message(browser(client_member), case, 4)

    assert colleague.status_code == 302
    assert Message.objects.filter(case=case, body="Message number 4.").exists()


def test_messages_and_uploads_are_counted_apart(settings, case, manager):
    settings.RATE_LIMIT_MESSAGES = "1/m"
    settings.RATE_LIMIT_UPLOADS = "1/m"
    client = browser(manager)
    post_message(client, case, 1)

    uploaded = upload(client, case, 1)

    assert uploaded.status_code == 302


def test_the_limit_lifts_in_the_next_window(settings, case, manager, _frozen_clock):
    settings.RATE_LIMIT_MESSAGES = "2/m"
    client = browser(manager)
    throttled = [post_message(client, case, n) for n in range(1, 4)][-1]

    _frozen_clock.shift(timedelta(seconds=61))
    later = post_message(client, case, 4)

    assert throttled.status_code == 429
    assert later.status_code == 302
