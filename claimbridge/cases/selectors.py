"""Reads of cases, always scoped to what the user's organisation may see."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from claimbridge.audit.selectors import case_timeline
from claimbridge.documents.selectors import case_documents
from claimbridge.messaging.selectors import case_chat
from claimbridge.organisations.models import Membership
from claimbridge.tasks.models import Task

from .models import Case, ClaimLine

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


def case_page(case: Case, side: str) -> CasePage:
    """Everything the case page shows, in a fixed number of queries."""
    return CasePage(
        case=case,
        side=side,
        claim_lines=list(case.claim_lines.all()),
        documents=list(case_documents(case.pk)),
        chat=list(case_chat(case.pk)),
        timeline=list(case_timeline(case.pk)),
        tasks=list(
            Task.objects.filter(case=case)
            .select_related("organisation", "closed_by", "assigned_to")
            .order_by("-created_at", "-id")
        ),
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
