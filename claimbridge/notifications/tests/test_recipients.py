"""Every notice of a case goes to members of its two organisations, and nobody else.

Whatever anyone else chose: a person of a third organisation and the
platform's staff have every category set to "immediately" and still hear of
nothing. A person in both organisations hears of what either side does, never
of what they did themselves. A person who leaves before their mail goes out
is not mailed.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from claimbridge.accounts.models import User
from claimbridge.cases.services import post_case_message
from claimbridge.cases.tests.workflow import (
    accept,
    merge,
    monthly_update,
    pause,
    post,
    request_info,
    resume,
    upload,
)
from claimbridge.core.testing import submit
from claimbridge.notifications import services
from claimbridge.notifications.models import Notification, NotificationPreference
from claimbridge.notifications.services import (
    deliver_due_notifications,
    send_daily_digests,
    set_notification_preferences,
)
from claimbridge.organisations.models import Membership, Organisation
from claimbridge.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
)
from claimbridge.tasks.services import send_task_reminders

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
Category = Notification.Category
Choice = NotificationPreference.Choice
Status = Notification.EmailStatus


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=COPENHAGEN)


def choose_for_everything(user: User, choice: str) -> None:
    set_notification_preferences(
        actor=user, choices={category: choice for category in Category.values}
    )


@pytest.fixture
def dual(client_org, partner_org):
    """A person who is a member of the client and of the partner."""
    membership = MembershipFactory(
        organisation=client_org, user__email="both@nordlys.example"
    )
    MembershipFactory(organisation=partner_org, user=membership.user)
    choose_for_everything(membership.user, Choice.IMMEDIATELY)
    return membership.user


@pytest.fixture
def strangers(outsider, outsider_partner):
    """People of a third (and fourth) organisation who want every mail at once."""
    for person in (outsider, outsider_partner):
        choose_for_everything(person, Choice.IMMEDIATELY)
    return [outsider, outsider_partner]


@pytest.fixture
def staff(db):
    """The platform's staff: a platform organisation, Django staff and superuser."""
    platform = OrganisationFactory(kind=Organisation.Kind.PLATFORM, name="Ops")
    user = MembershipFactory(
        organisation=platform,
        user__email="ops@claimbridge.example",
        user__is_staff=True,
        user__is_superuser=True,
    ).user
    choose_for_everything(user, Choice.IMMEDIATELY)
    return user


def post_as(case, user, organisation, text):
    """A message by a person of two organisations, written for one of them."""
    return post_case_message(
        case_id=case.pk,
        actor=user,
        membership=Membership.objects.get(user=user, organisation=organisation),
        body=text,
    )


def step(time_machine, when: str) -> None:
    """Deliver what is due, then move the clock to the next event."""
    deliver_due_notifications()
    time_machine.move_to(at(when), tick=False)


def test_every_notice_of_a_case_reaches_only_members_of_its_two_organisations(
    manager,
    client_member,
    agent,
    agent_colleague,
    dual,
    strangers,
    staff,
    client_org,
    partner_org,
    time_machine,
    mailoutbox,
):
    # The clerk reads everything in the daily digest (information requests
    # excepted); the others keep the defaults or want everything at once.
    choose_for_everything(client_member, Choice.DIGEST)
    time_machine.move_to(at("2026-12-14 09:00"), tick=False)
    case = submit(manager, partner_org)
    step(time_machine, "2026-12-14 09:10")
    request_info(case, agent)
    step(time_machine, "2026-12-14 09:20")
    post_as(case, dual, client_org, "The contract is on its way.")
    dual_wrote = [at("2026-12-14 09:20")]
    step(time_machine, "2026-12-14 09:30")
    upload(case, client_member, "Contract.pdf")
    step(time_machine, "2026-12-14 09:40")
    accept(case, agent)
    step(time_machine, "2026-12-14 09:50")
    post_as(case, dual, partner_org, "The debtor asks for instalments. Agreed?")
    dual_wrote.append(at("2026-12-14 09:50"))
    step(time_machine, "2026-12-14 10:00")
    resume(pause(case, agent), agent)
    step(time_machine, "2026-12-14 10:10")
    other = accept(submit(manager, partner_org, client_reference="NM-2"), agent)
    merge(case, [other], agent)
    monthly_update(case, agent)
    post(case, agent, "Anything new?")  # the client owes a reply by Wednesday
    # Tuesday: "due tomorrow" reminders and the daily digests; Thursday: overdue.
    step(time_machine, "2026-12-15 07:00")
    send_task_reminders()
    send_daily_digests()
    step(time_machine, "2026-12-17 07:00")
    send_task_reminders()
    deliver_due_notifications()

    # Every kind of notice was made, so each went through the check below.
    assert set(Notification.objects.values_list("kind", flat=True)) == set(
        Notification.Kind.values
    )
    members = {manager, client_member, agent, agent_colleague, dual}
    assert {to for mail in mailoutbox for to in mail.to} == {p.email for p in members}
    outside = [*strangers, staff]
    assert not Notification.objects.filter(recipient__in=outside).exists()
    for notice in Notification.objects.select_related("case"):
        cases = [notice.case] if notice.case else [i.case for i in notice.items.all()]
        for item_case in cases:
            assert notice.organisation_id in (item_case.client_id, item_case.partner_id)
        assert Membership.objects.filter(
            user=notice.recipient_id, organisation=notice.organisation_id
        ).exists()
    assert Notification.objects.filter(recipient=dual, organisation=client_org).exists()
    assert Notification.objects.filter(
        recipient=dual, organisation=partner_org
    ).exists()
    assert not Notification.objects.filter(
        recipient=dual, created_at__in=dual_wrote
    ).exists()


# --- people who leave before their mail goes out ------------------------------------


@pytest.fixture
def case(manager, agent, partner_org, time_machine):
    time_machine.move_to(at("2026-12-14 09:00"), tick=False)
    case = accept(submit(manager, partner_org), agent)
    deliver_due_notifications()
    return case


@pytest.mark.parametrize("how", ["membership ended", "account deactivated"])
def test_person_who_left_during_the_quiet_period_is_not_mailed(
    case, manager, agent, agent_colleague, how, settings, time_machine, mailoutbox
):
    settings.NOTIFICATION_QUIET_SECONDS = 600
    mailoutbox.clear()
    post(case, manager, "Has the debtor answered?")
    if how == "membership ended":
        Membership.objects.filter(user=agent_colleague).update(is_active=False)
    else:
        User.objects.filter(pk=agent_colleague.pk).update(is_active=False)

    time_machine.shift(timedelta(minutes=10))
    sent = deliver_due_notifications()

    assert sent == 1
    assert [mail.to for mail in mailoutbox] == [[agent.email]]
    left = Notification.objects.get(
        recipient=agent_colleague, case=case, kind="message_posted"
    )
    assert (left.email_status, left.claimed_until) == (Status.SKIPPED, None)


def test_mails_behind_a_batch_of_former_members_rows_go_out_in_the_same_run(
    case, manager, agent, agent_colleague, settings, monkeypatch, mailoutbox
):
    settings.NOTIFICATION_QUIET_SECONDS = 0
    monkeypatch.setattr(services, "BATCH_SIZE", 1)
    mailoutbox.clear()
    for n in range(3):
        post(case, manager, f"Message {n}")
    Membership.objects.filter(user=agent).update(is_active=False)

    sent = deliver_due_notifications()

    # The agent's group (the first claim) is not mailed; the colleague's is.
    assert sent == 1
    assert [mail.to for mail in mailoutbox] == [[agent_colleague.email]]
    assert "3 new messages" in mailoutbox[0].subject
    assert not Notification.objects.filter(email_status=Status.PENDING).exists()
