"""Guessing passwords is throttled per account and per address, without telling
whether an account exists.

These tests use the configured shared cache (`database_cache`: the database
table every web process reads), not a per-process one.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from claimbridge.accounts.tests.factories import UserFactory
from claimbridge.accounts.tests.helpers import PASSWORD, log_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("database_cache")]

THROTTLED = "Too many attempts — try again in a few minutes."
WRONG = "E-mail and password do not match an account."


# A deliberately wrong test password, not a secret.
def attempts(emails, *, address="203.0.113.5", password="wrong-password"):  # noqa: S107
    client = Client()
    return [log_in(client, email, password, REMOTE_ADDR=address) for email in emails]


def text(response, email: str) -> str:
    """The page as the person reads it: their own address and the form's
    CSRF token (random per answer) left out."""
    html = response.content.decode().replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)


def test_twenty_wrong_passwords_for_one_account_are_throttled_after_five(manager):
    answers = attempts([manager.email] * 20)

    statuses = [a.status_code for a in answers]
    assert statuses == [200] * 5 + [429] * 15
    assert all(WRONG in a.content.decode() for a in answers[:5])
    assert all(THROTTLED in a.content.decode() for a in answers[5:])


def test_locked_account_refuses_even_the_right_password_from_elsewhere(manager):
    attempts([manager.email] * 5)

    right = log_in(Client(), manager.email, PASSWORD, REMOTE_ADDR="192.0.2.44")

    assert right.status_code == 429
    assert THROTTLED in right.content.decode()
    assert "_auth_user_id" not in right.wsgi_request.session


def test_lock_out_ends_after_five_minutes(manager):
    attempts([manager.email] * 6)

    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)):
        right = log_in(Client(), manager.email, PASSWORD, REMOTE_ADDR="192.0.2.44")

    assert right.status_code == 302


def test_twenty_accounts_from_one_address_are_throttled_after_ten(db):
    people = UserFactory.create_batch(20)

    answers = attempts([p.email for p in people])

    statuses = [a.status_code for a in answers]
    assert statuses == [200] * 10 + [429] * 10
    assert all(THROTTLED in a.content.decode() for a in answers[10:])


def test_throttled_address_does_not_lock_out_others(manager, agent):
    attempts([f"guess{i}@example.com" for i in range(12)])

    elsewhere = log_in(Client(), agent.email, PASSWORD, REMOTE_ADDR="192.0.2.44")

    assert elsewhere.status_code == 302


def test_existing_and_unknown_accounts_get_the_same_answers(manager):
    unknown = "nobody@nordlys.example"

    known_answers = attempts([manager.email] * 20, address="203.0.113.5")
    unknown_answers = attempts([unknown] * 20, address="203.0.113.6")

    assert [a.status_code for a in known_answers] == [
        a.status_code for a in unknown_answers
    ]
    for known, other in zip(known_answers, unknown_answers, strict=True):
        assert text(known, manager.email) == text(other, unknown)


def test_twenty_unknown_accounts_and_twenty_known_ones_get_the_same_answers(db):
    people = UserFactory.create_batch(20)
    strangers = [f"stranger{i}@example.com" for i in range(20)]

    known = attempts([p.email for p in people], address="203.0.113.7")
    unknown = attempts(strangers, address="203.0.113.8")

    assert [a.status_code for a in known] == [a.status_code for a in unknown]
    for a, b, x, y in zip(known, unknown, people, strangers, strict=True):
        assert text(a, x.email) == text(b, y)
