"""Queue the periodic background jobs of `core.scheduler.SCHEDULE`, forever."""

import signal
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from claimbridge.core.scheduler import SCHEDULE, due_jobs, queue_job


class Command(BaseCommand):
    help = (
        "Queue periodic background jobs (the outbox sweep, monthly update tasks, "
        "task reminders, daily digests) for the worker. Run one scheduler per "
        "installation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=30.0,
            help="Seconds between rounds (default: 30).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Queue every job once, then exit.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval: float = max(options["interval"], 0.1)
        verbosity: int = options["verbosity"]
        if options["once"]:
            for job in SCHEDULE:
                queue_job(job)
                self._say(f"Queued {job.path}", verbosity, level=1)
            return

        stopped = threading.Event()

        def request_stop(signum: int, frame: Any) -> None:
            stopped.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        self._say(
            "Scheduler started: "
            + ", ".join(f"{job.path} every {job.every_seconds}s" for job in SCHEDULE),
            verbosity,
            level=1,
        )
        last_queued: dict[str, float] = {}
        while not stopped.is_set():
            close_old_connections()
            now = time.monotonic()
            for job in due_jobs(SCHEDULE, last_queued, now):
                if queue_job(job):
                    last_queued[job.path] = now
                    self._say(f"Queued {job.path}", verbosity, level=2)
            close_old_connections()
            stopped.wait(interval)
        self._say("Scheduler stopped", verbosity, level=1)

    def _say(self, text: str, verbosity: int, *, level: int) -> None:
        if verbosity >= level:
            self.stdout.write(text)
            self.stdout.flush()
