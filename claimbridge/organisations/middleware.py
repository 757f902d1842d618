from collections.abc import Callable

import zoneinfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .selectors import active_membership, memberships_of

SESSION_KEY = "active_organisation_id"


class ActiveMembershipMiddleware:
    """Puts the membership the user works in now on `request.membership`.

    The choice lives in the session (the organisation switcher); it is re-checked
    against the user's memberships on every request, so a revoked membership stops
    working at once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            memberships = list(memberships_of(request.user))
            request.memberships = memberships  # type: ignore[attr-defined]
            request.membership = active_membership(  # type: ignore[attr-defined]
                memberships, request.session.get(SESSION_KEY)
            )
        membership = request.membership  # type: ignore[attr-defined]
        if membership is not None:
            # Pages show times in the organisation's own time zone.
            timezone.activate(zoneinfo.ZoneInfo(membership.organisation.time_zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
