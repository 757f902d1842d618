import zoneinfo
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

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


# Pages a person may open before setting up two-factor authentication: log-in,
# log-out, password and the two-factor pages themselves (django-allauth's).
_TWO_FACTOR_SETUP_URL_NAMES = ("account_", "mfa_", "usersessions_")


class RequireTwoFactorMiddleware:
    """Sends a member of an organisation that requires two-factor log-in, who has
    not set it up, to the two-factor page before any other page.

    Runs after ActiveMembershipMiddleware; costs a query only for members of
    such organisations.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        *args: object,
    ) -> HttpResponse | None:
        from claimbridge.accounts.selectors import has_two_factor

        memberships = getattr(request, "memberships", [])
        if not any(m.organisation.requires_two_factor for m in memberships):
            return None
        match = request.resolver_match
        if match is not None and (
            match.namespace == "accounts"
            or (match.url_name or "").startswith(_TWO_FACTOR_SETUP_URL_NAMES)
        ):
            return None
        if has_two_factor(request.user):
            return None
        messages.warning(
            request,
            _(
                "Your organisation requires two-factor authentication. "
                "Set it up to continue."
            ),
        )
        target = reverse("mfa_index")
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
