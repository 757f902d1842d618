"""Refuse an oversized upload before its body is read."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class UploadSizeLimitMiddleware:
    """Answers 413 to a request whose declared body exceeds the upload limit.

    The forms check each file and the files of one message (at most
    DOCUMENT_MAX_BYTES_PER_UPLOAD together); this stops a larger body before
    Django spools it to disk. The allowance on top covers the form's other fields.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = (
            settings.DOCUMENT_MAX_BYTES_PER_UPLOAD
            + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        if declared > limit:
            return render(
                request,
                "413.html",
                {"limit_mb": settings.DOCUMENT_MAX_BYTES_PER_UPLOAD // (1024 * 1024)},
                status=413,
            )
        return self.get_response(request)
