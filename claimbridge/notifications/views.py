from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from claimbridge.core.exceptions import DomainError
from claimbridge.core.pagination import CappedPaginator

from . import services
from .forms import PreferencesForm
from .models import Notification, NotificationPreference
from .selectors import (
    failed_notifications,
    notification_preferences,
    notifications_for,
    sent_mail_files,
)

PAGE_SIZE = 30


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    if membership is None:
        raise Http404
    items = notifications_for(request.user, membership.organisation_id)
    page = CappedPaginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    """The bell's "Mark all as read": the user's notices in this organisation."""
    membership = request.membership
    if membership is None:
        raise Http404
    count = services.mark_all_read(
        user=request.user, organisation_id=membership.organisation_id
    )
    messages.success(
        request,
        _("%(count)s notifications marked as read.") % {"count": count}
        if count != 1
        else _("1 notification marked as read."),
    )
    return redirect("notifications:list")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """How the user wants to hear about each category: at once, daily, or not."""
    current = notification_preferences(request.user)
    form = PreferencesForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        services.set_notification_preferences(
            actor=request.user, choices=form.cleaned_data
        )
        messages.success(request, _("Notification settings saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "always_mailed": NotificationPreference.ALWAYS_MAILED,
        },
        status=400 if request.method == "POST" else 200,
    )


def _platform_membership(request: HttpRequest) -> object:
    membership = request.membership
    if membership is None or not membership.organisation.is_platform:
        raise Http404
    return membership


@login_required
def failed_list(request: HttpRequest) -> HttpResponse:
    """Mails that failed after their last attempt, for platform staff only."""
    _platform_membership(request)
    page = CappedPaginator(failed_notifications(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/failed.html", {"page": page})


@login_required
@require_POST
def resend(request: HttpRequest, notification_id: int) -> HttpResponse:
    membership = _platform_membership(request)
    if not Notification.objects.filter(pk=notification_id).exists():
        raise Http404
    try:
        services.resend_notification(
            notification_id=notification_id,
            actor=request.user,
            membership=membership,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The e-mail is queued again."))
    return redirect("notifications:failed")


@login_required
def mailbox(request: HttpRequest) -> HttpResponse:
    """The demo SMTP sink's inbox, for platform staff only."""
    _platform_membership(request)
    return render(
        request, "notifications/mailbox.html", {"mails": sent_mail_files()[:200]}
    )
