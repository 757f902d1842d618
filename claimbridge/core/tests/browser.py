"""Fixtures for browser tests: Chromium via Playwright, an SMTP server, the worker.

A browser test module takes the fixtures with
`from claimbridge.core.tests.browser import *  # noqa: F403` (pytest finds
fixtures by name in the module; a named import would be flagged as redefined),
imports the helpers (`log_in`, `live_chat`, `run_worker`) by name, and marks
itself `pytest.mark.browser`. The tests run against pytest-django's
`live_server` (so the database is transactional), skip with a visible reason
where no Chromium is installed, and never download a browser: they drive the
Debian `chromium` package, or the binary named by `CHROMIUM_PATH`.
"""

import os
import re
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Route,
    expect,
    sync_playwright,
)

from claimbridge.notifications.smtp_sink import ReceivedMail, start_sink, stop_sink

# The fixtures, for `import *`; import the helpers by name.
__all__ = ["browser", "chromium_executable", "new_context", "screenshot", "smtp_inbox"]

PASSWORD = "secret-pass-123"  # what the user factory sets
EXPECT_TIMEOUT_MS = 10_000
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Git ignores test-artifacts/ (see .gitignore).
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "browser"
# Requests a page makes on its own: the case page polls its chat (htmx), and
# Chromium asks for a favicon. On SQLite the live server's threads share one
# in-memory connection, on which Django warns that simultaneous queries fail at
# random, and the test's own connection reaches the same database through
# SQLite's shared cache, which locks whole tables. A background request landing
# while the test thread runs the worker, or while another person's request is
# in a transaction, is just that. So the browser answers these requests itself
# ("nothing new"), except while a test lets the chat through (`live_chat`).
CHAT_POLL = re.compile(r"/cases/\d+/chat/")
POLL_SECONDS = 3  # hx-trigger="every 3s" in cases/_chat_log.html
FAVICON = re.compile(r"/favicon\.ico$")


@pytest.fixture
def chromium_executable() -> str:
    """The Chromium binary to drive; the test skips, saying why, if there is none."""
    path = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        pytest.skip(
            f"No Chromium at {path}: install the Debian 'chromium' package "
            "or set CHROMIUM_PATH"
        )
    return path


@pytest.fixture
def browser(chromium_executable: str) -> Iterator[Browser]:
    """A headless Chromium, closed after the test.

    Playwright's sync API keeps an asyncio loop running in this thread while it
    is started, so Django would refuse ORM calls from the test ("You cannot call
    this from an async context"). Allowing them is safe here: the test thread
    does not run coroutines of its own. The variable is restored afterwards, so
    other tests keep Django's guard.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # A loaded CI machine can take longer than Playwright's 5 s default.
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield chromium
            finally:
                chromium.close()
                # Inside this block the test body runs in the contextvars
                # context that Playwright's sync API sets up, in which Django
                # keeps connections of its own (apart from the fixtures'
                # ones). Close them here, or PostgreSQL keeps a session open
                # and the test database cannot be dropped.
                connections.close_all()
    finally:
        expect.set_options(timeout=5_000)
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class PageProblems:
    """What went wrong in the pages of one context: server errors, script errors."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.errors.append(f"script error: {error}"))
        page.on("response", self._response)

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.errors.append(
                f"{response.status} {response.request.method} {response.url}"
            )


def _nothing_new(route: Route) -> None:
    route.fulfill(status=204)


@contextmanager
def live_chat(context: BrowserContext, *, catch_up: bool = True) -> Iterator[None]:
    """Let the case pages of this context poll the server for new chat entries.

    With `catch_up` the pages' clock jumps ahead by one poll interval, so the
    next poll goes out now instead of up to POLL_SECONDS later; without it the
    pages poll on their own timer (for a test of how soon an entry shows).
    Keep the test thread away from the database inside the block (only
    Playwright calls): see CHAT_POLL.
    """
    context.unroute(CHAT_POLL, _nothing_new)
    try:
        if catch_up:
            context.clock.fast_forward(POLL_SECONDS * 1000)
        yield
    finally:
        context.route(CHAT_POLL, _nothing_new)


@pytest.fixture
def new_context(
    browser: Browser, live_server: Any
) -> Iterator[Callable[[], tuple[BrowserContext, Page]]]:
    """Make a separate browser context (one person, own cookies) with one page.

    Each page records HTTP errors and script errors; the test fails at teardown
    if any occurred, so a 500 behind an auto-waiting locator is not missed.
    Background requests are answered by the browser (see CHAT_POLL).
    """
    contexts: list[BrowserContext] = []
    problems = PageProblems()

    def make() -> tuple[BrowserContext, Page]:
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": 1280, "height": 900},
            locale="en-GB",
            timezone_id="Europe/Copenhagen",
        )
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        # Timers run as usual, but a test can make time jump (see live_chat).
        context.clock.install()
        context.route(CHAT_POLL, _nothing_new)
        context.route(FAVICON, _nothing_new)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return context, page

    yield make
    for context in contexts:
        context.close()
    assert not problems.errors, "Pages had errors:\n" + "\n".join(problems.errors)


@dataclass
class Inbox:
    """The mails a real SMTP server on 127.0.0.1 received, in arrival order."""

    port: int
    messages: list[ReceivedMail]

    def take(self) -> list[ReceivedMail]:
        """The mails received since the last call, oldest first."""
        taken = list(self.messages)
        del self.messages[: len(taken)]
        return taken


@pytest.fixture
def smtp_inbox(settings: Any, live_server: Any) -> Iterator[Inbox]:
    """Start the SMTP sink on a free port and point Django's SMTP backend at it.

    Mail links use the live server's address (`SITE_URL`), so a test can follow
    them in the browser.
    """
    controller, messages = start_sink(host="127.0.0.1", port=0)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = live_server.url
    try:
        yield Inbox(port=controller.port, messages=messages)
    finally:
        stop_sink(controller)


def run_worker() -> int:
    """Run the real django-tasks database worker until its queue is empty.

    Runs in the calling thread (batch mode, no polling delay). The worker
    installs its own SIGINT/SIGTERM handlers; the previous ones are put back so
    Ctrl+C still stops pytest. A job that failed fails the test with its
    traceback. Returns how many jobs have succeeded so far.
    """
    from django_tasks_db.models import DBTaskResult

    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {number: signal.getsignal(number) for number in signals}
    try:
        call_command(
            "db_worker",
            batch=True,
            interval=0,
            startup_delay=False,
            reload=False,
            verbosity=0,
        )
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)
    failed = list(DBTaskResult.objects.failed())
    assert not failed, "Background jobs failed:\n" + "\n".join(
        f"{r.task_path}: {r.traceback}" for r in failed
    )
    return DBTaskResult.objects.successful().count()


class Screenshots:
    """Numbered full-page screenshots: `<folder>/<nn>-<name>.png`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        folder.mkdir(parents=True, exist_ok=True)
        # Stale pictures of an earlier run would be taken for this run's.
        for old in folder.glob("[0-9][0-9]-*.png"):
            old.unlink()

    def __call__(self, page: Page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def screenshot() -> Screenshots:
    return Screenshots(ARTIFACTS)


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill and send the login form that is on the page."""
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
