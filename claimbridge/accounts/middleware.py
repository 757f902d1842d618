"""Sessions end after SESSION_IDLE_TIMEOUT seconds without activity."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

LAST_ACTIVITY_KEY = "last_activity_at"
# The time of the last activity is written at most this often (seconds): a
# session is saved, one UPDATE, about once a minute rather than on every page.
ACTIVITY_RESOLUTION = 60


def is_background(request: HttpRequest) -> bool:
    """A request the page makes on its own (htmx polling), not the person."""
    return request.method == "GET" and request.headers.get("HX-Request") == "true"


class SessionIdleTimeoutMiddleware:
    """Logs out a session whose last page view or form is older than the timeout.

    The last activity is recorded to the minute (ACTIVITY_RESOLUTION), so a
    session ends between SESSION_IDLE_TIMEOUT and one minute more after it.

    Polling by an open case page is not activity, so a forgotten tab does not
    keep a session alive. An htmx request of a logged-out session is sent to
    the log-in page as a whole (HX-Redirect) instead of swapping it into a part.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(
                    request, _("You were logged out after a while without activity.")
                )
                if request.headers.get("HX-Request") == "true":
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
                    return response
            elif last is None or (
                not is_background(request) and now - last >= ACTIVITY_RESOLUTION
            ):
                # Saving the session also moves its expiry on (SESSION_COOKIE_AGE).
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)
