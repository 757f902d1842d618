"""Periodic work: which background jobs are queued how often.

`manage.py run_scheduler` is the one entry point that starts periodic work. It
only queues jobs; the worker (`manage.py db_worker`) runs them. Jobs are named
by dotted path so this module imports no app at load time. Every periodic
job is idempotent: running it twice, or late, does no harm.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    """A job of the tasks API (a `@task` function) and how often to queue it."""

    path: str
    every_seconds: int


SCHEDULE: list[PeriodicJob] = [
    # The outbox sweep: mails whose delivery job was lost, whose retry is due,
    # or whose chat group has become quiet.
    PeriodicJob(
        "claimbridge.notifications.jobs.deliver_notifications", every_seconds=30
    ),
    # Monthly case updates: opens the task when a case's month has passed.
    # Daily work, run hourly so each time zone gets it soon after midnight;
    # it opens each task once however often it runs.
    PeriodicJob("claimbridge.cases.jobs.open_monthly_update_tasks", every_seconds=3600),
    # Reminders of tasks due tomorrow and overdue, from 06:00 local time; before
    # the digests, so a reminder made in the morning is in that day's digest.
    PeriodicJob("claimbridge.tasks.jobs.send_task_reminders", every_seconds=600),
    # Daily digests, from 07:00 in each organisation's time zone, once a day.
    PeriodicJob("claimbridge.notifications.jobs.send_daily_digests", every_seconds=600),
    # Rate-limit counters of windows that have passed (core.cache).
    PeriodicJob(
        "claimbridge.core.jobs.delete_expired_rate_counters", every_seconds=3600
    ),
]


def due_jobs(
    schedule: list[PeriodicJob], last_queued: Mapping[str, float], now: float
) -> list[PeriodicJob]:
    """The jobs to queue at `now` (monotonic seconds).

    Rules: a job never queued yet is due at once; otherwise it is due when
    `every_seconds` have passed since it was last queued.
    """
    return [
        job
        for job in schedule
        if job.path not in last_queued
        or now - last_queued[job.path] >= job.every_seconds
    ]


def queue_job(job: PeriodicJob) -> bool:
    """Queue one run of the job; say whether that worked.

    A failure (database briefly away) is logged, not raised: the next round
    queues the job again, and the scheduler must keep going.
    """
    try:
        import_string(job.path).enqueue()
    except Exception:
        logger.exception("Could not queue %s", job.path)
        return False
    return True
