"""Pages of the whole site: the answer to a rate-limited request."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def too_many_requests(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """429 with a sentence a person understands (django-ratelimit, allauth)."""
    return render(request, "429.html", status=429)
