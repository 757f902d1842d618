"""Background jobs of the outbox (Django's tasks API)."""

from django_tasks import task

from . import services


@task()
def deliver_notifications() -> int:
    return services.deliver_due_notifications()


@task()
def send_daily_digests() -> int:
    return services.send_daily_digests()
