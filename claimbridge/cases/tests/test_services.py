from decimal import Decimal

import pytest

from claimbridge.audit.models import AuditEvent
from claimbridge.cases import services
from claimbridge.cases.models import Case
from claimbridge.core.exceptions import DomainError
from claimbridge.core.testing import checked_upload, claim_line, submit
from claimbridge.messaging.models import Message
from claimbridge.notifications.models import Notification
from claimbridge.tasks.models import Task
from conftest import membership_of

pytestmark = pytest.mark.django_db


def request_info(case, agent, text="Please send the signed contract.", uploads=()):
    return services.change_case_status(
        case_id=case.pk,
        actor=agent,
        membership=membership_of(agent),
        to_status=Case.Status.MORE_INFO_REQUIRED,
        expected_status=case.status,
        message=text,
        uploads=list(uploads),
    )


def test_submitting_a_case_opens_review_task_and_notifies_partner(
    manager, agent, agent_colleague, partner_org
):
    case = submit(manager, partner_org, lines=[claim_line("19.99", n) for n in range(3)])

    assert case.status == Case.Status.PENDING_VERIFICATION
    assert case.total_principal == Decimal("59.97")
    task = Task.objects.get(case=case)
    assert (task.kind, task.organisation, task.state) == (
        Task.Kind.REVIEW_NEW_CASE, partner_org, Task.State.OPEN
    )
    recipients = set(
        Notification.objects.filter(case=case).values_list("recipient__email", flat=True)
    )
    assert recipients == {agent.email, agent_colleague.email}
    assert AuditEvent.objects.filter(case=case, action="case.created").count() == 1


def test_info_request_changes_status_posts_message_and_opens_client_task(
    manager, client_member, agent, partner_org, client_org
):
    case = submit(manager, partner_org)
    Notification.objects.all().delete()

    case = request_info(case, agent, uploads=[checked_upload("checklist.pdf")])

    assert case.status == Case.Status.MORE_INFO_REQUIRED
    message = Message.objects.get(case=case, kind=Message.Kind.MESSAGE)
    assert message.body == "Please send the signed contract."
    assert [d.original_name for d in message.attachments.all()] == ["checklist.pdf"]
    task = Task.objects.get(case=case, kind=Task.Kind.PROVIDE_INFORMATION)
    assert task.organisation == client_org and task.state == Task.State.OPEN
    review = Task.objects.get(case=case, kind=Task.Kind.REVIEW_NEW_CASE)
    assert review.state == Task.State.DONE
    mails = Notification.objects.filter(case=case, kind="info_requested")
    assert {n.recipient for n in mails} == {manager, client_member}
    assert "Please send the signed contract." in mails[0].body_text
    assert AuditEvent.objects.filter(
        case=case, action="case.status_changed", actor=agent
    ).exists()


def test_info_request_without_message_is_refused_and_changes_nothing(
    manager, agent, partner_org
):
    case = submit(manager, partner_org)

    with pytest.raises(DomainError, match="what information is needed"):
        request_info(case, agent, text="   ")

    case.refresh_from_db()
    assert case.status == Case.Status.PENDING_VERIFICATION
    assert not Task.objects.filter(kind=Task.Kind.PROVIDE_INFORMATION).exists()


def test_client_message_closes_info_task_and_notifies_partner(
    manager, agent, partner_org
):
    case = submit(manager, partner_org)
    request_info(case, agent)
    Notification.objects.all().delete()

    message = services.post_case_message(
        case_id=case.pk, actor=manager, membership=membership_of(manager),
        body="Contract attached.",
    )

    task = Task.objects.get(case=case, kind=Task.Kind.PROVIDE_INFORMATION)
    assert task.state == Task.State.DONE
    assert task.closed_by_message == message
    assert task.closed_by == manager
    assert [n.recipient for n in Notification.objects.filter(case=case)] == [agent]


def test_partner_accepts_and_client_task_is_cancelled(manager, agent, partner_org):
    case = submit(manager, partner_org)
    request_info(case, agent)

    case = services.change_case_status(
        case_id=case.pk, actor=agent, membership=membership_of(agent),
        to_status=Case.Status.ACTIVE, expected_status=Case.Status.MORE_INFO_REQUIRED,
    )

    assert case.status == Case.Status.ACTIVE
    task = Task.objects.get(case=case, kind=Task.Kind.PROVIDE_INFORMATION)
    assert task.state == Task.State.CANCELLED
