"""Opening and closing tasks; called by the case workflow, never by hand."""

from typing import Any

from django.utils import timezone

from claimbridge.accounts.models import User
from claimbridge.audit.models import AuditEvent
from claimbridge.audit.services import record_event
from claimbridge.core.calendar import business_due_date
from claimbridge.organisations.models import Organisation

from .models import Task

DUE_DAYS = {
    Task.Kind.REVIEW_NEW_CASE: 1,
    Task.Kind.PROVIDE_INFORMATION: 2,
    Task.Kind.REPLY_TO_MESSAGE: 2,
    Task.Kind.MONTHLY_UPDATE: 5,
    Task.Kind.FOLLOW_UP_PAUSED: 14,
}


def due_date_for(organisation: Organisation, days: int, created_at: Any = None) -> Any:
    """The deadline in the owner's calendar: its country, region and time zone."""
    return business_due_date(
        created_at or timezone.now(),
        days,
        country=organisation.country.code,
        region=organisation.region or None,
        time_zone=organisation.time_zone,
    )


def open_task(
    *,
    case: Any,
    organisation: Organisation,
    kind: Task.Kind,
    actor: User | None,
    acting_organisation: Organisation | None = None,
) -> Task:
    """Open a task unless one of this kind is already open; audit the opening."""
    existing = Task.objects.filter(
        case=case, organisation=organisation, kind=kind, state=Task.State.OPEN
    ).first()
    if existing is not None:
        return existing
    now = timezone.now()
    task = Task.objects.create(
        case=case,
        organisation=organisation,
        kind=kind,
        created_at=now,
        due_on=due_date_for(organisation, DUE_DAYS[kind], now),
    )
    record_event(
        action=AuditEvent.Action.TASK_OPENED,
        actor=actor,
        organisation=acting_organisation,
        case=case,
        changes={"task": task.pk, "kind": kind, "due_on": task.due_on.isoformat()},
        summary=f"{task.get_kind_display()} for {organisation.name}, due {task.due_on:%Y-%m-%d}",
    )
    return task


def _finish(
    tasks: list[Task],
    *,
    state: Task.State,
    actor: User | None,
    resolution: str,
    message: Any = None,
    acting_organisation: Organisation | None = None,
) -> list[Task]:
    now = timezone.now()
    action = (
        AuditEvent.Action.TASK_CLOSED
        if state == Task.State.DONE
        else AuditEvent.Action.TASK_CANCELLED
    )
    for task in tasks:
        task.state = state
        task.closed_at = now
        task.closed_by = actor
        task.closed_by_message = message
        task.resolution = resolution[:300]
        task.save(
            update_fields=[
                "state",
                "closed_at",
                "closed_by",
                "closed_by_message",
                "resolution",
            ]
        )
        record_event(
            action=action,
            actor=actor,
            organisation=acting_organisation,
            case=task.case,
            changes={"task": task.pk, "kind": task.kind, "state": ["open", state]},
            summary=f"{task.get_kind_display()} ({task.organisation.name}): {resolution}",
        )
    return tasks


def complete_tasks(
    *,
    case: Any,
    organisation: Organisation,
    kinds: list[Task.Kind],
    actor: User | None,
    resolution: str,
    message: Any = None,
    acting_organisation: Organisation | None = None,
) -> list[Task]:
    """Mark the open tasks of these kinds done, saying what closed them."""
    tasks = list(
        Task.objects.select_for_update()
        .filter(
            case=case, organisation=organisation, kind__in=kinds, state=Task.State.OPEN
        )
        .select_related("organisation", "case")
    )
    return _finish(
        tasks,
        state=Task.State.DONE,
        actor=actor,
        resolution=resolution,
        message=message,
        acting_organisation=acting_organisation,
    )


def cancel_tasks(
    *,
    case: Any,
    actor: User | None,
    resolution: str,
    kinds: list[Task.Kind] | None = None,
    acting_organisation: Organisation | None = None,
) -> list[Task]:
    """Cancel a case's open tasks (all, or of these kinds), with the reason."""
    queryset = Task.objects.select_for_update().filter(case=case, state=Task.State.OPEN)
    if kinds is not None:
        queryset = queryset.filter(kind__in=kinds)
    tasks = list(queryset.select_related("organisation", "case"))
    return _finish(
        tasks,
        state=Task.State.CANCELLED,
        actor=actor,
        resolution=resolution,
        acting_organisation=acting_organisation,
    )
