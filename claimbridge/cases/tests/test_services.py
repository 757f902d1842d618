import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from claimbridge.audit.models import AuditEvent
from claimbridge.cases import services
from claimbridge.cases.models import Case
from claimbridge.core.exceptions import DomainError
from claimbridge.core.testing import checked_upload, claim_line, submit
from claimbridge.documents.models import Document
from claimbridge.messaging.models import Message
from claimbridge.messaging.services import write_message
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


def post(case, user, text, uploads=()):
    return services.post_case_message(
        case_id=case.pk,
        actor=user,
        membership=membership_of(user),
        body=text,
        uploads=list(uploads),
    )


def test_submitting_a_case_opens_review_task_and_notifies_partner(
    manager, agent, agent_colleague, partner_org
):
    case = submit(
        manager, partner_org, lines=[claim_line("19.99", n) for n in range(3)]
    )

    assert case.status == Case.Status.PENDING_VERIFICATION
    assert case.total_principal == Decimal("59.97")
    task = Task.objects.get(case=case)
    assert (task.kind, task.organisation, task.state) == (
        Task.Kind.REVIEW_NEW_CASE,
        partner_org,
        Task.State.OPEN,
    )
    recipients = set(
        Notification.objects.filter(case=case).values_list(
            "recipient__email", flat=True
        )
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
        case_id=case.pk,
        actor=manager,
        membership=membership_of(manager),
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
        case_id=case.pk,
        actor=agent,
        membership=membership_of(agent),
        to_status=Case.Status.ACTIVE,
        expected_status=Case.Status.MORE_INFO_REQUIRED,
    )

    assert case.status == Case.Status.ACTIVE
    task = Task.objects.get(case=case, kind=Task.Kind.PROVIDE_INFORMATION)
    assert task.state == Task.State.CANCELLED


# --- the info-request task closes on client activity only ---------------------


def test_system_note_leaves_info_task_open(manager, agent, partner_org):
    case = submit(manager, partner_org)
    request_info(case, agent)

    write_message(
        case=case,
        kind=Message.Kind.SYSTEM,
        body="Reminder sent to the client.",
        author=None,
        organisation=None,
    )

    task = Task.objects.get(case=case, kind=Task.Kind.PROVIDE_INFORMATION)
    assert task.state == Task.State.OPEN


def test_second_client_message_neither_reopens_nor_adds_tasks(
    manager, agent, partner_org
):
    case = submit(manager, partner_org)
    request_info(case, agent)
    post(case, manager, "The contract is attached.")
    tasks_before = list(Task.objects.filter(case=case).values_list("kind", "state"))

    post(case, manager, "And here is the delivery note as well.")

    tasks_after = list(Task.objects.filter(case=case).values_list("kind", "state"))
    assert tasks_after == tasks_before
    assert sorted(tasks_after) == [
        (Task.Kind.PROVIDE_INFORMATION, Task.State.DONE),
        # The partner owes one reply, however many messages the client posts.
        (Task.Kind.REPLY_TO_MESSAGE, Task.State.OPEN),
        (Task.Kind.REVIEW_NEW_CASE, Task.State.DONE),
    ]
    task = Task.objects.get(case=case, kind=Task.Kind.PROVIDE_INFORMATION)
    assert task.closed_by_message.body == "The contract is attached."


def test_second_client_message_notifies_each_partner_member_once_more(
    manager, agent, agent_colleague, partner_org
):
    case = submit(manager, partner_org)
    request_info(case, agent)
    post(case, manager, "The contract is attached.")
    before = Notification.objects.filter(case=case).count()

    post(case, manager, "And here is the delivery note as well.")

    new = Notification.objects.filter(case=case).order_by("id")[before:]
    assert sorted((n.kind, n.recipient.email) for n in new) == [
        (Notification.Kind.MESSAGE_POSTED, agent.email),
        (Notification.Kind.MESSAGE_POSTED, agent_colleague.email),
    ]


# --- a failed transaction leaves nothing behind ------------------------------


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _snapshot(case) -> dict:
    return {
        "messages": Message.objects.filter(case=case).count(),
        "events": AuditEvent.objects.filter(case=case).count(),
        "documents": Document.objects.filter(case=case).count(),
        "notifications": Notification.objects.filter(case=case).count(),
        "tasks": list(Task.objects.filter(case=case).values_list("kind", "state")),
    }


def test_failure_after_message_is_written_leaves_no_trace(
    manager, agent, partner_org, settings, monkeypatch
):
    case = submit(manager, partner_org)
    request_info(case, agent)
    before = _snapshot(case)

    def mail_queue_down(**kwargs):
        assert Message.objects.filter(body="Contract attached.").exists()
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(services, "queue_email", mail_queue_down)
    with pytest.raises(RuntimeError, match="outbox unavailable"):
        services.post_case_message(
            case_id=case.pk,
            actor=manager,
            membership=membership_of(manager),
            body="Contract attached.",
            uploads=[checked_upload("contract.pdf")],
        )

    assert _snapshot(case) == before
    assert not Message.objects.filter(body="Contract attached.").exists()
    assert _stored_files(settings) == []


def test_storage_failure_on_second_file_leaves_no_trace(
    manager, agent, partner_org, settings, monkeypatch
):
    case = submit(manager, partner_org)
    request_info(case, agent)
    before = _snapshot(case)
    real_save = FileSystemStorage._save
    calls = []

    def disk_full_on_second_file(self, name, content):
        calls.append(name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full_on_second_file)
    with pytest.raises(OSError, match="No space left"):
        services.post_case_message(
            case_id=case.pk,
            actor=manager,
            membership=membership_of(manager),
            body="Contract and delivery note attached.",
            uploads=[checked_upload("contract.pdf"), checked_upload("delivery.pdf")],
        )

    assert len(calls) == 2
    assert _snapshot(case) == before
    assert _stored_files(settings) == []


# --- the audit trail of the workflow -----------------------------------------


def test_every_step_of_an_info_request_is_an_audit_event_with_actor_and_time(
    manager, agent, partner_org
):
    started = timezone.now()
    case = submit(manager, partner_org)
    request_info(case, agent, text="Please send the signed contract.")
    services.upload_case_documents(
        case_id=case.pk,
        actor=manager,
        membership=membership_of(manager),
        uploads=[checked_upload("contract.pdf")],
    )
    services.change_case_status(
        case_id=case.pk,
        actor=agent,
        membership=membership_of(agent),
        to_status=Case.Status.ACTIVE,
        expected_status=Case.Status.MORE_INFO_REQUIRED,
    )

    events = list(AuditEvent.objects.filter(case=case).order_by("id"))
    steps = [(e.action, e.actor) for e in events]
    assert steps == [
        (AuditEvent.Action.CASE_CREATED, manager),
        (AuditEvent.Action.TASK_OPENED, manager),
        (AuditEvent.Action.CASE_STATUS_CHANGED, agent),
        (AuditEvent.Action.MESSAGE_POSTED, agent),
        (AuditEvent.Action.TASK_CLOSED, agent),
        (AuditEvent.Action.TASK_OPENED, agent),
        (AuditEvent.Action.DOCUMENT_ADDED, manager),
        (AuditEvent.Action.TASK_CLOSED, manager),
        (AuditEvent.Action.CASE_STATUS_CHANGED, agent),
    ]
    assert all(started <= e.created_at <= timezone.now() for e in events)
    assert events[2].changes["status"] == ["pending_verification", "more_info_required"]
    assert events[-1].changes["status"] == ["more_info_required", "active"]


def test_submission_racing_itself_answers_with_the_first_case(
    manager, partner_org, monkeypatch
):
    """Two copies of one form passed the "sent before?" check at the same time."""
    token = uuid.uuid4()
    first = submit(manager, partner_org, request_token=token)
    real_check = services._submitted_before
    calls = []

    def not_yet_committed(organisation, request_token):
        calls.append(request_token)
        # The first check of the second copy ran before the first committed.
        return None if len(calls) == 1 else real_check(organisation, request_token)

    monkeypatch.setattr(services, "_submitted_before", not_yet_committed)

    second = submit(manager, partner_org, request_token=token)

    assert second == first
    assert calls == [token, token]
    assert Case.objects.count() == 1


def test_merged_cases_count_their_money_once(manager, agent, partner_org):
    primary = submit(manager, partner_org, lines=[claim_line("1000.00", 1)])
    second = submit(manager, partner_org, lines=[claim_line("200.00", 2, paid="50")])
    third = submit(manager, partner_org, lines=[claim_line("0.29", 3)])

    services.merge_cases(
        primary_id=primary.pk,
        other_ids=[second.pk, third.pk],
        actor=agent,
        membership=membership_of(agent),
    )

    totals = {
        c.pk: (c.status, c.total_principal, c.total_paid)
        for c in Case.objects.filter(pk__in=[primary.pk, second.pk, third.pk])
    }
    assert totals == {
        primary.pk: (
            Case.Status.PENDING_VERIFICATION,
            Decimal("1200.29"),
            Decimal("50"),
        ),
        second.pk: (Case.Status.MERGED, Decimal("0"), Decimal("0")),
        third.pk: (Case.Status.MERGED, Decimal("0"), Decimal("0")),
    }
