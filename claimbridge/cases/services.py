"""The case workflow: every state change of a case and its effects.

A service here locks the case row, checks the rule, writes the change, and in
the same transaction posts the chat entry, opens or closes tasks, writes audit
events and queues notifications (the outbox).
"""

import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from claimbridge.accounts.models import User
from claimbridge.audit.models import AuditEvent
from claimbridge.audit.services import record_event
from claimbridge.core.calendar import add_months
from claimbridge.core.exceptions import (
    ConcurrentChange,
    DomainError,
    PermissionDenied,
    TransitionNotAllowed,
)
from claimbridge.documents.models import Document
from claimbridge.documents.services import discard_files_on_error, store_document
from claimbridge.documents.validation import DetectedType
from claimbridge.messaging.models import Message
from claimbridge.messaging.services import write_message
from claimbridge.notifications.models import Notification
from claimbridge.notifications.services import queue_email
from claimbridge.organisations.models import Membership, Organisation
from claimbridge.tasks.models import Task
from claimbridge.tasks.services import (
    cancel_tasks,
    complete_tasks,
    open_reply_task,
    open_task,
)

from .models import Case, CaseUpdate, ClaimLine, StatusChange

SUCCESS_CODES = {Case.CloseCode.PAID_IN_FULL, Case.CloseCode.PARTIALLY_PAID}
DECLINE_CODES = {Case.CloseCode.NEVER_STARTED, Case.CloseCode.INVALID_CASE_DATA}


@dataclass(frozen=True)
class Upload:
    """A file that passed validation, with the document type the user chose."""

    file: UploadedFile
    detected: DetectedType
    kind: str = Document.Kind.OTHER


def side_of(membership: Membership | None, case: Case) -> str | None:
    """'client' or 'partner' for the two parties of the case, else None."""
    if membership is None:
        return None
    if membership.organisation_id == case.client_id:
        return "client"
    if membership.organisation_id == case.partner_id:
        return "partner"
    return None


def _other_party(case: Case, side: str) -> Organisation:
    return case.partner if side == "client" else case.client


def _lock_case(case_id: int, membership: Membership) -> tuple[Case, str]:
    case = (
        Case.objects.select_for_update()
        .select_related("client", "partner")
        .get(pk=case_id)
    )
    side = side_of(membership, case)
    if side is None:
        raise PermissionDenied()
    return case, side


def _store_uploads(
    case: Case,
    uploads: list[Upload],
    actor: User,
    organisation: Organisation,
    upload_token: uuid.UUID | None = None,
) -> list[Document]:
    return [
        store_document(
            case=case,
            uploaded=upload.file,
            detected=upload.detected,
            kind=upload.kind,
            actor=actor,
            organisation=organisation,
            upload_token=upload_token,
        )
        for upload in uploads
    ]


def _notify(
    case: Case,
    *,
    kind: Notification.Kind,
    organisation: Organisation,
    actor: User | None,
    context: dict[str, Any],
) -> None:
    queue_email(
        kind=kind,
        organisation=organisation,
        exclude=actor,
        case=case,
        context={"actor": actor, **context},
    )


# --- submission -----------------------------------------------------------


def submit_case(
    *,
    actor: User,
    membership: Membership,
    partner: Organisation,
    case_data: dict[str, Any],
    lines: list[dict[str, Any]],
    uploads: list[Upload],
    request_token: uuid.UUID | None = None,
) -> Case:
    """Submit a new case of the member's client organisation to a partner.

    Rules: only clients submit; the partner must cover the debtor's country; at
    least one claim line; issue dates not in the future. Effects: status
    pending verification, a "Review new case" task for the partner, the
    partner's members notified, audit events. A form sent twice (same token)
    returns the first case.
    """
    organisation = membership.organisation
    if not organisation.is_client:
        raise PermissionDenied(_("Only a client organisation can submit cases."))
    existing = _submitted_before(organisation, request_token)
    if existing is not None:
        return existing
    country = case_data["debtor_country"]
    if not partner.is_partner or country not in [
        c.code for c in partner.covered_countries
    ]:
        raise DomainError(
            _("%(partner)s does not take cases for debtors in this country.")
            % {"partner": partner.name}
        )
    if not lines:
        raise DomainError(_("A case needs at least one claim line."))
    today = organisation.local_today()
    for line in lines:
        if line["issued_on"] > today:
            raise DomainError(_("An issue date cannot be in the future."))
    try:
        with discard_files_on_error(), transaction.atomic():
            return _create_case(
                actor, organisation, partner, case_data, lines, uploads, request_token
            )
    except IntegrityError:
        # The same form sent twice at once: both passed the check above, the
        # database let one case in. Answer with it.
        existing = _submitted_before(organisation, request_token)
        if existing is None:
            raise
        return existing


def _submitted_before(
    organisation: Organisation, request_token: uuid.UUID | None
) -> Case | None:
    """The case this organisation submitted with this form, if any."""
    if request_token is None:
        return None
    return Case.objects.filter(
        submission_token=request_token, client=organisation
    ).first()


def _create_case(
    actor: User,
    organisation: Organisation,
    partner: Organisation,
    case_data: dict[str, Any],
    lines: list[dict[str, Any]],
    uploads: list[Upload],
    request_token: uuid.UUID | None,
) -> Case:
    now = timezone.now()
    case = Case(
        **case_data,
        client=organisation,
        partner=partner,
        created_by=actor,
        status=Case.Status.PENDING_VERIFICATION,
        last_activity_at=now,
        submission_token=request_token,
    )
    case.debtor_name = debtor_display_name(case)
    # The submission token's uniqueness is left to the database: a form sent
    # twice at once ends in the IntegrityError of submit_case, which answers
    # with the case the first request created (not a form error).
    case.full_clean(
        exclude=[
            "client",
            "partner",
            "created_by",
            "last_activity_at",
            "submission_token",
        ]
    )
    case.save()
    claim_lines = ClaimLine.objects.bulk_create(
        [ClaimLine(case=case, **line) for line in lines]
    )
    case.total_principal = sum((line.principal for line in claim_lines), Decimal("0"))
    case.total_paid = sum((line.paid for line in claim_lines), Decimal("0"))
    case.save(update_fields=["total_principal", "total_paid"])
    StatusChange.objects.create(
        case=case,
        from_status="",
        to_status=case.status,
        actor=actor,
        organisation=organisation,
    )
    record_event(
        action=AuditEvent.Action.CASE_CREATED,
        actor=actor,
        organisation=organisation,
        case=case,
        changes={
            "status": ["", case.status],
            "partner": partner.name,
            "total": f"{case.total_principal} {case.currency}",
            "claim_lines": len(claim_lines),
        },
        summary=f"Submitted to {partner.name}",
    )
    _store_uploads(case, uploads, actor, organisation)
    open_task(
        case=case,
        organisation=partner,
        kind=Task.Kind.REVIEW_NEW_CASE,
        actor=actor,
        acting_organisation=organisation,
    )
    _notify(
        case,
        kind=Notification.Kind.CASE_SUBMITTED,
        organisation=partner,
        actor=actor,
        context={"client_name": organisation.name},
    )
    return case


def debtor_display_name(case: Case) -> str:
    if case.debtor_kind == Case.DebtorKind.PERSON:
        return f"{case.debtor_first_name} {case.debtor_last_name}".strip()
    return case.debtor_company_name.strip()


# --- status changes -------------------------------------------------------


def change_case_status(
    *,
    case_id: int,
    actor: User,
    membership: Membership,
    to_status: str,
    expected_status: str | None = None,
    message: str = "",
    uploads: list[Upload] = (),  # type: ignore[assignment]
    close_code: str = "",
    close_comment: str = "",
    recovered_amount: Decimal | None = None,
    reason: str = "",
    confirmed: bool = False,
    request_token: uuid.UUID | None = None,
) -> Case:
    """Move a case to another status: the one place that assigns `case.status`.

    Rules: the actor's side and the current status must allow the move (the
    table `Case.TRANSITIONS`), checked under a row lock; `expected_status` is
    the status the actor saw, and a different one means someone else acted
    first. Each target has its own required fields. Effects: chat entry,
    tasks opened/closed/cancelled, notifications, audit events. A form sent
    twice (same token) changes the status once.
    """
    if request_token is not None and _already_done(request_token):
        return Case.objects.get(pk=case_id)
    if to_status == Case.Status.MERGED:
        raise TransitionNotAllowed(_("Cases are merged from the merge page."))
    try:
        with discard_files_on_error(), transaction.atomic():
            case, side = _lock_case(case_id, membership)
            if request_token is not None and _already_done(request_token):
                return case
            if expected_status and case.status != expected_status:
                raise ConcurrentChange()
            if not case.can_transition_to(to_status, side):
                raise TransitionNotAllowed(
                    _("A case that is “%(status)s” cannot be moved to “%(to)s” by you.")
                    % {
                        "status": case.status_label_for(side),
                        "to": Case.Status(to_status).label,
                    }
                )
            return _apply_transition(
                case,
                side=side,
                actor=actor,
                membership=membership,
                to_status=Case.Status(to_status),
                message=message.strip(),
                uploads=list(uploads),
                close_code=close_code,
                close_comment=close_comment.strip(),
                recovered_amount=recovered_amount,
                reason=reason.strip(),
                confirmed=confirmed,
                request_token=request_token,
            )
    except IntegrityError:
        if request_token is not None and _already_done(request_token):
            return Case.objects.get(pk=case_id)
        raise


def _already_done(request_token: uuid.UUID) -> bool:
    return StatusChange.objects.filter(request_token=request_token).exists()


def _apply_transition(
    case: Case,
    *,
    side: str,
    actor: User,
    membership: Membership,
    to_status: Case.Status,
    message: str,
    uploads: list[Upload],
    close_code: str,
    close_comment: str,
    recovered_amount: Decimal | None,
    reason: str,
    confirmed: bool,
    request_token: uuid.UUID | None,
) -> Case:
    from_status = case.status
    changes: dict[str, Any] = {"status": [from_status, to_status]}
    if to_status == Case.Status.MORE_INFO_REQUIRED and not message:
        raise DomainError(_("Write what information is needed and why."))
    if to_status == Case.Status.PAUSED and not reason:
        raise DomainError(_("Give the reason for pausing the case."))
    if to_status == Case.Status.CLOSED:
        changes.update(
            _check_close(
                case, side, close_code, close_comment, recovered_amount, confirmed
            )
        )
        case.close_code = changes["close_code"][1]
        case.close_comment = close_comment
        case.recovered_amount = recovered_amount
        case.closed_on = membership.organisation.local_today()

    if to_status == Case.Status.ACTIVE and case.accepted_at is None:
        case.accepted_at = timezone.now()
    if reason:
        changes["reason"] = reason
    _move(
        case,
        to_status,
        actor=actor,
        organisation=membership.organisation,
        changes=changes,
        request_token=request_token,
    )
    _transition_effects(
        case,
        side=side,
        actor=actor,
        membership=membership,
        from_status=from_status,
        message=message,
        uploads=uploads,
        reason=reason,
    )
    return case


def _move(
    case: Case,
    to_status: str,
    *,
    actor: User | None,
    organisation: Organisation | None,
    changes: dict[str, Any],
    request_token: uuid.UUID | None = None,
) -> None:
    """Assign the new status (the only place that does), with its records.

    The caller holds the row lock and has checked the move.
    """
    from_status = case.status
    case.status = to_status
    case.last_activity_at = timezone.now()
    case.save(
        update_fields=[
            "status",
            "last_activity_at",
            "updated_at",
            "close_code",
            "close_comment",
            "recovered_amount",
            "closed_on",
            "merged_into",
            "accepted_at",
        ]
    )
    StatusChange.objects.create(
        case=case,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        organisation=organisation,
        request_token=request_token,
    )
    record_event(
        action=AuditEvent.Action.CASE_STATUS_CHANGED,
        actor=actor,
        organisation=organisation,
        case=case,
        changes=changes,
        summary=f"{Case.Status(from_status).label} → {Case.Status(to_status).label}",
    )


def _check_close(
    case: Case,
    side: str,
    close_code: str,
    close_comment: str,
    recovered_amount: Decimal | None,
    confirmed: bool,
) -> dict[str, Any]:
    if side == "client":
        if case.status != Case.Status.PENDING_VERIFICATION and not confirmed:
            raise DomainError(
                _(
                    "Confirm the withdrawal: the partner's work stops "
                    "and fees may be owed."
                )
            )
        return {"close_code": ["", Case.CloseCode.WITHDRAWN_BY_CLIENT]}
    if close_code not in Case.CloseCode.values:
        raise DomainError(_("Choose a close code."))
    if close_code == Case.CloseCode.OTHER and not close_comment:
        raise DomainError(
            _("Explain the closing in a comment when the code is “Other”.")
        )
    if close_code in DECLINE_CODES and case.status != Case.Status.PENDING_VERIFICATION:
        if close_code == Case.CloseCode.NEVER_STARTED:
            raise DomainError(_("“Never started” is only for cases not yet accepted."))
    if close_code in DECLINE_CODES and not close_comment:
        raise DomainError(_("Tell the client why the case is declined."))
    if close_code in SUCCESS_CODES:
        if recovered_amount is None or recovered_amount <= 0:
            raise DomainError(_("State the amount recovered for a successful close."))
        if (
            close_code == Case.CloseCode.PAID_IN_FULL
            and recovered_amount < case.outstanding
        ):
            raise DomainError(
                _("“Paid in full” needs the recovered amount to cover %(amount)s.")
                % {"amount": f"{case.outstanding} {case.currency}"}
            )
    result: dict[str, Any] = {"close_code": ["", close_code]}
    if recovered_amount is not None:
        result["recovered_amount"] = [None, str(recovered_amount)]
    return result


# The partner's task that a move out of a status completes, and how it is recorded.
PARTNER_TASK_DONE_BY_LEAVING = {
    Case.Status.PENDING_VERIFICATION: (
        Task.Kind.REVIEW_NEW_CASE,
        _lazy("Reviewed: %(status)s"),
    ),
    Case.Status.PAUSED: (Task.Kind.FOLLOW_UP_PAUSED, _lazy("Followed up: %(status)s")),
}


def _transition_effects(
    case: Case,
    *,
    side: str,
    actor: User,
    membership: Membership,
    from_status: str,
    message: str,
    uploads: list[Upload],
    reason: str,
) -> None:
    to_status = case.status
    other = _other_party(case, side)
    documents = _store_uploads(case, uploads, actor, membership.organisation)
    posted = None
    if message or documents:
        posted = write_message(
            case=case,
            kind=Message.Kind.MESSAGE,
            body=message,
            author=actor,
            organisation=membership.organisation,
            attachments=documents,
        )
    write_message(
        case=case,
        kind=Message.Kind.SYSTEM,
        body=_status_note(case, from_status, actor, membership, reason),
        author=None,
        organisation=None,
    )
    if to_status != Case.Status.CLOSED:
        # A status change is the side's answer in the chat (its note names the
        # actor), so it closes the side's "Reply to message" task; closing
        # cancels every task below.
        complete_tasks(
            case=case,
            organisation=membership.organisation,
            kinds=[Task.Kind.REPLY_TO_MESSAGE],
            actor=actor,
            acting_organisation=membership.organisation,
            resolution=_("Answered by status change to %(status)s")
            % {"status": case.get_status_display()},
            message=posted,
        )
    # The partner's move out of these statuses is the work its task asked for.
    # Resuming or closing a paused case is the follow-up itself (DESIGN §5), so
    # that task is done; a client's withdrawal only cancels it, with the rest below.
    if side == "partner" and from_status in PARTNER_TASK_DONE_BY_LEAVING:
        kind, resolution = PARTNER_TASK_DONE_BY_LEAVING[from_status]
        complete_tasks(
            case=case,
            organisation=case.partner,
            kinds=[kind],
            actor=actor,
            acting_organisation=membership.organisation,
            resolution=resolution % {"status": case.get_status_display()},
        )
    if to_status == Case.Status.MORE_INFO_REQUIRED:
        # The request covers any reply the client owed: its answer is due now.
        cancel_tasks(
            case=case,
            actor=actor,
            acting_organisation=membership.organisation,
            kinds=[Task.Kind.REPLY_TO_MESSAGE],
            resolution=_("Covered by the request for more information"),
        )
        task = open_task(
            case=case,
            organisation=case.client,
            kind=Task.Kind.PROVIDE_INFORMATION,
            actor=actor,
            acting_organisation=membership.organisation,
        )
        _notify(
            case,
            kind=Notification.Kind.INFO_REQUESTED,
            organisation=case.client,
            actor=actor,
            context={
                "message": posted,
                "task": task,
                "partner_name": case.partner.name,
            },
        )
        return
    if to_status == Case.Status.ACTIVE:
        cancel_tasks(
            case=case,
            actor=actor,
            acting_organisation=membership.organisation,
            kinds=[Task.Kind.PROVIDE_INFORMATION, Task.Kind.FOLLOW_UP_PAUSED],
            resolution=_("Case is active"),
        )
    elif to_status == Case.Status.PAUSED:
        open_task(
            case=case,
            organisation=case.partner,
            kind=Task.Kind.FOLLOW_UP_PAUSED,
            actor=actor,
            acting_organisation=membership.organisation,
        )
    elif to_status == Case.Status.CLOSED:
        cancel_tasks(
            case=case,
            actor=actor,
            acting_organisation=membership.organisation,
            resolution=_("Case closed: %(code)s")
            % {"code": case.get_close_code_display()},
        )
    _notify(
        case,
        kind=Notification.Kind.STATUS_CHANGED,
        organisation=other,
        actor=actor,
        context={
            "from_label": Case.Status(from_status).label,
            "message": posted,
            "reason": reason,
            "other_side": "client" if side == "partner" else "partner",
        },
    )


def _status_note(
    case: Case, from_status: str, actor: User, membership: Membership, reason: str
) -> str:
    text = (
        f"{actor.display_name} ({membership.organisation.name}): "
        f"{Case.Status(from_status).label} → {case.get_status_display()}"
    )
    if case.close_code:
        text += f". {case.get_close_code_display()}"
        if case.close_comment:
            text += f": {case.close_comment}"
    if reason:
        text += f". {reason}"
    return text


# --- chat and files -------------------------------------------------------


def post_case_message(
    *,
    case_id: int,
    actor: User,
    membership: Membership,
    body: str,
    uploads: list[Upload] = (),  # type: ignore[assignment]
    request_token: uuid.UUID | None = None,
) -> Message:
    """Post a chat message (text, files or both) on a case.

    Rules: only the two parties; not on a closed or merged case; text up to
    10,000 characters. Effects: a message from the client closes its open
    "Provide more information" task (closed by this message); the other
    side's members are notified, never the author. A form sent twice (same
    token) posts once: the token is unique, so the second insert fails and
    that request answers with the first one's message.
    """
    body = body.strip()
    if not body and not uploads:
        raise DomainError(_("Write a message or attach a file."))
    if len(body) > Message.MAX_LENGTH:
        raise DomainError(_("A message can have at most 10,000 characters."))
    try:
        with discard_files_on_error(), transaction.atomic():
            case, side = _lock_case(case_id, membership)
            if not case.is_open:
                raise TransitionNotAllowed(
                    _("The case is %(status)s: no new messages.")
                    % {"status": case.get_status_display().lower()}
                )
            documents = _store_uploads(
                case, list(uploads), actor, membership.organisation
            )
            message = write_message(
                case=case,
                kind=Message.Kind.MESSAGE,
                body=body,
                author=actor,
                organisation=membership.organisation,
                attachments=documents,
                request_token=request_token,
            )
            _after_party_activity(
                case, side, actor, message=message, documents=documents
            )
            return message
    except IntegrityError:
        existing = (
            Message.objects.filter(request_token=request_token).first()
            if request_token
            else None
        )
        if existing is None:
            raise
        return existing


def upload_case_documents(
    *,
    case_id: int,
    actor: User,
    membership: Membership,
    uploads: list[Upload],
    request_token: uuid.UUID | None = None,
) -> list[Document]:
    """Add files to a case outside the chat.

    Rules: only the two parties; every status but merged. Effects: an upload by
    the client closes its open "Provide more information" task; the other side
    is notified. A form sent twice (same token) stores the files once.
    """
    if not uploads:
        raise DomainError(_("Choose at least one file."))
    with discard_files_on_error(), transaction.atomic():
        case, side = _lock_case(case_id, membership)
        if request_token is not None:
            earlier = list(
                Document.objects.filter(case=case, upload_token=request_token)
            )
            if earlier:
                return earlier
        if case.status == Case.Status.MERGED:
            raise TransitionNotAllowed(_("A merged case takes no more files."))
        documents = _store_uploads(
            case, uploads, actor, membership.organisation, upload_token=request_token
        )
        _after_party_activity(case, side, actor, message=None, documents=documents)
        return documents


def _after_party_activity(
    case: Case,
    side: str,
    actor: User,
    *,
    message: Message | None,
    documents: list[Document],
) -> None:
    """The effects of a post by one side: its tasks close, the other side is told.

    A message or a file answers what this side owed (the client's "Provide
    more information", either side's "Reply to message"). A message, not a
    file alone, asks the other side for a reply (see open_reply_task).
    """
    case.last_activity_at = timezone.now()
    case.save(update_fields=["last_activity_at", "updated_at"])
    organisation = case.client if side == "client" else case.partner
    if message is not None:
        resolution = _("Answered by message")
    else:
        resolution = _("Answered by upload of %(names)s") % {
            "names": ", ".join(d.original_name for d in documents)
        }
    answered = [Task.Kind.REPLY_TO_MESSAGE]
    if side == "client":
        answered.append(Task.Kind.PROVIDE_INFORMATION)
    complete_tasks(
        case=case,
        organisation=organisation,
        kinds=answered,
        actor=actor,
        acting_organisation=organisation,
        resolution=resolution,
        message=message,
    )
    other = _other_party(case, side)
    if message is not None:
        open_reply_task(
            case=case, organisation=other, actor=actor, acting_organisation=organisation
        )
    _notify(
        case,
        kind=Notification.Kind.MESSAGE_POSTED,
        organisation=other,
        actor=actor,
        context={"message": message, "documents": documents},
    )


# --- monthly updates ---------------------------------------------------------

UPDATE_STATUSES = (Case.Status.ACTIVE, Case.Status.PAUSED)


def post_monthly_update(
    *,
    case_id: int,
    actor: User,
    membership: Membership,
    work_done: str,
    payments_received: Decimal,
    recommendation: str,
    comment: str = "",
    request_token: uuid.UUID | None = None,
) -> CaseUpdate:
    """Post the partner's monthly update: a summary in the chat as a partner note.

    Rules: only the partner; the case is active or paused; what was done and
    a recommendation are required ("Other" needs a comment); payments are not
    negative. Effects: the update and its partner note (the client sees it),
    the open "Monthly case update" task done (closed by that note), the
    partner's "Reply to message" task answered, the client's members
    notified, an audit event. The next monthly task counts from this update.
    A form sent twice (same token) posts once.
    """
    work_done, comment = work_done.strip(), comment.strip()
    if request_token is not None:
        existing = CaseUpdate.objects.filter(request_token=request_token).first()
        if existing is not None:
            return existing
    if not work_done:
        raise DomainError(_("Say what was done since the last update."))
    if recommendation not in CaseUpdate.Recommendation.values:
        raise DomainError(_("Choose a recommendation."))
    if recommendation == CaseUpdate.Recommendation.OTHER and not comment:
        raise DomainError(_("Explain the recommendation in a comment."))
    if payments_received < 0:
        raise DomainError(_("Payments received cannot be negative."))
    try:
        with transaction.atomic():
            case, side = _lock_case(case_id, membership)
            if side != "partner":
                raise PermissionDenied(_("Only the partner posts monthly updates."))
            if case.status not in UPDATE_STATUSES:
                raise TransitionNotAllowed(
                    _("Monthly updates are posted on active or paused cases.")
                )
            return _write_update(
                case,
                actor=actor,
                work_done=work_done,
                payments_received=payments_received,
                recommendation=CaseUpdate.Recommendation(recommendation),
                comment=comment,
                request_token=request_token,
            )
    except IntegrityError:
        existing = (
            CaseUpdate.objects.filter(request_token=request_token).first()
            if request_token
            else None
        )
        if existing is None:
            raise
        return existing


def _write_update(
    case: Case,
    *,
    actor: User,
    work_done: str,
    payments_received: Decimal,
    recommendation: CaseUpdate.Recommendation,
    comment: str,
    request_token: uuid.UUID | None,
) -> CaseUpdate:
    lines = [
        _("Monthly update"),
        _("What was done: %(text)s") % {"text": work_done},
        _("Payments received since the last update: %(amount)s %(currency)s")
        % {"amount": f"{payments_received:,.2f}", "currency": case.currency},
        _("Recommendation: %(choice)s") % {"choice": recommendation.label},
    ]
    if comment:
        lines.append(_("Comment: %(text)s") % {"text": comment})
    note = write_message(
        case=case,
        kind=Message.Kind.PARTNER_NOTE,
        body="\n".join(lines),
        author=actor,
        organisation=case.partner,
    )
    update = CaseUpdate.objects.create(
        case=case,
        author=actor,
        organisation=case.partner,
        message=note,
        work_done=work_done,
        payments_received=payments_received,
        recommendation=recommendation,
        comment=comment,
        request_token=request_token,
    )
    record_event(
        action=AuditEvent.Action.CASE_UPDATE_POSTED,
        actor=actor,
        organisation=case.partner,
        case=case,
        changes={
            "update": update.pk,
            "payments_received": f"{payments_received} {case.currency}",
            "recommendation": recommendation.value,
        },
        summary=f"{recommendation.label}; {payments_received} {case.currency} received",
    )
    complete_tasks(
        case=case,
        organisation=case.partner,
        kinds=[Task.Kind.MONTHLY_UPDATE, Task.Kind.REPLY_TO_MESSAGE],
        actor=actor,
        acting_organisation=case.partner,
        resolution=_("Monthly update posted"),
        message=note,
    )
    case.last_activity_at = timezone.now()
    case.save(update_fields=["last_activity_at", "updated_at"])
    _notify(
        case,
        kind=Notification.Kind.MESSAGE_POSTED,
        organisation=case.client,
        actor=actor,
        context={"message": note, "documents": []},
    )
    return update


def _update_due_from(case: Case) -> datetime | None:
    """Where the current month of an active case started: last update or acceptance."""
    latest = (
        CaseUpdate.objects.filter(case=case)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return latest or case.accepted_at


def open_due_monthly_update_tasks(*, now: datetime | None = None) -> int:
    """Open "Monthly case update" for each case active a month since its last update.

    Rules: only active cases; the month runs from the latest update, else from
    the acceptance, to the same day of the next month in the partner's time
    zone; one open task per case, so the job may run any number of times.
    Each case is locked and checked again before its task opens, so a case
    closed or updated meanwhile gets none. Effects: the task (due in 5
    business days) and its audit event. Returns how many tasks were opened.
    """
    now = now or timezone.now()
    latest_update = (
        CaseUpdate.objects.filter(case=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    open_monthly = Task.objects.filter(
        case=OuterRef("pk"), kind=Task.Kind.MONTHLY_UPDATE, state=Task.State.OPEN
    )
    candidates = (
        Case.objects.filter(status=Case.Status.ACTIVE, accepted_at__isnull=False)
        .annotate(due_from=Coalesce(Subquery(latest_update), F("accepted_at")))
        # No month is shorter than 28 days: the exact check is per partner below.
        .filter(due_from__lte=now - timedelta(days=27))
        .exclude(Exists(open_monthly))
        .select_related("partner")
        .order_by("pk")
    )
    opened = 0
    for case in candidates:
        if _month_has_passed(case.due_from, case.partner, now):
            opened += _open_monthly_task(case.pk, now)
    return opened


def _month_has_passed(since: datetime, partner: Organisation, now: datetime) -> bool:
    zone = zoneinfo.ZoneInfo(partner.time_zone)
    return add_months(since.astimezone(zone).date(), 1) <= now.astimezone(zone).date()


def _open_monthly_task(case_id: int, now: datetime) -> int:
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .select_related("client", "partner")
            .get(pk=case_id)
        )
        if case.status != Case.Status.ACTIVE:
            return 0
        since = _update_due_from(case)
        if since is None or not _month_has_passed(since, case.partner, now):
            return 0
        already = Task.objects.filter(
            case=case, kind=Task.Kind.MONTHLY_UPDATE, state=Task.State.OPEN
        ).exists()
        if already:
            return 0
        open_task(
            case=case,
            organisation=case.partner,
            kind=Task.Kind.MONTHLY_UPDATE,
            actor=None,
            acting_organisation=None,
        )
        return 1


# --- merge ------------------------------------------------------------------

MERGE_MIN, MERGE_MAX = 2, 10


def merge_cases(
    *,
    primary_id: int,
    other_ids: list[int],
    actor: User,
    membership: Membership,
) -> Case:
    """Merge 2–10 cases of one client, partner and currency into a primary case.

    Rules: only the partner of all the cases; all open (pending verification,
    more info required, active, paused); same client and currency. Effects: the
    claim lines move to the primary and its totals are recomputed; the others
    become merged, read-only and linked to the primary; their open tasks are
    cancelled; one audit event per case. Irreversible.
    """
    ids = sorted({primary_id, *other_ids})
    if len(ids) < MERGE_MIN:
        raise DomainError(_("Choose at least one other case to merge into this one."))
    if len(ids) > MERGE_MAX:
        raise DomainError(_("At most 10 cases can be merged at once."))
    with transaction.atomic():
        # Locked in id order, so two merges over overlapping cases cannot deadlock.
        cases = list(
            Case.objects.select_for_update()
            .select_related("client", "partner")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        by_id = {c.pk: c for c in cases}
        if len(cases) != len(ids):
            raise DomainError(_("One of the cases does not exist."))
        _check_merge(cases, membership)
        primary = by_id[primary_id]
        others = [c for c in cases if c.pk != primary_id]
        ClaimLine.objects.filter(case__in=others).update(case=primary)
        _recompute_totals(primary)
        for case in others:
            # Its lines are the primary's now: counted there, not twice.
            _recompute_totals(case)
            case.merged_into = primary
            _move(
                case,
                Case.Status.MERGED,
                actor=actor,
                organisation=membership.organisation,
                changes={
                    "status": [case.status, Case.Status.MERGED],
                    "merged_into": primary.reference,
                },
            )
            cancel_tasks(
                case=case,
                actor=actor,
                acting_organisation=membership.organisation,
                resolution=_("Case merged into %(ref)s") % {"ref": primary.reference},
            )
            write_message(
                case=case,
                kind=Message.Kind.SYSTEM,
                body=_("Merged into %(ref)s by %(who)s.")
                % {"ref": primary.reference, "who": actor.display_name},
                author=None,
                organisation=None,
            )
        refs = ", ".join(c.reference for c in others)
        primary.last_activity_at = timezone.now()
        primary.save(update_fields=["last_activity_at", "updated_at"])
        record_event(
            action=AuditEvent.Action.CASE_MERGED,
            actor=actor,
            organisation=membership.organisation,
            case=primary,
            changes={
                "merged": [c.reference for c in others],
                "total_principal": str(primary.total_principal),
            },
            summary=f"Merged {refs} into this case",
        )
        write_message(
            case=primary,
            kind=Message.Kind.SYSTEM,
            body=_("%(refs)s merged into this case by %(who)s.")
            % {"refs": refs, "who": actor.display_name},
            author=None,
            organisation=None,
        )
        _notify(
            primary,
            kind=Notification.Kind.STATUS_CHANGED,
            organisation=primary.client,
            actor=actor,
            context={
                "merged_refs": refs,
                "from_label": primary.get_status_display(),
                "other_side": "client",
            },
        )
        return primary


def _check_merge(cases: list[Case], membership: Membership) -> None:
    first = cases[0]
    for case in cases:
        if case.partner_id != membership.organisation_id:
            raise PermissionDenied(
                _("Only the partner of all the cases can merge them.")
            )
        if case.status == Case.Status.MERGED:
            raise DomainError(_("%(ref)s is already merged.") % {"ref": case.reference})
        if not case.is_open:
            raise DomainError(
                _("%(ref)s is closed and cannot be merged.") % {"ref": case.reference}
            )
        if case.client_id != first.client_id:
            raise DomainError(_("Only cases of the same client can be merged."))
        if case.currency != first.currency:
            raise DomainError(_("Only cases in the same currency can be merged."))


def _recompute_totals(case: Case) -> None:
    lines = list(ClaimLine.objects.filter(case=case))
    case.total_principal = sum((line.principal for line in lines), Decimal("0"))
    case.total_paid = sum((line.paid for line in lines), Decimal("0"))
    case.save(update_fields=["total_principal", "total_paid", "updated_at"])


# --- editing case data ----------------------------------------------------

DEBTOR_FIELDS = (
    "debtor_kind",
    "debtor_company_name",
    "debtor_first_name",
    "debtor_last_name",
    "debtor_registration_number",
    "debtor_email",
    "debtor_phone",
    "debtor_street",
    "debtor_postal_code",
    "debtor_city",
    "debtor_country",
    "debtor_region",
)
REFERENCE_FIELDS = (
    "client_reference",
    "division",
    "description",
    "comments_to_partner",
)
BEFORE_ACCEPTANCE = (Case.Status.PENDING_VERIFICATION, Case.Status.MORE_INFO_REQUIRED)


def editable_fields(case: Case, side: str | None) -> tuple[str, ...]:
    """The case fields this side may edit in the case's current status."""
    if side != "client" or not case.is_open:
        return ()
    if case.status in BEFORE_ACCEPTANCE:
        return DEBTOR_FIELDS + REFERENCE_FIELDS
    return REFERENCE_FIELDS


def can_correct_claims(case: Case, side: str | None) -> bool:
    """Who corrects claim amounts now: the client before acceptance, the partner
    after."""
    if side is None or not case.is_open:
        return False
    return side == ("client" if case.status in BEFORE_ACCEPTANCE else "partner")


def edit_case(
    *,
    case_id: int,
    actor: User,
    membership: Membership,
    changes: dict[str, Any],
) -> Case:
    """Change case data within the rules of the status; audit each field's old → new.

    Rules: the client edits debtor details while the case is pending
    verification or needs more information, and its reference fields while
    the case is open; the partner edits none of these. Nothing changed is not
    recorded.
    """
    with transaction.atomic():
        case, side = _lock_case(case_id, membership)
        allowed = editable_fields(case, side)
        forbidden = sorted(set(changes) - set(allowed))
        if forbidden:
            raise TransitionNotAllowed(
                _("These details cannot be changed now: %(fields)s.")
                % {
                    "fields": ", ".join(
                        str(Case._meta.get_field(f).verbose_name) for f in forbidden
                    )
                }
            )
        diff = {}
        for field, new in changes.items():
            old = getattr(case, field)
            if str(old or "") != str(new or ""):
                diff[field] = [str(old or ""), str(new or "")]
                setattr(case, field, new)
        if not diff:
            return case
        case.debtor_name = debtor_display_name(case)
        case.full_clean(
            exclude=[
                "client",
                "partner",
                "created_by",
                "last_activity_at",
                "submission_token",
            ]
        )
        case.last_activity_at = timezone.now()
        case.save()
        record_event(
            action=AuditEvent.Action.CASE_EDITED,
            actor=actor,
            organisation=membership.organisation,
            case=case,
            changes=diff,
            summary="; ".join(
                f"{Case._meta.get_field(f).verbose_name}: {o or '—'} → {n or '—'}"
                for f, (o, n) in diff.items()
            ),
        )
        return case


def correct_claim_line(
    *,
    line_id: int,
    actor: User,
    membership: Membership,
    principal: Decimal,
    paid: Decimal,
    reason: str,
) -> ClaimLine:
    """Correct a claim line's amounts, recorded with the reason.

    Rules: before acceptance the client corrects its own claim; after
    acceptance only the partner records a correction, with a reason; never on
    a closed or merged case. The case totals follow.
    """
    reason = reason.strip()
    line = ClaimLine.objects.select_related("case").get(pk=line_id)
    with transaction.atomic():
        case, side = _lock_case(line.case_id, membership)
        line = ClaimLine.objects.select_for_update().get(pk=line_id, case=case)
        if not case.is_open:
            raise TransitionNotAllowed(_("Claims of a closed case cannot be changed."))
        before = case.status in BEFORE_ACCEPTANCE
        if not can_correct_claims(case, side):
            raise TransitionNotAllowed(
                _(
                    "After acceptance only the partner records corrections; "
                    "before it, only the client edits its claims."
                )
            )
        if not before and not reason:
            raise DomainError(_("Give the reason for the correction."))
        if principal <= 0 or paid < 0 or paid > principal:
            raise DomainError(
                _(
                    "Amounts must be positive and the paid part cannot exceed "
                    "the amount."
                )
            )
        diff = {}
        for field, new in (("principal", principal), ("paid", paid)):
            old = getattr(line, field)
            if old != new:
                diff[f"{line.reference}.{field}"] = [str(old), str(new)]
                setattr(line, field, new)
        if not diff:
            return line
        line.save(update_fields=["principal", "paid"])
        _recompute_totals(case)
        if reason:
            diff["reason"] = reason
        record_event(
            action=AuditEvent.Action.CLAIM_CORRECTED,
            actor=actor,
            organisation=membership.organisation,
            case=case,
            changes=diff,
            summary="; ".join(
                f"{k}: {v[0]} → {v[1]}" for k, v in diff.items() if k != "reason"
            )
            + (f" ({reason})" if reason else ""),
        )
        return line


# --- evidence export ------------------------------------------------------


def record_evidence_export(
    *,
    case_id: int,
    actor: User,
    membership: Membership,
    filename: str,
    sha256: str,
) -> AuditEvent:
    """Record that a party downloaded the evidence ZIP of a case.

    Rules: only the two parties. Effects: one audit event with the ZIP's name
    and SHA-256, so a ZIP shown later can be matched to this export.
    """
    case = Case.objects.only("id", "client_id", "partner_id").get(pk=case_id)
    if side_of(membership, case) is None:
        raise PermissionDenied()
    with transaction.atomic():
        return record_event(
            action=AuditEvent.Action.EVIDENCE_EXPORTED,
            actor=actor,
            organisation=membership.organisation,
            case=case,
            changes={"file": filename, "sha256": sha256},
            summary=filename,
        )
