"""The delivery worker killed in the middle of a batch, as real processes.

The outbox is filled in this process; the worker is the production one
(`manage.py db_worker`) in a child process that reaches the test's database:
PostgreSQL's test database directly, or, for SQLite's in-memory test database,
a file copy that is read back afterwards. The mail server is a real SMTP server
on 127.0.0.1 (the SMTP sink) that stops answering after a number of mails; the
test then kills the worker with SIGKILL (no clean-up of any kind), starts a
new one as a service manager would, and runs the scheduler's sweep once the
dead worker's claim has run out (NOTIFICATION_CLAIM_SECONDS, 2 s here).

Where the kill lands decides what "exactly once" can mean over SMTP:
- The server has not taken the mail yet (it holds back its answer to RCPT):
  nothing is lost and nothing is sent twice.
- The server has taken the mail but its "250" has not reached the worker:
  the worker cannot know the mail went out, so it is sent again, the only
  duplicate, with the same Message-ID, by which mail programs drop the copy.

These tests wait for real processes (a few seconds each) instead of moving a
clock, because the processes have their own.
"""

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from claimbridge.audit.models import AuditEvent
from claimbridge.cases.models import Case
from claimbridge.cases.tests.factories import CaseFactory
from claimbridge.notifications import services
from claimbridge.notifications.models import Notification
from claimbridge.notifications.smtp_sink import (
    SERVER_HOSTNAME,
    MailSinkHandler,
    ReceivedMail,
    SinkController,
)
from claimbridge.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
CLAIM_SECONDS = 2
WAIT_SECONDS = 60  # an upper bound for a loaded machine; normally a few seconds


# --- the mail server that stops answering ------------------------------------------


class StallingHandler(MailSinkHandler):
    """The SMTP sink, which after `stall_after` mails stops answering one command.

    `stall_in="RCPT"`: the next mail's recipient gets no answer, so the server
    has not taken that mail. `stall_in="DATA"`: the next mail is taken and
    kept, but the "250" is held back. Either way `stalled` is set and the
    server waits until `release` is set; it stalls once.
    """

    def __init__(self, stall_after: int, stall_in: str) -> None:
        super().__init__()
        self.stall_after: int | None = stall_after
        self.stall_in = stall_in
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def _stall(self) -> None:
        self.stall_after = None
        self.stalled.set()
        while not self.release.is_set():
            await asyncio.sleep(0.02)

    def _due(self, phase: str) -> bool:
        return (
            self.stall_in == phase
            and self.stall_after is not None
            and len(self.messages) >= self.stall_after
        )

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if self._due("RCPT"):
            await self._stall()
        return await super().handle_RCPT(server, session, envelope, address, options)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        due = self._due("DATA")
        answer = await super().handle_DATA(server, session, envelope)
        if due:
            await self._stall()
        return answer


@pytest.fixture
def smtp_server() -> Iterator[Callable[[int, str], tuple[StallingHandler, int]]]:
    controllers = []

    def start(stall_after: int, stall_in: str) -> tuple[StallingHandler, int]:
        handler = StallingHandler(stall_after, stall_in)
        controller = SinkController(
            handler, hostname="127.0.0.1", port=0, server_hostname=SERVER_HOSTNAME
        )
        controller.start()
        controllers.append(controller)
        return handler, controller.port

    yield start
    for controller in controllers:
        controller.handler.release.set()
        controller.stop()


# --- the database the child processes use --------------------------------------------


class SharedDatabase:
    """The test database as a DATABASE_URL for child processes.

    PostgreSQL's test database (committed data, `transaction=True`) is reached
    directly. SQLite's in-memory test database is invisible to other
    processes: `push()` copies it to a file they use, `pull()` copies the file
    back, so the test reads what they wrote through the ORM.
    """

    def __init__(self, folder: Path) -> None:
        db = connection.settings_dict
        self.copy: Path | None = None
        if connection.vendor == "sqlite":
            if connection.is_in_memory_db():
                self.copy = folder / "shared.sqlite3"
                self.url = f"sqlite:///{self.copy}"
            else:
                self.url = f"sqlite:///{db['NAME']}"
        elif connection.vendor == "postgresql":
            password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
            host = quote(db["HOST"] or "localhost", safe="")
            self.url = (
                f"postgres://{quote(db['USER'], safe='')}{password}@{host}:"
                f"{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"
            )
        else:
            pytest.skip(f"No shared test database for {connection.vendor}")

    def push(self) -> None:
        if self.copy is not None:
            connection.ensure_connection()
            with sqlite3.connect(self.copy) as target:
                connection.connection.backup(target)
            target.close()

    def pull(self) -> None:
        if self.copy is not None:
            source = sqlite3.connect(self.copy)
            try:
                source.backup(connection.connection)
            finally:
                source.close()


class Processes:
    """Django commands in child processes, with their output kept for failures."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.started: list[subprocess.Popen] = []

    def _log(self, name: str) -> Any:
        return open(self.folder / f"{len(self.started):02d}-{name}.log", "wb")

    def start(self, *command: str) -> subprocess.Popen:
        log = self._log(command[0])
        # The command is one of this module's constants, never outside input.
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.started.append(process)
        return process

    def run(self, *command: str) -> None:
        process = self.start(*command)
        assert process.wait(timeout=WAIT_SECONDS) == 0, self.output()

    def output(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.folder.glob("*.log"))
        )

    def end_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Callable[[str, int], Processes]]:
    made: list[Processes] = []

    def make(database_url: str, smtp_port: int) -> Processes:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "false",
            # Longer than the test ever lets the server stall.
            "EMAIL_TIMEOUT": str(WAIT_SECONDS),
            "NOTIFICATION_CLAIM_SECONDS": str(CLAIM_SECONDS),
            "SITE_URL": "http://testserver",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        (tmp_path / "logs").mkdir(exist_ok=True)
        made.append(Processes(tmp_path / "logs", env))
        return made[-1]

    yield make
    for group in made:
        group.end_all()


WORKER = ("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1")


def wait_for(
    condition: Callable[[], bool], what: str, output: Callable[[], str]
) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"Timed out waiting for {what}\n{output()}"
        time.sleep(0.05)


# --- the outbox --------------------------------------------------------------------


@pytest.fixture
def case(client_org, partner_org):
    return CaseFactory(
        client=client_org, partner=partner_org, status=Case.Status.ACTIVE
    )


@pytest.fixture
def people(partner_org, agent, agent_colleague):
    extra = [
        MembershipFactory(
            organisation=partner_org, user__email=f"p{n}@hansen.example"
        ).user
        for n in (3, 4)
    ]
    return [agent, agent_colleague, *extra]


def queue(case, partner_org, people, count: int) -> list[int]:
    """Queue `count` mails taking turns among the people (each queues a job)."""
    for n in range(count):
        services.queue_email(
            kind=Notification.Kind.CASE_SUBMITTED,
            organisation=partner_org,
            case=case,
            context={"client_name": f"Notice {n:03d}", "actor": None},
            recipients=[people[n % len(people)]],
        )
    return list(Notification.objects.order_by("id").values_list("id", flat=True))


def ids_of(mail: ReceivedMail) -> list[int]:
    return [int(pk) for pk in mail.message["X-Claimbridge-Notification"].split(",")]


def crash_and_restart(
    handler: StallingHandler, database: SharedDatabase, run: Processes, count: int
) -> tuple[int, int]:
    """Kill the worker where the server stalls, restart it, run the sweep.

    Returns how many mails the server had when the worker died, and the dead
    worker's exit code.
    """
    database.push()
    first = run.start(*WORKER)
    wait_for(handler.stalled.is_set, "the server to stall", run.output)
    first.send_signal(signal.SIGKILL)
    code = first.wait(timeout=WAIT_SECONDS)
    stalled_at = time.monotonic()
    had = len(handler.messages)
    handler.release.set()

    second = run.start(*WORKER)  # restarted at once, as by a service manager
    # The dead worker's claim ran out CLAIM_SECONDS after it was made, which
    # was before the server stalled; then the sweep queues a delivery job.
    time.sleep(max(0.0, stalled_at + CLAIM_SECONDS + 0.3 - time.monotonic()))
    run.run("run_scheduler", "--once")

    def all_delivered() -> bool:
        assert second.poll() is None, run.output()
        return len({pk for m in list(handler.messages) for pk in ids_of(m)}) == count

    wait_for(all_delivered, f"all {count} mails", run.output)
    second.send_signal(signal.SIGTERM)  # finishes the job at hand, then exits
    assert second.wait(timeout=WAIT_SECONDS) == 0, run.output()
    database.pull()
    return had, code


def test_worker_killed_before_the_server_took_a_mail_loses_none_and_sends_none_twice(
    case, partner_org, people, smtp_server, processes, tmp_path
):
    handler, port = smtp_server(stall_after=30, stall_in="RCPT")
    queued = queue(case, partner_org, people, 100)
    database = SharedDatabase(tmp_path)
    run = processes(database.url, port)

    had, exit_code = crash_and_restart(handler, database, run, count=100)

    assert exit_code == -signal.SIGKILL
    assert had == 30
    received = [pk for mail in handler.messages for pk in ids_of(mail)]
    assert sorted(received) == queued, run.output()  # each once, none lost
    message_ids = [mail.message["Message-ID"] for mail in handler.messages]
    assert len(set(message_ids)) == len(message_ids) == 100
    by_person = defaultdict(list)
    for mail in handler.messages:
        by_person[mail.rcpt_tos[0]] += ids_of(mail)
    assert set(by_person) == {person.email for person in people}
    for person, ids in by_person.items():
        assert ids == sorted(ids), f"{person} got mails out of order: {ids}"
    rows = Notification.objects.all()
    assert {(r.email_status, r.attempts, r.claimed_until) for r in rows} == {
        (Notification.EmailStatus.SENT, 1, None)
    }
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.NOTIFICATION_SENT).count()
        == 100
    )
    # The dead worker's job never finished: the restart and the sweep did its work.
    # (The restarted worker, stopped with SIGTERM at the end, may have left one
    # more job marked running if the signal came while it ran one.)
    assert DBTaskResult.objects.running().count() in {1, 2}


def test_worker_killed_after_the_server_took_a_mail_sends_that_one_again_as_the_same(
    case, partner_org, people, smtp_server, processes, tmp_path
):
    handler, port = smtp_server(stall_after=5, stall_in="DATA")
    queued = queue(case, partner_org, people, 20)
    database = SharedDatabase(tmp_path)
    run = processes(database.url, port)

    had, exit_code = crash_and_restart(handler, database, run, count=20)

    assert exit_code == -signal.SIGKILL
    assert had == 6  # the sixth was taken, but its "250" never reached the worker
    in_flight = ids_of(handler.messages[5])
    received = Counter(pk for mail in handler.messages for pk in ids_of(mail))
    assert sorted(received) == queued, run.output()  # none lost
    assert {pk for pk, n in received.items() if n > 1} == set(in_flight)
    assert max(received.values()) == 2
    copies = [m for m in handler.messages if ids_of(m) == in_flight]
    assert len({str(m.message["Message-ID"]) for m in copies}) == 1
    assert not Notification.objects.exclude(
        email_status=Notification.EmailStatus.SENT
    ).exists()
