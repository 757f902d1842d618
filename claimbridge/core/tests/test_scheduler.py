"""Periodic work: what is due when, and the scheduler's single round."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from claimbridge.core.scheduler import SCHEDULE, PeriodicJob, due_jobs

SWEEP = PeriodicJob("claimbridge.notifications.jobs.deliver_notifications", 30)
DIGEST = PeriodicJob("example.jobs.digest", 3600)


def test_a_job_never_queued_is_due_at_once():
    assert due_jobs([SWEEP, DIGEST], {}, now=5.0) == [SWEEP, DIGEST]


def test_a_job_is_due_again_when_its_period_has_passed():
    last = {SWEEP.path: 100.0, DIGEST.path: 100.0}

    assert due_jobs([SWEEP, DIGEST], last, now=129.0) == []
    assert due_jobs([SWEEP, DIGEST], last, now=130.0) == [SWEEP]


@pytest.mark.django_db
def test_run_scheduler_once_queues_every_scheduled_job(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }

    call_command("run_scheduler", "--once", verbosity=0)

    queued = list(DBTaskResult.objects.values_list("task_path", flat=True))
    assert sorted(queued) == sorted(job.path for job in SCHEDULE)
