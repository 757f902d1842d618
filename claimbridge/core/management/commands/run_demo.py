"""Run the demo in the foreground: SMTP sink, worker, scheduler and web server.

A small supervisor for `make demo`. Each process runs in its own process
group, so Ctrl-C reaches only this command, which then stops every group in
order (SIGTERM, then SIGKILL after a grace period). When one process dies, the
others are stopped too and the command fails, naming the process.
"""

import ctypes
import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claimbridge.core.demo import builder as demo_builder
from claimbridge.core.demo import data as demo_data

HOST = "127.0.0.1"
READY_TIMEOUT = 30.0
STOP_GRACE = 10.0


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    reader: threading.Thread | None = field(default=None, repr=False)


class Command(BaseCommand):
    help = (
        "Run the demo: SMTP sink, background worker, scheduler and gunicorn, "
        "until Ctrl-C. Use after `migrate` and `seed_demo` (see `make demo`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT") or 8000),
            help="Web server port on 127.0.0.1 (default: $PORT or 8000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port: int = options["port"]
        email_port = int(settings.EMAIL_PORT)
        _require_free_port(port, "PORT", "the web server")
        _require_free_port(email_port, "EMAIL_PORT", "the SMTP sink")
        if not getattr(settings, "WHITENOISE_USE_FINDERS", False):
            # WhiteNoise serves from STATIC_ROOT only when it does not use the
            # finders (production settings); fill it first.
            call_command("collectstatic", interactive=False, verbosity=0)

        self._output_lock = threading.Lock()
        self._stop_requested = threading.Event()
        self._children: list[Child] = []
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._request_stop)

        env = _child_env(port, email_port)
        python = sys.executable
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        failure: str | None = None
        try:
            failure = self._run(python, manage, port, email_port, env)
        finally:
            self._stop_all()
        if failure is not None:
            raise CommandError(failure)
        self._print("Demo stopped.\n")

    def _run(
        self, python: str, manage: str, port: int, email_port: int, env: dict[str, str]
    ) -> str | None:
        """Start everything, print the banner, then watch; return why it ended badly."""
        sink, *others = _programs(python, manage, port, email_port)
        self._start(sink, env)
        failure = self._wait_for(lambda: _port_open(email_port), sink.name)
        if failure is not None or self._stop_requested.is_set():
            return failure
        for child in others:
            self._start(child, env)
        failure = self._wait_for(lambda: _http_answers(port), "web")
        if failure is not None or self._stop_requested.is_set():
            return failure
        # Let the start-up lines (and the probe's access log line) come out
        # first, so the banner is the last thing on the screen.
        self._stop_requested.wait(0.5)
        self._print(_banner(port, email_port))
        return self._watch()

    # --- children -----------------------------------------------------------

    def _start(self, child: Child, env: dict[str, str]) -> None:
        child.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            child.argv,
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Own session and process group: the terminal's Ctrl-C reaches only
            # the supervisor, which stops each group in order.
            start_new_session=True,
            preexec_fn=_stop_with_supervisor(os.getpid()),  # noqa: PLW1509
        )
        child.reader = threading.Thread(
            target=self._relay, args=(child.name, child.process.stdout), daemon=True
        )
        child.reader.start()
        self._children.append(child)

    def _relay(self, name: str, stream: IO[bytes] | None) -> None:
        if stream is None:
            return
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self._print(f"{name:>9} | {line}\n")

    def _request_stop(self, signum: int, frame: Any) -> None:
        self._stop_requested.set()

    def _dead_child(self) -> str | None:
        for child in self._children:
            assert child.process is not None
            code = child.process.poll()
            if code is not None:
                how = (
                    f"was killed by {signal.Signals(-code).name}"
                    if code < 0
                    else f"exited with code {code}"
                )
                return f"{child.name} {how} unexpectedly."
        return None

    def _wait_for(self, ready: Any, name: str) -> str | None:
        deadline = time.monotonic() + READY_TIMEOUT
        while not self._stop_requested.is_set():
            dead = self._dead_child()
            if dead is not None:
                return dead
            if ready():
                return None
            if time.monotonic() > deadline:
                return f"{name} did not start within {READY_TIMEOUT:.0f} seconds."
            self._stop_requested.wait(0.2)
        return None

    def _watch(self) -> str | None:
        while not self._stop_requested.wait(0.5):
            dead = self._dead_child()
            if dead is not None:
                return dead
        return None

    def _stop_all(self) -> None:
        running = [c for c in reversed(self._children) if c.process is not None]
        if not running:
            return
        self._print("Stopping " + ", ".join(c.name for c in running) + " ...\n")
        for child in running:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self._print(f"{child.name} did not stop in time; killing it.\n")
        for child in running:
            # Also reaps what is left of a group whose leader already exited
            # (e.g. gunicorn workers of a dead master).
            _signal_group(child, signal.SIGKILL)
            assert child.process is not None
            child.process.wait()
            if child.reader is not None:
                child.reader.join(timeout=2)

    def _print(self, text: str) -> None:
        with self._output_lock:
            self.stdout.write(text, ending="")
            self.stdout.flush()


def _programs(python: str, manage: str, port: int, email_port: int) -> list[Child]:
    """The demo's processes, in start order; the SMTP sink comes first."""
    sink = f"smtp_sink --host {HOST} --port {email_port}"
    # --no-reload: one process per program, so stopping its group stops it.
    worker = "db_worker --interval 1 --no-reload --no-startup-delay"
    # No control socket: it would sit in the home directory, and two demos
    # would fight over its one path.
    web = (
        f"config.wsgi --bind {HOST}:{port} --workers 2 --access-logfile - "
        "--graceful-timeout 5 --no-control-socket"
    )
    return [
        Child("smtp", [python, manage, *sink.split()]),
        Child("worker", [python, manage, *worker.split()]),
        Child("scheduler", [python, manage, "run_scheduler"]),
        Child("web", [python, "-m", "gunicorn", *web.split()]),
    ]


def _child_env(port: int, email_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": HOST,
            "EMAIL_PORT": str(email_port),
            "SITE_URL": f"http://{HOST}:{port}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("PORT", None)
    return env


def _signal_group(child: Child, signum: int) -> None:
    assert child.process is not None
    try:
        os.killpg(child.process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _require_free_port(port: int, variable: str, what: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise CommandError(
                f"Port {port} on {HOST}, for {what}, is in use (another demo "
                f"running?). Stop it or choose another port, e.g. "
                f"`{variable}={port + 100} make demo`."
            ) from exc


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def _http_answers(port: int) -> bool:
    url = f"http://{HOST}:{port}/accounts/login/"
    try:
        with urllib.request.urlopen(url, timeout=10):  # noqa: S310 - fixed local URL
            return True
    except urllib.error.HTTPError:
        # Any HTTP answer, even an error page, means the server is up.
        return True
    except OSError:
        return False


def _banner(port: int, email_port: int) -> str:
    site = f"http://{HOST}:{port}"
    logins = demo_builder.demo_logins()
    rule = "=" * 78
    lines = ["", rule, f"  Claimbridge demo is running at {site}/", rule]
    if logins:
        lines.append(f"  Demo logins (password for all: {demo_data.PASSWORD})")
        width = max(len(email) for email, _ in logins)
        lines += [f"    {email:<{width}}  {roles}" for email, roles in logins]
    else:
        lines.append("  No demo data found: run `manage.py seed_demo` first.")
    lines += [
        "",
        f"  Mail: every e-mail is caught by the SMTP sink on {HOST}:{email_port}",
        f"    and saved as an .eml file in {settings.DEMO_MAIL_DIR}",
        f"    Platform staff read them at {site}/notifications/mailbox/",
        "",
        "  Press Ctrl-C to stop the web server, worker, scheduler and SMTP sink.",
        rule,
        "",
    ]
    return "\n".join(lines) + "\n"


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _stop_with_supervisor(supervisor: int) -> Any:
    """In the child before it starts: on Linux, a SIGTERM when the supervisor dies.

    Stopped in order, the children never need it; but a supervisor killed
    outright (SIGKILL, a crashed terminal) would leave them running in their
    own process groups, holding the ports of the next `make demo`.
    """

    # Loaded before the fork: between fork and exec the child may not import.
    libc = (
        ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
    )

    def preexec() -> None:
        if libc is None:
            return
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != supervisor:  # it died before the line above
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec
