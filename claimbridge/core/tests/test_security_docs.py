"""docs/security.md says what the code does: its figures, header values and the
files it points to are checked against the real ones."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from config import settings as project_settings

BASE_DIR = Path(__file__).resolve().parents[3]
DOC = (BASE_DIR / "docs" / "security.md").read_text()


def directives(policy: str) -> set[str]:
    return {" ".join(part.split()) for part in policy.split(";") if part.strip()}


def test_readme_links_the_security_page():
    readme = (BASE_DIR / "README.md").read_text()

    assert "[docs/security.md](docs/security.md)" in readme


def test_every_file_the_page_points_to_exists():
    named = set(re.findall(r"`([\w./-]+\.(?:py|html|js|md|lock|toml))`", DOC))
    named |= {"Makefile", ".ci/run"} & set(re.findall(r"`([\w./-]+)`", DOC))
    missing = [
        name
        for name in sorted(named)
        if not any(
            (root / name).exists()
            for root in (BASE_DIR, BASE_DIR / "claimbridge", BASE_DIR / "config")
        )
        and not name.startswith("*/")
    ]

    assert len(named) > 20
    assert missing == []


@pytest.mark.parametrize(
    ("variable", "action"),
    [
        ("RATE_LIMIT_LOGIN", "login"),
        ("RATE_LIMIT_LOGIN_FAILED", "login_failed"),
        ("RATE_LIMIT_RESET_PASSWORD", "reset_password"),
    ],
)
def test_log_in_throttling_figures_are_the_settings(variable, action):
    rate = project_settings.ACCOUNT_RATE_LIMITS[action]

    assert f"`{variable}={rate}`" in DOC


@pytest.mark.parametrize("variable", ["RATE_LIMIT_MESSAGES", "RATE_LIMIT_UPLOADS"])
def test_message_and_upload_limits_are_the_settings(variable):
    assert f"`{variable}={getattr(project_settings, variable)}`" in DOC


def test_session_figures_are_the_settings():
    assert project_settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert project_settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert "for `SESSION_IDLE_TIMEOUT` seconds (30 minutes)" in DOC
    assert "`SESSION_COOKIE_AGE` (8 hours)" in DOC


@pytest.mark.django_db
def test_the_policy_shown_is_the_one_sent():
    shown = re.search(r"\| `Content-Security-Policy` \| `([^`]+)` \|", DOC).group(1)

    sent = Client().get(reverse("account_login"))["Content-Security-Policy"]

    assert directives(shown) == directives(sent)
