"""Logging in with an e-mail address and a password (django-allauth)."""

import pytest
from django.test import Client
from django.urls import reverse

from claimbridge.accounts.tests.helpers import PASSWORD, log_in
from claimbridge.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_login_page_shows_email_and_password_form():
    response = Client().get(reverse("accounts:login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Log in to Claimbridge" in html
    assert (
        '<label for="id_login">E-mail</label><input type="email" name="login"' in html
    )
    assert '<label for="id_password">Password</label><input type="password"' in html


def test_old_and_allauth_names_of_the_login_page_are_one_path():
    assert reverse("accounts:login") == reverse("account_login") == "/accounts/login/"


def test_wrong_password_says_the_credentials_do_not_match(manager):
    response = log_in(Client(), manager.email, "wrong-password")

    assert response.status_code == 200
    assert "E-mail and password do not match an account." in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_wrong_password_records_a_failed_login_for_the_account(manager):
    log_in(Client(), manager.email, "wrong-password", REMOTE_ADDR="198.51.100.7")

    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.USER_LOGIN_FAILED)
    assert event.summary == manager.email
    assert event.actor == manager
    assert event.changes == {"ip": "198.51.100.7"}


def test_unknown_email_records_a_failed_login_of_nobody(db):
    log_in(Client(), "nobody@nordlys.example", "wrong-password")

    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.USER_LOGIN_FAILED)
    assert (event.summary, event.actor) == ("nobody@nordlys.example", None)


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(db):
    response = log_in(Client(), "nobody@nordlys.example", "wrong-password")

    assert "E-mail and password do not match an account." in response.content.decode()


def test_correct_login_redirects_to_the_case_list(manager):
    response = log_in(Client(), manager.email, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:list")
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.USER_LOGGED_IN, actor=manager
    ).exists()


def test_login_follows_next_to_the_page_asked_for(manager):
    response = Client().post(
        reverse("account_login") + "?next=/tasks/",
        {"login": manager.email, "password": PASSWORD, "next": "/tasks/"},
    )

    assert response["Location"] == "/tasks/"


def test_login_does_not_follow_next_to_another_site(manager):
    response = Client().post(
        reverse("account_login"),
        {"login": manager.email, "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("cases:list")


def test_session_cookie_ends_with_the_browser(manager):
    client = Client()

    log_in(client, manager.email)

    assert client.session.get_expire_at_browser_close()


def test_nobody_can_sign_up(db):
    page = Client().get(reverse("account_signup"))
    sent = Client().post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": "a-long-pass-phrase-7"},
    )

    assert "Sign Up Closed" in page.content.decode()
    assert sent.status_code == 200
    assert not AuditEvent.objects.exists()
    from claimbridge.accounts.models import User

    assert not User.objects.filter(email="new@example.com").exists()


def test_admin_login_goes_through_the_same_login_page(db):
    response = Client().get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_logout_is_a_post(manager):
    client = Client()
    log_in(client, manager.email)

    client.get(reverse("accounts:logout"))
    still_in = client.get(reverse("cases:list")).status_code
    client.post(reverse("accounts:logout"))
    after = client.get(reverse("cases:list"))

    assert still_in == 200
    assert after.status_code == 302
    assert after["Location"].startswith(reverse("account_login"))


def test_email_management_is_not_offered(manager):
    client = Client()
    log_in(client, manager.email)

    response = client.get("/accounts/email/")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_change_password")
