"""Reads of cases, always scoped to what the user's organisation may see."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from claimbridge.audit.models import AuditEvent
from claimbridge.audit.selectors import case_timeline
from claimbridge.core.pagination import latest
from claimbridge.documents.models import Document
from claimbridge.documents.selectors import case_documents
from claimbridge.messaging.models import Message
from claimbridge.messaging.selectors import CHAT_WINDOW, case_chat_window
from claimbridge.organisations.models import Membership
from claimbridge.tasks.models import Task

from .models import Case, ClaimLine, StatusChange

SORTS = {
    "-last_activity_at": ("-last_activity_at", "-id"),
    "last_activity_at": ("last_activity_at", "id"),
    "debtor_name": ("debtor_name", "id"),
    "-total_principal": ("-total_principal", "-id"),
    "-created_at": ("-created_at", "-id"),
}


def cases_visible_to(membership: Membership | None) -> QuerySet[Case]:
    """Cases where the membership's organisation is the client or the partner."""
    if membership is None:
        return Case.objects.none()
    org = membership.organisation
    if org.is_client:
        return Case.objects.filter(client_id=org.pk)
    if org.is_partner:
        return Case.objects.filter(partner_id=org.pk)
    return Case.objects.none()


def get_case_for_user(membership: Membership | None, case_id: int) -> Case:
    """The case if the user's organisation is a party to it, else 404."""
    case = (
        cases_visible_to(membership)
        .select_related("client", "partner", "created_by", "merged_into")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404("No such case")
    return case


def case_list(
    membership: Membership | None,
    *,
    status: str = "",
    query: str = "",
    sort: str = "-last_activity_at",
) -> QuerySet[Case]:
    """The case list of one organisation, filtered, searched and sorted."""
    cases = cases_visible_to(membership).select_related("client", "partner")
    if status in Case.Status.values:
        cases = cases.filter(status=status)
    query = query.strip()
    if query:
        line_match = ClaimLine.objects.filter(
            case_id=OuterRef("pk"), reference__icontains=query
        )
        match = (
            Q(debtor_name__icontains=query)
            | Q(client_reference__icontains=query)
            | Exists(line_match)
        )
        if query.upper().startswith("CB-") and query[3:].isdigit():
            match |= Q(pk=int(query[3:]))
        cases = cases.filter(match)
    return cases.order_by(*SORTS.get(sort, SORTS["-last_activity_at"]))


@dataclass
class CasePage:
    case: Case
    side: str
    claim_lines: list[ClaimLine]
    documents: list[Any]
    chat: list[Any]
    timeline: list[Any]
    tasks: list[Task]
    merged_cases: list[Case]
    # Whether the page shows only the latest chat entries / timeline events.
    chat_has_earlier: bool = False
    timeline_has_earlier: bool = False


# Timeline events the case page shows; the rest on ?timeline=all and in the
# evidence export.
TIMELINE_WINDOW = 20


def case_page(
    case: Case, side: str, *, full_chat: bool = False, full_timeline: bool = False
) -> CasePage:
    """Everything the case page shows, in a fixed number of queries.

    The chat and the timeline show their latest entries unless asked for all,
    so the page costs the same for a case with ten entries or ten thousand.
    """
    chat, chat_has_earlier = case_chat_window(
        case.pk, None if full_chat else CHAT_WINDOW
    )
    viewer_id = case.client_id if side == "client" else case.partner_id
    timeline, timeline_has_earlier = latest(
        case_timeline(case.pk, viewer_id), None if full_timeline else TIMELINE_WINDOW
    )
    return CasePage(
        case=case,
        side=side,
        claim_lines=list(case.claim_lines.all()),
        documents=list(case_documents(case.pk)),
        chat=chat,
        chat_has_earlier=chat_has_earlier,
        timeline=timeline,
        timeline_has_earlier=timeline_has_earlier,
        tasks=case_tasks(case.pk),
        merged_cases=list(case.merged_cases.only("id").order_by("id")),
    )


def merge_candidates(case: Case) -> QuerySet[Case]:
    """Open cases that could be merged into this one: same client, partner, currency."""
    return (
        Case.objects.filter(
            client_id=case.client_id,
            partner_id=case.partner_id,
            currency=case.currency,
            status__in=Case.OPEN_STATUSES,
        )
        .exclude(pk=case.pk)
        .order_by("-last_activity_at", "-id")[:200]
    )


@dataclass
class CaseEvidence:
    case: Case
    claim_lines: list[ClaimLine]
    status_changes: list[StatusChange]
    chat: list[Message]
    documents: list[Document]
    timeline: list[AuditEvent]
    merged_cases: list[Case]


def case_evidence(case: Case, side: str | None = None) -> CaseEvidence:
    """The whole record of a case for the evidence export, in a fixed number of queries.

    Unlike the case page it keeps removed files, in the file list and as chat
    attachments: evidence shows that they existed and when they were removed.
    """
    return CaseEvidence(
        case=case,
        claim_lines=list(case.claim_lines.all()),
        status_changes=list(
            StatusChange.objects.filter(case_id=case.pk)
            .select_related("actor", "organisation")
            .order_by("created_at", "id")
        ),
        chat=list(
            Message.objects.filter(case_id=case.pk)
            .select_related("author", "organisation")
            .prefetch_related("attachments")
            .order_by("created_at", "id")
        ),
        documents=list(
            Document.objects.filter(case_id=case.pk)
            .select_related("uploaded_by", "organisation", "removed_by")
            .order_by("uploaded_at", "id")
        ),
        timeline=list(
            case_timeline(
                case.pk,
                None
                if side is None
                else (case.client_id if side == "client" else case.partner_id),
            )
        ),
        merged_cases=list(case.merged_cases.only("id").order_by("id")),
    )


def case_tasks(case_id: int) -> list[Task]:
    """A case's tasks, newest first, for the case page's panel."""
    return list(
        Task.objects.filter(case_id=case_id)
        .select_related("organisation", "closed_by", "assigned_to")
        .order_by("-created_at", "-id")
    )
