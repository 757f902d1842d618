"""Two-factor log-in (TOTP), and organisations that require it of their members."""

from datetime import UTC, datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse

from claimbridge.accounts.selectors import has_two_factor
from claimbridge.accounts.tests.helpers import PASSWORD, log_in, logged_in, totp_code
from claimbridge.audit.models import AuditEvent
from claimbridge.core.testing import submit

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 10, 0, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    # A code is valid for one 30-second step; the test must not cross one.
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def requiring(client_org):
    client_org.requires_two_factor = True
    client_org.save()
    return client_org


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_member_without_two_factor_is_sent_to_set_it_up_before_any_case(
    requiring, client_member, manager, partner_org
):
    case = submit(manager, partner_org)
    member = browser(client_member)

    pages = [
        member.get(reverse("cases:list")),
        member.get(reverse("cases:detail", args=[case.pk])),
        member.get(reverse("tasks:list")),
    ]
    setup = member.get(reverse("mfa_index"))

    assert [p.status_code for p in pages] == [302, 302, 302]
    assert {p["Location"] for p in pages} == {reverse("mfa_index")}
    assert setup.status_code == 200
    assert "requires two-factor authentication" in setup.content.decode()


def test_background_request_of_such_a_member_redirects_the_whole_page(
    requiring, client_member, manager, partner_org
):
    case = submit(manager, partner_org)

    response = browser(client_member).get(
        reverse("cases:chat", args=[case.pk]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("mfa_index")


def test_member_sets_up_totp_and_then_sees_the_cases(
    requiring, client_member, django_capture_on_commit_callbacks
):
    member = logged_in(client_member)
    asked = member.get(reverse("mfa_activate_totp"))
    # Adding a second factor asks for the password again (allauth's reauthentication).
    confirmed = member.post(asked["Location"], {"password": PASSWORD})
    member.get(reverse("mfa_activate_totp"))
    secret = member.session["mfa.totp.secret"]

    # allauth sends its "authenticator added" signal once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        activated = member.post(
            reverse("mfa_activate_totp"), {"code": totp_code(secret, NOW.timestamp())}
        )
    cases = member.get(reverse("cases:list"))

    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert confirmed.status_code == 302
    assert activated.status_code == 302
    assert has_two_factor(client_member)
    assert cases.status_code == 200
    added = AuditEvent.objects.filter(action=AuditEvent.Action.MFA_ADDED)
    # Activating TOTP also generates the recovery codes.
    assert sorted((e.actor, e.changes["method"]) for e in added) == [
        (client_member, "recovery_codes"),
        (client_member, "totp"),
    ]


def test_members_of_organisations_without_the_requirement_are_not_asked(
    requiring, agent
):
    assert browser(agent).get(reverse("cases:list")).status_code == 200


def test_totp_code_from_an_authenticator_logs_in(manager):
    secret = with_totp(manager)
    client = Client()

    first = log_in(client, manager.email, PASSWORD)
    second = client.post(
        reverse("mfa_authenticate"), {"code": totp_code(secret, NOW.timestamp())}
    )

    assert first["Location"] == reverse("mfa_authenticate")
    assert second.status_code == 302
    assert second["Location"] == reverse("cases:list")
    assert client.get(reverse("cases:list")).status_code == 200
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.USER_LOGGED_IN, actor=manager
        ).count()
        == 1
    )


def test_password_alone_does_not_log_in_an_account_with_totp(manager):
    with_totp(manager)
    client = Client()

    log_in(client, manager.email, PASSWORD)
    response = client.get(reverse("cases:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_wrong_code_is_refused_and_recorded(manager):
    secret = with_totp(manager)
    right = totp_code(secret, NOW.timestamp())
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    client = Client()
    log_in(client, manager.email, PASSWORD)

    response = client.post(reverse("mfa_authenticate"), {"code": wrong})

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert client.get(reverse("cases:list")).status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.MFA_FAILED, actor=manager
    ).exists()


def test_a_code_that_was_used_once_is_refused_the_second_time(manager):
    secret = with_totp(manager)
    code = totp_code(secret, NOW.timestamp())
    first, second = Client(), Client()
    log_in(first, manager.email, PASSWORD)
    log_in(second, manager.email, PASSWORD)

    used = first.post(reverse("mfa_authenticate"), {"code": code})
    reused = second.post(reverse("mfa_authenticate"), {"code": code})

    assert used.status_code == 302
    assert reused.status_code == 200
    assert "Incorrect code." in reused.content.decode()
    assert second.get(reverse("cases:list")).status_code == 302


def test_removing_totp_is_recorded(manager):
    with_totp(manager)
    [authenticator] = Authenticator.objects.filter(user=manager)
    client = browser(manager)
    # Removing a second factor asks for the password again (allauth).
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    client.post(reverse("mfa_deactivate_totp"))

    assert not has_two_factor(manager)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.MFA_REMOVED, actor=manager
    ).exists()


# --- The organisation's setting --------------------------------------------------


def test_member_who_is_no_admin_gets_404_for_the_security_pages(client_member):
    member = browser(client_member)

    assert member.get(reverse("organisations:security")).status_code == 404
    assert (
        member.post(
            reverse("organisations:security"), {"requires_two_factor": "on"}
        ).status_code
        == 404
    )
    assert member.get(reverse("organisations:security_log")).status_code == 404


def test_admin_without_two_factor_cannot_require_it(manager, client_org):
    response = browser(manager).post(
        reverse("organisations:security"), {"requires_two_factor": "on"}
    )

    client_org.refresh_from_db()
    assert response.status_code == 400
    assert "Set up two-factor authentication for yourself first" in (
        response.content.decode()
    )
    assert not client_org.requires_two_factor


def test_admin_with_two_factor_requires_it_for_all_members(
    manager, client_member, client_org
):
    with_totp(manager)

    response = browser(manager).post(
        reverse("organisations:security"), {"requires_two_factor": "on"}
    )

    client_org.refresh_from_db()
    assert response.status_code == 302
    assert client_org.requires_two_factor
    [event] = AuditEvent.objects.filter(
        action=AuditEvent.Action.SECURITY_SETTINGS_CHANGED
    )
    assert (event.actor, event.organisation) == (manager, client_org)
    assert event.changes == {"requires_two_factor": [False, True]}
    assert browser(client_member).get(reverse("cases:list")).status_code == 302
