from typing import Any

from django.http import HttpRequest

from claimbridge.notifications.selectors import unread_count


def memberships(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"membership": None, "memberships": []}
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "memberships": getattr(request, "memberships", []),
        "unread_notifications": unread_count(request.user, membership.organisation_id),
    }
