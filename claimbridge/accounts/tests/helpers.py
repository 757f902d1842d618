"""Logging in through the real log-in form, and a test authenticator (RFC 6238)."""

import base64
import hashlib
import hmac
import struct
import time

from django.test import Client
from django.urls import reverse

PASSWORD = "secret-pass-123"  # UserFactory's password


def log_in(client: Client, email: str, password: str = PASSWORD, **extra: str):
    """Send the log-in form; `extra` may set REMOTE_ADDR."""
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, **extra
    )


def logged_in(user) -> Client:
    """A browser logged in through the form (allauth records how), not force_login."""
    client = Client()
    response = log_in(client, user.email)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def totp_code(secret: str, at: float | None = None, period: int = 30) -> str:
    """The 6-digit code an authenticator app shows for a base32 secret."""
    counter = int((time.time() if at is None else at) // period)
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
