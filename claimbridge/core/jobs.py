"""Periodic upkeep of the core app."""

from django_tasks import task

from claimbridge.core.cache import delete_expired_counters


@task()
def delete_expired_rate_counters() -> int:
    """Rate-limit counters whose window has passed (see core.cache)."""
    return delete_expired_counters()
