from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from claimbridge.core.pagination import CappedPaginator

from .selectors import notifications_for, sent_mail_files

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
def mailbox(request: HttpRequest) -> HttpResponse:
    """The demo SMTP sink's inbox, for platform staff only."""
    membership = request.membership
    if membership is None or not membership.organisation.is_platform:
        raise Http404
    return render(request, "notifications/mailbox.html", {"mails": sent_mail_files()[:200]})
