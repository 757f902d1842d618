"""Tasks: opened and closed by the case workflow and the periodic jobs, never by hand.

People only assign a task to a colleague or postpone it, with a reason.
"""

import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from claimbridge.accounts.models import User
from claimbridge.audit.models import AuditEvent
from claimbridge.audit.services import record_event
from claimbridge.core.calendar import business_due_date, is_business_day
from claimbridge.core.exceptions import DomainError, PermissionDenied
from claimbridge.notifications.models import Notification
from claimbridge.notifications.services import queue_email
from claimbridge.organisations.models import Membership, Organisation

from .models import Task, TaskReminder

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
    return _create_task(case, organisation, kind, actor, acting_organisation)


def _create_task(
    case: Any,
    organisation: Organisation,
    kind: Task.Kind,
    actor: User | None,
    acting_organisation: Organisation | None,
) -> Task:
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
        summary=(
            f"{task.get_kind_display()} for {organisation.name}, "
            f"due {task.due_on:%Y-%m-%d}"
        ),
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
            summary=(
                f"{task.get_kind_display()} ({task.organisation.name}): {resolution}"
            ),
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


def open_reply_task(
    *,
    case: Any,
    organisation: Organisation,
    actor: User | None,
    acting_organisation: Organisation | None,
) -> Task | None:
    """Open "Reply to message" for the side that received a message, if needed.

    Rules: at most one open per case and side (a later message finds the
    first); none while that side has an open "Provide more information" task,
    which its answer closes anyway. The caller holds the case's row lock.
    """
    already = Task.objects.filter(
        case=case,
        organisation=organisation,
        state=Task.State.OPEN,
        kind__in=[Task.Kind.PROVIDE_INFORMATION, Task.Kind.REPLY_TO_MESSAGE],
    ).exists()
    if already:
        return None
    return _create_task(
        case, organisation, Task.Kind.REPLY_TO_MESSAGE, actor, acting_organisation
    )


# --- the people of the owning organisation ------------------------------------------


def _lock_own_task(task_id: int, membership: Membership) -> Task:
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("case", "organisation", "assigned_to")
        .get(pk=task_id)
    )
    if task.organisation_id != membership.organisation_id:
        raise PermissionDenied()
    if task.state != Task.State.OPEN:
        raise DomainError(_("This task is no longer open."))
    return task


def assign_task(
    *, task_id: int, actor: User, membership: Membership, assignee: User | None
) -> Task:
    """Give a task to a colleague (or to nobody, for the whole organisation).

    Rules: only a member of the organisation that owes the task; only an open
    task; the assignee is an active member of that organisation. Effects: an
    audit event with the old and new assignee.
    """
    with transaction.atomic():
        task = _lock_own_task(task_id, membership)
        if (
            assignee is not None
            and not Membership.objects.filter(
                user=assignee,
                organisation_id=task.organisation_id,
                is_active=True,
                user__is_active=True,
            ).exists()
        ):
            raise DomainError(_("Assign the task to a colleague of your organisation."))
        before = task.assigned_to
        if before == assignee:
            return task
        task.assigned_to = assignee
        task.save(update_fields=["assigned_to"])
        names = [person.display_name if person else "" for person in (before, assignee)]
        record_event(
            action=AuditEvent.Action.TASK_ASSIGNED,
            actor=actor,
            organisation=membership.organisation,
            case=task.case,
            changes={"task": task.pk, "assigned_to": names},
            summary=f"{task.get_kind_display()}: "
            f"{names[0] or _('unassigned')} → {names[1] or _('unassigned')}",
        )
        return task


# A deadline moves at most this far ahead of the owner's today in one step.
MAX_POSTPONE_DAYS = 365


def postpone_task(
    *, task_id: int, actor: User, membership: Membership, due_on: date, reason: str
) -> Task:
    """Move a task's deadline later, saying why.

    Rules: only a member of the organisation that owes the task; only an open
    task; the new date is after the current one and after today, a business
    day of the owner, and within a year; a reason is required. Effects: an
    audit event with the old and new date and the reason; the reminders start
    over for the new date.
    """
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give the reason for postponing the task."))
    with transaction.atomic():
        task = _lock_own_task(task_id, membership)
        if due_on <= task.due_on:
            raise DomainError(
                _("The new deadline must be after %(date)s.")
                % {"date": task.due_on.isoformat()}
            )
        owner = task.organisation
        today = owner.local_today()
        if due_on <= today:
            raise DomainError(
                _("The new deadline must be after today, %(date)s.")
                % {"date": today.isoformat()}
            )
        if due_on > today + timedelta(days=MAX_POSTPONE_DAYS):
            raise DomainError(_("A task can be postponed by at most a year."))
        if not is_business_day(
            due_on,
            country=owner.country.code,
            region=owner.region or None,
            time_zone=owner.time_zone,
        ):
            raise DomainError(
                _("%(date)s is not a business day of %(organisation)s.")
                % {"date": due_on.strftime("%A %Y-%m-%d"), "organisation": owner.name}
            )
        before = task.due_on
        task.due_on = due_on
        task.save(update_fields=["due_on"])
        record_event(
            action=AuditEvent.Action.TASK_POSTPONED,
            actor=actor,
            organisation=membership.organisation,
            case=task.case,
            changes={
                "task": task.pk,
                "due_on": [before.isoformat(), due_on.isoformat()],
                "reason": reason,
            },
            summary=f"{task.get_kind_display()}: {before:%Y-%m-%d} → "
            f"{due_on:%Y-%m-%d} ({reason})"[:500],
        )
        return task


# --- reminders ----------------------------------------------------------------------

# Reminders are made from this local time on, an hour before the daily digest
# (notifications.services.DIGEST_AT), so they are in the same morning's digest.
REMINDERS_FROM = time(6, 0)

REMINDER_KINDS = {
    TaskReminder.Kind.DUE_SOON: Notification.Kind.TASK_DUE_SOON,
    TaskReminder.Kind.OVERDUE: Notification.Kind.TASK_OVERDUE,
}


def send_task_reminders(*, now: datetime | None = None) -> int:
    """Remind of tasks due tomorrow and of overdue tasks; return how many.

    Rules: "tomorrow" and "overdue" are read in the owner organisation's time
    zone (calendar days, not business days); a task is reminded once the day
    before its deadline and once after it passed, never twice on one day
    (TaskReminder's constraints), and a postponed task again for its new
    deadline. Tasks of closed or merged cases are left alone. The reminder
    goes to the person the task is assigned to, else to every member of the
    owning organisation, as a "task reminders" notification (the daily digest
    by default).
    """
    now = now or timezone.now()
    # Local dates run from UTC-12 to UTC+14.
    earliest_today = (now - timedelta(hours=12)).date()
    latest_today = (now + timedelta(hours=14)).date()

    def reminded(kind: str) -> Exists:
        return Exists(
            TaskReminder.objects.filter(
                task=OuterRef("pk"), kind=kind, due_on=OuterRef("due_on")
            )
        )

    due_soon = Q(
        due_on__gte=earliest_today + timedelta(days=1),
        due_on__lte=latest_today + timedelta(days=1),
    ) & ~reminded(TaskReminder.Kind.DUE_SOON)
    overdue = Q(due_on__lt=latest_today) & ~reminded(TaskReminder.Kind.OVERDUE)
    candidates = (
        Task.objects.filter(due_soon | overdue, state=Task.State.OPEN)
        .select_related("case", "organisation", "assigned_to")
        .order_by("due_on", "id")
    )
    sent = 0
    for task in candidates:
        local = now.astimezone(zoneinfo.ZoneInfo(task.organisation.time_zone))
        if local.time() < REMINDERS_FROM or not task.case.is_open:
            continue
        today = local.date()
        if task.due_on == today + timedelta(days=1):
            kind = TaskReminder.Kind.DUE_SOON
        elif task.due_on < today:
            kind = TaskReminder.Kind.OVERDUE
        else:
            continue
        sent += _remind(task, kind, today)
    return sent


def _remind(task: Task, kind: str, today: date) -> int:
    try:
        with transaction.atomic():
            still_open = Task.objects.select_for_update().filter(
                pk=task.pk, state=Task.State.OPEN, due_on=task.due_on
            )
            if not still_open.exists():
                return 0
            TaskReminder.objects.create(
                task=task, kind=kind, due_on=task.due_on, sent_on=today
            )
            mail = {
                "kind": REMINDER_KINDS[kind],
                "organisation": task.organisation,
                "case": task.case,
                "context": {"task": task},
            }
            rows = []
            if task.assigned_to is not None:
                rows = queue_email(**mail, recipients=[task.assigned_to])
            if not rows:
                # Unassigned, or the assignee has left: everyone of the owner.
                queue_email(**mail)
            return 1
    except IntegrityError:
        # Already reminded of this deadline, or of this task today.
        return 0
