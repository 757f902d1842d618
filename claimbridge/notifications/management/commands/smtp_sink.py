"""Run the demo's local SMTP server: every mail is kept as an .eml file."""

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claimbridge.notifications.smtp_sink import start_sink, stop_sink


class Command(BaseCommand):
    help = (
        "Listen for SMTP on HOST:PORT and store every mail received as an .eml "
        "file in DEMO_MAIL_DIR. For the demo and development only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--port",
            type=int,
            default=None,
            help="Port to listen on (default: the EMAIL_PORT setting, 8025).",
        )
        parser.add_argument(
            "--folder",
            default=None,
            help="Where mails are stored (default: the DEMO_MAIL_DIR setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = (
            options["port"] if options["port"] is not None else settings.EMAIL_PORT
        )
        folder: str = options["folder"] or settings.DEMO_MAIL_DIR
        stopped = threading.Event()

        def request_stop(signum: int, frame: Any) -> None:
            stopped.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        try:
            controller, _ = start_sink(host, port, folder)
        except OSError as exc:
            raise CommandError(f"Cannot listen on {host}:{port}: {exc}") from exc
        self.stdout.write(
            f"SMTP sink listening on {host}:{controller.port}, mails go to {folder}",
        )
        self.stdout.flush()
        try:
            # Event.wait with a timeout keeps the main thread responsive to signals.
            while not stopped.wait(1.0):
                pass
        finally:
            stop_sink(controller)
        self.stdout.write("SMTP sink stopped")
