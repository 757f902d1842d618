"""Logging in with an e-mail address and a password."""

import pytest
from django.test import Client
from django.urls import reverse

from claimbridge.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # UserFactory's password


def test_login_page_shows_email_and_password_form():
    response = Client().get(reverse("accounts:login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<input type="email" name="username"' in html
    assert '<input type="password" name="password"' in html


def test_wrong_password_says_the_credentials_do_not_match(manager):
    response = Client().post(
        reverse("accounts:login"),
        {"username": manager.email, "password": "wrong-password"},
    )

    assert response.status_code == 200
    assert "E-mail and password do not match an account." in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_wrong_password_records_a_failed_login(manager):
    Client().post(
        reverse("accounts:login"),
        {"username": manager.email, "password": "wrong-password"},
    )

    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.USER_LOGIN_FAILED)
    assert event.summary == manager.email
    assert event.actor is None


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(db):
    response = Client().post(
        reverse("accounts:login"),
        {"username": "nobody@nordlys.example", "password": "wrong-password"},
    )

    assert "E-mail and password do not match an account." in response.content.decode()


def test_correct_login_redirects_to_the_case_list(manager):
    response = Client().post(
        reverse("accounts:login"), {"username": manager.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:list")
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.USER_LOGGED_IN, actor=manager
    ).exists()
