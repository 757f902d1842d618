"""Periodic work: which background jobs are queued how often.

`manage.py run_scheduler` is the one entry point that starts periodic work. It
only queues jobs; the worker (`manage.py db_worker`) runs them. Jobs are named
by dotted path so this module imports no app at load time. Add reminders,
digests and monthly updates to `SCHEDULE`.
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
    # The outbox sweep: mails whose delivery job was lost or whose retry is due.
    PeriodicJob(
        "claimbridge.notifications.jobs.deliver_notifications", every_seconds=30
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
