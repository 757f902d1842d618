"""Production settings: Django's deployment check passes, insecure values stop the
process, and the answers carry HSTS and secure cookies.

Settings are read once per process, so each configuration runs `manage.py` (or
reads the settings) in a subprocess with its own environment.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parents[3]
# Variables of the developer's or CI's shell that would change the outcome.
SETTINGS_VARIABLES = {
    "CLAIMBRIDGE_ENV",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "CACHE_URL",
    "DATABASE_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "DJANGO_SETTINGS_MODULE",
}
# config/settings.py's development default: 58 characters, still refused.
DEV_SECRET_KEY = "dev-insecure-key-do-not-use-in-production-0123456789abcdef"
SECURITY_SETTINGS = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "ACCOUNT_DEFAULT_HTTP_PROTOCOL",
    "MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN",
]


def production_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    """A complete production environment; an override of None leaves a variable out."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(
        CLAIMBRIDGE_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="claims.example.com",
        CSRF_TRUSTED_ORIGINS="https://claims.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        PYTHONDONTWRITEBYTECODE="1",
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our interpreter, fixed arguments)
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_reports_nothing_with_production_settings(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(tmp_path),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("System check identified no issues"), result.stdout
    assert "WARNING" not in result.stderr
    assert "security." not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "true"}, "DEBUG must be off in production"),
        (
            {"SECRET_KEY": None},
            "SECRET_KEY must be set to 50 or more random characters",
        ),
        (
            {"SECRET_KEY": DEV_SECRET_KEY},
            "SECRET_KEY must be set to 50 or more random characters",
        ),
        (
            {"SECRET_KEY": "k" * 49},
            "SECRET_KEY must be set to 50 or more random characters",
        ),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must name the hosts in production"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS must name the hosts in production"),
        (
            {"CACHE_URL": "locmem://"},
            "CACHE_URL must name a cache shared by all processes",
        ),
    ],
    ids=[
        "debug-on",
        "no-secret-key",
        "default-secret-key",
        "short-secret-key",
        "no-allowed-hosts",
        "empty-allowed-hosts",
        "per-process-cache",
    ],
)
def test_production_refuses_to_start_with_an_insecure_setting(
    tmp_path, overrides, message
):
    result = run(["manage.py", "check"], production_env(tmp_path, **overrides))

    assert result.returncode != 0
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr
    assert "System check identified" not in result.stdout


@pytest.fixture(scope="module")
def production_settings(tmp_path_factory) -> dict:
    """The security settings as config/settings.py computes them in production."""
    code = (
        "import json; from config import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {SECURITY_SETTINGS!r}}}))"
    )
    result = run(["-c", code], production_env(tmp_path_factory.mktemp("production")))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_have_the_secure_values(production_settings):
    assert production_settings == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "ACCOUNT_DEFAULT_HTTP_PROTOCOL": "https",
        "MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN": False,
    }


@pytest.fixture
def in_production(settings, production_settings):
    """This process answers with the production security settings."""
    for name, value in production_settings.items():
        setattr(settings, name, tuple(value) if isinstance(value, list) else value)


@pytest.mark.django_db
def test_production_answers_over_https_carry_hsts(in_production):
    response = Client().get(reverse("account_login"), secure=True)

    assert response.status_code == 200
    assert (
        response["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains; preload"
    )


@pytest.mark.django_db
def test_production_redirects_plain_http_to_https(in_production):
    response = Client().get(reverse("account_login"))

    assert response.status_code == 301
    assert response["Location"] == "https://testserver" + reverse("account_login")


@pytest.mark.django_db
def test_production_trusts_the_proxy_saying_the_request_came_over_https(
    in_production,
):
    response = Client().get(
        reverse("account_login"), headers={"X-Forwarded-Proto": "https"}
    )

    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


@pytest.mark.django_db
def test_production_session_and_csrf_cookies_are_secure(in_production, manager):
    client = Client()
    client.force_login(manager)

    response = client.get(reverse("cases:list"), secure=True)

    assert response.status_code == 200
    session, csrf = response.cookies["sessionid"], response.cookies["csrftoken"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert csrf["secure"] is True
