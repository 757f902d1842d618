"""Periodic jobs of the tasks app (Django's tasks API)."""

from django_tasks import task

from . import services


@task()
def send_task_reminders() -> int:
    return services.send_task_reminders()
