"""Every kind of e-mail, as it leaves the outbox: both parts, the case named, its link.

Each kind in templates/emails/ (one `<kind>.subject.txt` each) is made by the
real workflow with fixed data and a frozen clock, delivered, and compared with
a snapshot of its subject and plain text in `snapshots/<kind>.txt`. Case
numbers and ids depend on the database, so the snapshot writes the n-th case
of the test as `CB-<case n>` and its address as `/cases/<case n>/`.

After a deliberate change of a template, rewrite the snapshots and review the
diff before committing it:

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest claimbridge/notifications -k snapshot
"""

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.mail import EmailMultiAlternatives

from claimbridge.cases import services
from claimbridge.cases.models import Case
from claimbridge.cases.tests.workflow import (
    accept,
    membership_of,
    pause,
    post,
    request_info,
    upload,
)
from claimbridge.core.testing import checked_upload, submit
from claimbridge.notifications.models import Notification, NotificationPreference
from claimbridge.notifications.services import (
    deliver_due_notifications,
    send_daily_digests,
    set_notification_preferences,
)
from claimbridge.tasks.services import send_task_reminders

pytestmark = pytest.mark.django_db

SNAPSHOTS = Path(__file__).parent / "snapshots"
EMAILS = Path(__file__).resolve().parents[3] / "templates" / "emails"
KINDS = sorted(
    path.name.removesuffix(".subject.txt") for path in EMAILS.glob("*.subject.txt")
)
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
MONDAY = datetime(2026, 12, 14, 9, 0, tzinfo=COPENHAGEN)
Category = Notification.Category
Choice = NotificationPreference.Choice


class Scene:
    """The people, the clock and the outbox of one rendering."""

    def __init__(self, people, settings, time_machine, mailoutbox) -> None:
        self.manager, self.agent, self.partner_org = people
        self.settings = settings
        self.time_machine, self.mailoutbox = time_machine, mailoutbox
        settings.NOTIFICATION_QUIET_SECONDS = 0
        time_machine.move_to(MONDAY, tick=False)

    def at(self, text: str) -> None:
        self.time_machine.move_to(
            datetime.fromisoformat(text).replace(tzinfo=COPENHAGEN), tick=False
        )

    def case(self, **data: Any) -> Any:
        return submit(self.manager, self.partner_org, **data)

    def active_case(self, **data: Any) -> Any:
        return accept(self.case(**data), self.agent)

    def settle(self) -> None:
        """Send what the steps so far queued; the next mail is the one to check."""
        deliver_due_notifications()
        self.mailoutbox.clear()

    def mail_to(self, user) -> EmailMultiAlternatives:
        deliver_due_notifications()
        [mail] = [m for m in self.mailoutbox if m.to == [user.email]]
        return mail


def case_submitted(s: Scene) -> tuple[EmailMultiAlternatives, list[Any]]:
    case = s.case()
    return s.mail_to(s.agent), [case]


def info_requested(s: Scene) -> tuple[EmailMultiAlternatives, list[Any]]:
    case = s.case()
    s.settle()
    s.at("2026-12-14 11:15")
    services.change_case_status(
        case_id=case.pk,
        actor=s.agent,
        membership=membership_of(s.agent),
        to_status=Case.Status.MORE_INFO_REQUIRED,
        message="Please send the signed contract.\nThe debtor denies having signed.",
        uploads=[checked_upload("Debtor letter.pdf")],
    )
    return s.mail_to(s.manager), [case]


def message_posted(s: Scene) -> tuple[EmailMultiAlternatives, list[Any]]:
    case = s.active_case()
    s.settle()
    post(case, s.agent, "The debtor offers three instalments.\nShall we agree?")
    return s.mail_to(s.manager), [case]


def message_digest(s: Scene) -> tuple[EmailMultiAlternatives, list[Any]]:
    case = s.active_case()
    s.settle()
    s.settings.NOTIFICATION_QUIET_SECONDS = 600
    post(case, s.manager, "Good morning, any news?")
    s.at("2026-12-14 09:01")
    upload(case, s.manager, "Delivery note.pdf")
    s.at("2026-12-14 09:02")
    post(case, s.manager, "The delivery note is attached.")
    s.at("2026-12-14 09:12")
    return s.mail_to(s.agent), [case]


def status_changed(s: Scene) -> tuple[EmailMultiAlternatives, list[Any]]:
    case = s.active_case()
    s.settle()
    pause(case, s.agent, "The debtor pays in three instalments from January.")
    return s.mail_to(s.manager), [case]


def _reminder(s: Scene, when: str) -> tuple[EmailMultiAlternatives, list[Any]]:
    set_notification_preferences(
        actor=s.manager, choices={Category.TASK_REMINDERS: Choice.IMMEDIATELY}
    )
    case = request_info(s.case(), s.agent)  # the client's task is due Wednesday
    s.settle()
    s.at(when)
    send_task_reminders()
    return s.mail_to(s.manager), [case]


def task_due_soon(s: Scene) -> tuple[EmailMultiAlternatives, list[Any]]:
    return _reminder(s, "2026-12-15 06:30")


def task_overdue(s: Scene) -> tuple[EmailMultiAlternatives, list[Any]]:
    return _reminder(s, "2026-12-17 06:30")


def daily_digest(s: Scene) -> tuple[EmailMultiAlternatives, list[Any]]:
    set_notification_preferences(
        actor=s.manager,
        choices={
            Category.MESSAGES: Choice.DIGEST,
            Category.STATUS_CHANGES: Choice.DIGEST,
        },
    )
    first = s.active_case()
    second = s.active_case(
        debtor_company_name="Skovly Caféer ApS", client_reference="NM-2"
    )
    s.at("2026-12-14 15:30")
    post(first, s.agent, "The debtor promised to pay on Friday.")
    post(second, s.agent, "Letter returned: address unknown.")
    s.settle()
    s.at("2026-12-15 07:00")
    send_daily_digests()
    return s.mail_to(s.manager), [first, second]


SCENES: dict[str, Callable[[Scene], tuple[EmailMultiAlternatives, list[Any]]]] = {
    "case_submitted": case_submitted,
    "daily_digest": daily_digest,
    "info_requested": info_requested,
    "message_digest": message_digest,
    "message_posted": message_posted,
    "status_changed": status_changed,
    "task_due_soon": task_due_soon,
    "task_overdue": task_overdue,
}


def case_link(case) -> str:
    return f"http://testserver/cases/{case.pk}/"


def as_snapshot(mail: EmailMultiAlternatives, cases: list[Any]) -> str:
    text = f"Subject: {mail.subject}\nTo: {', '.join(mail.to)}\n\n{mail.body}"
    for number, case in enumerate(cases, start=1):
        text = text.replace(f"/cases/{case.pk}/", f"/cases/<case {number}>/")
        text = text.replace(case.reference, f"CB-<case {number}>")
    return text


def check_snapshot(kind: str, text: str) -> None:
    path = SNAPSHOTS / f"{kind}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"No snapshot {path}: run with UPDATE_SNAPSHOTS=1"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"The {kind} mail differs from {path}; if the change is intended, run "
        "with UPDATE_SNAPSHOTS=1 and review the diff."
    )


@pytest.fixture
def scene(manager, agent, partner_org, settings, time_machine, mailoutbox):
    return Scene((manager, agent, partner_org), settings, time_machine, mailoutbox)


def test_every_kind_of_mail_has_a_scene():
    assert sorted(SCENES) == KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_mail_has_text_and_html_names_the_case_and_links_to_it(scene, kind):
    mail, cases = SCENES[kind](scene)

    html = [
        content for content, mimetype in mail.alternatives if mimetype == "text/html"
    ]
    assert (
        mail.body.strip() and len(html) == 1 and html[0].startswith("<!doctype html>")
    )
    for case in cases:
        assert case.reference in mail.subject
        assert case.reference in mail.body and case.reference in html[0]
        assert case_link(case) in mail.body
        assert f'href="{case_link(case)}"' in html[0]
    for leftover in ("{{", "{%", "None"):
        assert leftover not in mail.subject + mail.body + html[0]


@pytest.mark.parametrize("kind", KINDS)
def test_mail_matches_its_snapshot(scene, kind):
    mail, cases = SCENES[kind](scene)

    check_snapshot(kind, as_snapshot(mail, cases))
