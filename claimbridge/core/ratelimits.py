"""Rates of django-ratelimit, read from the settings at request time."""

from django.conf import settings
from django.http import HttpRequest


def messages_rate(group: str, request: HttpRequest) -> str:
    """Messages one person may post (RATE_LIMIT_MESSAGES, e.g. 30/m)."""
    return settings.RATE_LIMIT_MESSAGES


def uploads_rate(group: str, request: HttpRequest) -> str:
    """Uploads one person may send (RATE_LIMIT_UPLOADS, e.g. 20/m)."""
    return settings.RATE_LIMIT_UPLOADS
