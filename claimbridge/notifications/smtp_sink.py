"""A local SMTP server that keeps every mail it receives.

The demo runs it as its mail server (`manage.py smtp_sink`), so the mails the
worker sends land as `.eml` files that the staff mailbox page reads. Tests start
the same server in-process on a free port with `start_sink()`, and set
`handler.refuse = True` to play a mail server that is down for a while.
"""

import email
import logging
import os
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

logger = logging.getLogger(__name__)

REFUSED = "421 Service not available"
# The name the server greets with; a fixed one spares a DNS look-up at start.
SERVER_HOSTNAME = "claimbridge-smtp-sink"


@dataclass
class ReceivedMail:
    """One mail as it arrived: the envelope, the parsed message and its file."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    path: Path | None = None
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def subject(self) -> str:
        # A long encoded subject is folded onto a continuation line; the parser
        # keeps that line's leading space, so normalise the whitespace.
        return " ".join(str(self.message.get("Subject", "")).split())


class MailSinkHandler:
    """aiosmtpd handler: accepts every mail, keeps it in memory and on disk.

    Rules:
    - With `folder`, each mail is written as `<UTC timestamp>-<random>.eml`,
      first to a hidden temporary file that is then renamed, so a reader never
      sees half a mail. Names sort by arrival.
    - With `refuse` set, RCPT and DATA are answered `421 Service not available`
      (the server is going down), as a real server in trouble would, so the
      sender's retry logic can be exercised.
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.messages: list[ReceivedMail] = []
        self.refuse = False
        self._lock = threading.Lock()

    async def handle_RCPT(  # noqa: N802 - the name aiosmtpd calls
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.refuse:
            return REFUSED
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        if self.refuse:
            return REFUSED
        raw: bytes = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=policy.default)
        received = ReceivedMail(
            mail_from=envelope.mail_from or "",
            rcpt_tos=list(envelope.rcpt_tos),
            message=message,  # type: ignore[arg-type]
        )
        if self.folder is not None:
            received.path = self._write(raw, received.received_at)
        with self._lock:
            self.messages.append(received)
        logger.info(
            "Mail from %s to %s: %s",
            received.mail_from,
            ", ".join(received.rcpt_tos),
            received.subject,
        )
        return "250 Message accepted for delivery"

    def _write(self, raw: bytes, received_at: datetime) -> Path:
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{received_at:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}.eml"
        target = self.folder / name
        # Same folder, so the rename is atomic; the dot and suffix keep the
        # temporary file out of the mailbox's "*.eml" listing.
        fd, tmp_name = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(raw)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return target


class SinkController(Controller):
    """aiosmtpd's threaded controller, able to listen on a free port (port=0)."""

    def _trigger_server(self) -> None:
        if self.port == 0 and self.server is not None:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def start_sink(
    host: str = "127.0.0.1", port: int = 0, folder: str | Path | None = None
) -> tuple[SinkController, list[ReceivedMail]]:
    """Start the sink in a background thread; return its controller and inbox.

    `port=0` picks a free port: read it back from `controller.port`. The inbox
    list fills as mails arrive; `controller.handler` is the `MailSinkHandler`
    (set its `refuse` to simulate an outage). Stop with `stop_sink(controller)`.
    """
    # aiosmtpd logs every connection and command at INFO; one line per mail
    # (the handler's) is what a person watching the demo wants to see.
    if logging.getLogger("mail.log").level == logging.NOTSET:
        logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = MailSinkHandler(folder)
    controller = SinkController(
        handler, hostname=host, port=port, server_hostname=SERVER_HOSTNAME
    )
    controller.start()
    return controller, handler.messages


def stop_sink(controller: SinkController) -> None:
    """Stop listening and end the server's thread."""
    controller.stop()
