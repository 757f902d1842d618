"""Each person chooses per category: mailed at once, in the daily digest, or not
mailed."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from claimbridge.cases.tests.workflow import accept, post, request_info
from claimbridge.core.testing import submit
from claimbridge.notifications.models import Notification, NotificationPreference
from claimbridge.notifications.services import (
    deliver_due_notifications,
    send_daily_digests,
    set_notification_preferences,
)
from claimbridge.tasks.services import send_task_reminders

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
MONDAY = datetime(2026, 12, 14, 9, 0, tzinfo=COPENHAGEN)
TUESDAY_DIGEST = datetime(2026, 12, 15, 7, 5, tzinfo=COPENHAGEN)
Category = Notification.Category
Choice = NotificationPreference.Choice
Kind = Notification.Kind


class Scenario:
    """An event of one category, and who hears of it."""

    def __init__(self, personas, time_machine, mailoutbox) -> None:
        self.p = personas
        self.time_machine = time_machine
        self.mailoutbox = mailoutbox
        self.case = None

    def prepare(self, category: str) -> None:
        """The case the event happens on; the mails of getting there are sent."""
        self.time_machine.move_to(MONDAY, tick=False)
        if category == Category.NEW_CASES:
            return
        self.case = submit(self.p["manager"], self.p["partner_org"])
        if category == Category.TASK_REMINDERS:
            request_info(self.case, self.p["agent"])  # due Wednesday
        elif category != Category.STATUS_CHANGES:
            accept(self.case, self.p["agent"])
        deliver_due_notifications()
        self.mailoutbox.clear()

    def happen(self, category: str) -> tuple[object, str]:
        """Make the event happen; return who is told, and the kind of notice."""
        p = self.p
        if category == Category.NEW_CASES:
            self.case = submit(p["manager"], p["partner_org"])
            return p["agent"], Kind.CASE_SUBMITTED
        if category == Category.INFO_REQUESTS:
            request_info(self.case, p["agent"])
            return p["manager"], Kind.INFO_REQUESTED
        if category == Category.MESSAGES:
            post(self.case, p["manager"], "Has the debtor answered?")
            return p["agent"], Kind.MESSAGE_POSTED
        if category == Category.STATUS_CHANGES:
            accept(self.case, p["agent"])
            return p["manager"], Kind.STATUS_CHANGED
        self.time_machine.move_to(datetime(2026, 12, 15, 6, 30, tzinfo=COPENHAGEN))
        send_task_reminders()
        return p["manager"], Kind.TASK_DUE_SOON


@pytest.fixture
def scenario(manager, agent, partner_org, time_machine, mailoutbox) -> Scenario:
    personas = {"manager": manager, "agent": agent, "partner_org": partner_org}
    return Scenario(personas, time_machine, mailoutbox)


def kinds_mailed(mailoutbox, user) -> list[str]:
    """The kind of each mail to the user, read from its notification ids."""
    kinds = []
    for mail in mailoutbox:
        if mail.to != [user.email]:
            continue
        first = mail.extra_headers["X-Claimbridge-Notification"].split(",")[0]
        kinds.append(Notification.objects.get(pk=int(first)).kind)
    return kinds


def digest_morning(time_machine) -> None:
    time_machine.move_to(TUESDAY_DIGEST, tick=False)
    send_daily_digests()
    deliver_due_notifications()


CATEGORIES = list(Category.values)
SWITCHABLE = [c for c in CATEGORIES if c != Category.INFO_REQUESTS]
# Every category with every choice it offers (information requests: no "off").
EVERY_CHOICE = [
    pytest.param(c, choice, id=f"{c}-{choice}")
    for c in CATEGORIES
    for choice in Choice.values
    if not (c == Category.INFO_REQUESTS and choice == Choice.OFF)
]


@pytest.mark.parametrize(("category", "choice"), EVERY_CHOICE)
def test_mails_follow_the_chosen_delivery(
    scenario, category, choice, time_machine, mailoutbox
):
    scenario.prepare(category)
    recipient = (
        scenario.p["agent"]
        if category in (Category.NEW_CASES, Category.MESSAGES)
        else scenario.p["manager"]
    )
    set_notification_preferences(actor=recipient, choices={category: choice})
    told, kind = scenario.happen(category)
    assert told == recipient

    deliver_due_notifications()
    at_once = kinds_mailed(mailoutbox, recipient)
    mailoutbox.clear()
    digest_morning(time_machine)
    in_the_morning = kinds_mailed(mailoutbox, recipient)

    expected = {
        Choice.IMMEDIATELY: ([kind], []),
        Choice.DIGEST: ([], [Kind.DAILY_DIGEST]),
        Choice.OFF: ([], []),
    }[choice]
    assert (at_once, in_the_morning) == expected
    notice = Notification.objects.get(recipient=recipient, kind=kind)
    assert notice.read_at is None  # under the bell whatever the choice
    if choice == Choice.DIGEST:
        headline = notice.subject.split("] ", 1)[1]
        assert f"{scenario.case.reference} · {scenario.case.debtor_name}" in (
            mailoutbox[0].body
        )
        assert headline in mailoutbox[0].body


@pytest.mark.parametrize("how", ["through the service", "stored directly"])
def test_information_requests_are_mailed_even_when_switched_off(
    scenario, manager, how, mailoutbox
):
    scenario.prepare(Category.INFO_REQUESTS)
    if how == "through the service":
        choices = set_notification_preferences(
            actor=manager, choices={Category.INFO_REQUESTS: Choice.OFF}
        )
        assert choices[Category.INFO_REQUESTS] == Choice.IMMEDIATELY
    else:
        NotificationPreference.objects.create(
            user=manager, category=Category.INFO_REQUESTS, choice=Choice.OFF
        )

    scenario.happen(Category.INFO_REQUESTS)
    deliver_due_notifications()

    assert kinds_mailed(mailoutbox, manager) == [Kind.INFO_REQUESTED]


def test_switching_information_requests_off_leaves_the_others_as_chosen(manager):
    choices = set_notification_preferences(
        actor=manager,
        choices={Category.INFO_REQUESTS: Choice.OFF, Category.MESSAGES: Choice.OFF},
    )

    assert choices == {
        Category.NEW_CASES: Choice.IMMEDIATELY,
        Category.INFO_REQUESTS: Choice.IMMEDIATELY,
        Category.MESSAGES: Choice.OFF,
        Category.STATUS_CHANGES: Choice.IMMEDIATELY,
        Category.TASK_REMINDERS: Choice.DIGEST,
    }
    assert not NotificationPreference.objects.filter(
        category=Category.INFO_REQUESTS
    ).exists()


@pytest.mark.parametrize("category", SWITCHABLE)
def test_one_persons_choice_does_not_change_a_colleagues_mail(
    scenario, category, agent_colleague, client_member, mailoutbox
):
    scenario.prepare(category)
    recipient = (
        scenario.p["agent"]
        if category in (Category.NEW_CASES, Category.MESSAGES)
        else scenario.p["manager"]
    )
    colleague = agent_colleague if recipient == scenario.p["agent"] else client_member
    set_notification_preferences(actor=recipient, choices={category: Choice.OFF})

    scenario.happen(category)
    deliver_due_notifications()

    assert kinds_mailed(mailoutbox, recipient) == []
    colleague_choice = NotificationPreference.DEFAULTS[category]
    assert len(kinds_mailed(mailoutbox, colleague)) == (
        1 if colleague_choice == Choice.IMMEDIATELY else 0
    )
