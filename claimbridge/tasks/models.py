from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claimbridge.core.choices import choice_label


class Task(models.Model):
    """An action item one organisation owes on a case, with a business-day deadline."""

    class Kind(models.TextChoices):
        REVIEW_NEW_CASE = "review_new_case", _("Review new case")
        PROVIDE_INFORMATION = "provide_information", _("Provide more information")
        REPLY_TO_MESSAGE = "reply_to_message", _("Reply to message")
        MONTHLY_UPDATE = "monthly_update", _("Monthly case update")
        FOLLOW_UP_PAUSED = "follow_up_paused", _("Follow up paused case")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="tasks"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="tasks"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_by_message = models.ForeignKey(
        "messaging.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            # "For us": an organisation's open tasks by deadline (id breaks ties,
            # so a page is read straight off the index).
            models.Index(
                fields=["organisation", "state", "due_on", "id"],
                name="task_org_state_due",
            ),
            # "Waiting on others": all open tasks by deadline, joined to the
            # organisation's cases; only open rows are indexed.
            models.Index(
                fields=["due_on", "id"],
                condition=models.Q(state="open"),
                name="task_open_due",
            ),
            models.Index(fields=["case", "state"], name="task_case_state"),
        ]
        constraints = [
            # One open task of a kind per case and organisation; a second event
            # of the same kind finds the first instead of duplicating it.
            models.UniqueConstraint(
                fields=["case", "organisation", "kind"],
                condition=models.Q(state="open"),
                name="task_one_open_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.case_id})"

    def get_kind_display(self) -> str:
        # Lists call it once per row; see core.choices.choice_label.
        return choice_label(self.Kind, self.kind)

    def is_overdue(self, today: "timezone.datetime.date") -> bool:  # type: ignore[name-defined]
        return self.state == self.State.OPEN and self.due_on < today


class TaskReminder(models.Model):
    """A reminder sent about a task: at most one of each kind per deadline.

    The constraints make the reminder job safe to run any number of times: a
    task is reminded once the day before its deadline and once after it
    passed; a postponed task (new `due_on`) can be reminded again, but never
    twice on the same day.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due tomorrow")
        OVERDUE = "overdue", _("Overdue")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The deadline reminded of, and the owner's local date it was sent on.
    due_on = models.DateField()
    sent_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind", "due_on"],
                name="task_reminder_once_per_deadline",
            ),
            models.UniqueConstraint(
                fields=["task", "sent_on"], name="task_reminder_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder of task {self.task_id} on {self.sent_on}"
