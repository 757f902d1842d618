"""The work queue: what an organisation owes and what it waits for."""

from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404

from claimbridge.accounts.models import User
from claimbridge.organisations.models import Membership, Organisation

from .models import Task

DUE_FILTERS = ("overdue", "today", "week")


def _party_cases(organisation: Organisation) -> Q:
    """The organisation's side of the case: the one column an index can serve.

    (Client OR partner over the joined case would read every open task.)
    """
    if organisation.is_partner:
        return Q(case__partner_id=organisation.pk)
    if organisation.is_client:
        return Q(case__client_id=organisation.pk)
    return Q(pk__in=[])


def open_tasks(
    membership: Membership | None,
    *,
    waiting_on_others: bool = False,
    kind: str = "",
    case_query: str = "",
    due: str = "",
    today: date,
) -> QuerySet[Task]:
    """Open tasks "for us", or those of the other party on our cases."""
    if membership is None:
        return Task.objects.none()
    org_id = membership.organisation_id
    tasks = Task.objects.filter(
        _party_cases(membership.organisation), state=Task.State.OPEN
    )
    if waiting_on_others:
        tasks = tasks.exclude(organisation_id=org_id)
    else:
        tasks = tasks.filter(organisation_id=org_id)
    if kind in Task.Kind.values:
        tasks = tasks.filter(kind=kind)
    case_query = case_query.strip()
    if case_query:
        match = Q(case__debtor_name__icontains=case_query) | Q(
            case__client_reference__icontains=case_query
        )
        if case_query.upper().startswith("CB-") and case_query[3:].isdigit():
            match |= Q(case_id=int(case_query[3:]))
        tasks = tasks.filter(match)
    if due == "overdue":
        tasks = tasks.filter(due_on__lt=today)
    elif due == "today":
        tasks = tasks.filter(due_on=today)
    elif due == "week":
        tasks = tasks.filter(due_on__lte=today + timedelta(days=7))
    return tasks.select_related("case", "organisation", "assigned_to").order_by(
        "due_on", "id"
    )


def get_own_task(membership: Membership | None, task_id: int) -> Task:
    """An open or closed task of the membership's organisation, else 404.

    Only the organisation that owes a task assigns or postpones it; the other
    party of the case sees it under "Waiting on others" but cannot act on it.
    """
    if membership is None:
        raise Http404("No such task")
    task = (
        Task.objects.filter(pk=task_id, organisation_id=membership.organisation_id)
        .select_related("case", "organisation", "assigned_to")
        .first()
    )
    if task is None:
        raise Http404("No such task")
    return task


def colleagues(organisation: Organisation) -> list[User]:
    """The active members of an organisation, by name: whom a task may go to."""
    return list(
        User.objects.filter(
            memberships__organisation=organisation,
            memberships__is_active=True,
            is_active=True,
        ).order_by("first_name", "last_name", "email")
    )
