"""Every page carries the security headers: a Content-Security-Policy without
inline script, nosniff, a referrer policy, and no framing.

Production's HSTS and secure cookies: core/tests/test_production_settings.py.
File downloads: documents/tests/test_views.py.
"""

import pytest
from django.test import Client
from django.urls import reverse

from claimbridge.core.testing import submit

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture
def case(manager, partner_org):
    return submit(manager, partner_org)


# Page name: (persona fixture or None for anonymous, URL name, needs the case).
PAGES = {
    "login": (None, "account_login", False),
    "password reset": (None, "account_reset_password", False),
    "case list": ("manager", "cases:list", False),
    "case page": ("agent", "cases:detail", True),
    "new case form": ("manager", "cases:new", False),
    "tasks": ("agent", "tasks:list", False),
    "two-factor": ("manager", "mfa_index", False),
}


def get(request, name: str):
    """The page as its persona sees it (a case exists, so pages are not empty)."""
    persona, url_name, needs_case = PAGES[name]
    case = request.getfixturevalue("case")
    client = Client()
    if persona is not None:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(url_name, args=[case.pk] if needs_case else []))
    assert response.status_code == 200, (name, response.status_code)
    return response


@pytest.mark.parametrize("name", PAGES)
def test_page_has_a_policy_that_allows_only_own_scripts(request, name):
    directives = policy(get(request, name))

    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]


@pytest.mark.parametrize("name", PAGES)
def test_page_may_not_be_framed(request, name):
    response = get(request, name)

    assert response["X-Frame-Options"] == "DENY"
    assert policy(response)["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("name", PAGES)
def test_page_forbids_type_sniffing_and_keeps_referrers_on_the_site(request, name):
    response = get(request, name)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_error_pages_carry_the_policy_too(agent):
    client = Client()
    client.force_login(agent)

    response = client.get(reverse("cases:detail", args=[999_999]))

    assert response.status_code == 404
    assert policy(response)["script-src"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"
