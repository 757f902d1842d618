import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from claimbridge.core.exceptions import DomainError
from claimbridge.core.pagination import CappedPaginator

from . import services
from .forms import AssignForm, PostponeForm
from .models import Task
from .selectors import DUE_FILTERS, colleagues, get_own_task, open_tasks

PAGE_SIZE = 25


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    tab = "waiting" if request.GET.get("tab") == "waiting" else "ours"
    today = (
        timezone.now()
        .astimezone(zoneinfo.ZoneInfo(membership.organisation.time_zone))
        .date()
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
    people = (
        colleagues(membership.organisation)
        if membership and tab == "ours" and page.object_list
        else []
    )
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
            "colleagues": people,
            "here": request.get_full_path(),
        },
    )


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("tasks:list")
    return redirect(target)


@login_required
@require_POST
def assign(request: HttpRequest, task_id: int) -> HttpResponse:
    """Give one of the organisation's tasks to a colleague, or to nobody."""
    task = get_own_task(request.membership, task_id)
    form = AssignForm(request.POST, colleagues=colleagues(task.organisation))
    if not form.is_valid():
        messages.error(request, _("Choose a colleague of your organisation."))
        return _back(request)
    try:
        services.assign_task(
            task_id=task.pk,
            actor=request.user,
            membership=request.membership,
            assignee=form.cleaned_data["assignee"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Task assigned."))
    return _back(request)


@login_required
def postpone(request: HttpRequest, task_id: int) -> HttpResponse:
    """Move one of the organisation's deadlines later, with the reason."""
    task = get_own_task(request.membership, task_id)
    form = PostponeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.postpone_task(
                task_id=task.pk,
                actor=request.user,
                membership=request.membership,
                due_on=form.cleaned_data["due_on"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Task postponed."))
            return _back(request)
    return render(
        request,
        "tasks/postpone.html",
        {"task": task, "form": form, "next": request.GET.get("next", "")},
        status=400 if request.method == "POST" else 200,
    )
