"""Periodic jobs of the case workflow (Django's tasks API)."""

from django_tasks import task

from . import services


@task()
def open_monthly_update_tasks() -> int:
    return services.open_due_monthly_update_tasks()
