import zoneinfo

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from claimbridge.core.pagination import CappedPaginator

from .models import Task
from .selectors import DUE_FILTERS, open_tasks

PAGE_SIZE = 50


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    tab = "waiting" if request.GET.get("tab") == "waiting" else "ours"
    today = (
        timezone.now().astimezone(zoneinfo.ZoneInfo(membership.organisation.time_zone)).date()
        if membership
        else timezone.localdate()
    )
    tasks = open_tasks(
        membership,
        waiting_on_others=tab == "waiting",
        kind=request.GET.get("kind", ""),
        case_query=request.GET.get("case", "")[:100],
        due=request.GET.get("due", ""),
        today=today,
    )
    page = CappedPaginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tasks/list.html",
        {
            "page": page,
            "tab": tab,
            "today": today,
            "kinds": Task.Kind.choices,
            "kind": request.GET.get("kind", ""),
            "case_query": request.GET.get("case", ""),
            "due": request.GET.get("due", ""),
            "due_filters": DUE_FILTERS,
        },
    )
