"""The case lifecycle end to end (DESIGN §3, §5, §8): every move, races, closing,
merging and editing, each through the real services and checked by its effects."""

import re
import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db.models import Max
from django.test import Client
from django.urls import reverse

from claimbridge.audit.models import AuditEvent
from claimbridge.cases import services
from claimbridge.cases.models import Case, ClaimLine, StatusChange
from claimbridge.cases.tests.concurrency import post_each_at_once, require_postgresql
from claimbridge.cases.tests.workflow import (
    accept,
    close,
    membership_of,
    merge,
    pause,
    request_info,
)
from claimbridge.core.exceptions import DomainError
from claimbridge.core.testing import claim_line, submit
from claimbridge.messaging.models import Message
from claimbridge.notifications.models import Notification
from claimbridge.organisations.models import Organisation
from claimbridge.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
)
from claimbridge.tasks.models import Task

pytestmark = pytest.mark.django_db

S = Case.Status
STATUSES = list(S.values)
OPEN = Task.State.OPEN
DONE = Task.State.DONE
CANCELLED = Task.State.CANCELLED

# DESIGN §3, written out again on purpose: the test compares the code's table
# with the design, not with itself. Merging is a move of the partner too, but
# through merge_cases (tested below), never through change_case_status.
PARTNER_MOVES = {
    (S.PENDING_VERIFICATION, S.MORE_INFO_REQUIRED),
    (S.PENDING_VERIFICATION, S.ACTIVE),
    (S.PENDING_VERIFICATION, S.CLOSED),
    (S.MORE_INFO_REQUIRED, S.ACTIVE),
    (S.MORE_INFO_REQUIRED, S.CLOSED),
    (S.ACTIVE, S.MORE_INFO_REQUIRED),
    (S.ACTIVE, S.PAUSED),
    (S.ACTIVE, S.CLOSED),
    (S.PAUSED, S.ACTIVE),
    (S.PAUSED, S.CLOSED),
}
CLIENT_MOVES = {
    (S.PENDING_VERIFICATION, S.CLOSED),
    (S.MORE_INFO_REQUIRED, S.CLOSED),
    (S.ACTIVE, S.CLOSED),
    (S.PAUSED, S.CLOSED),
}
ALLOWED = {"partner": PARTNER_MOVES, "client": CLIENT_MOVES}
MERGEABLE = (S.PENDING_VERIFICATION, S.MORE_INFO_REQUIRED, S.ACTIVE, S.PAUSED)

ALL_MOVES = [
    (from_status, to_status, side)
    for from_status in STATUSES
    for to_status in STATUSES
    for side in ("client", "partner")
]
ALLOWED_MOVES = [m for m in ALL_MOVES if (m[0], m[1]) in ALLOWED[m[2]]]
REFUSED_MOVES = [m for m in ALL_MOVES if (m[0], m[1]) not in ALLOWED[m[2]]]

# The task each target status leaves open (DESIGN §5), by kind and owner side.
OPENED_BY = {
    S.MORE_INFO_REQUIRED: {(Task.Kind.PROVIDE_INFORMATION, "client")},
    S.PAUSED: {(Task.Kind.FOLLOW_UP_PAUSED, "partner")},
    S.ACTIVE: set(),
    S.CLOSED: set(),
}


def _closing_state(kind: str, side: str) -> str:
    """How a task open before the move ends: done by the partner, else cancelled."""
    if kind in (Task.Kind.REVIEW_NEW_CASE, Task.Kind.FOLLOW_UP_PAUSED):
        return DONE if side == "partner" else CANCELLED
    return CANCELLED


# --- helpers ------------------------------------------------------------------


@pytest.fixture
def people(
    client_org,
    partner_org,
    client_member,
    manager,
    agent,
    agent_colleague,
    outsider,
    outsider_partner,
):
    platform = OrganisationFactory(
        kind=Organisation.Kind.PLATFORM, name="Claimbridge Operations"
    )
    staff = MembershipFactory(organisation=platform).user
    return SimpleNamespace(
        client_org=client_org,
        partner_org=partner_org,
        client=client_member,
        manager=manager,
        partner=agent,
        agent_colleague=agent_colleague,
        other_client=outsider,
        other_partner=outsider_partner,
        platform=staff,
    )


def _case_in(status: str, p: SimpleNamespace) -> Case:
    """A case of Nordlys Møbler at Hansen Inkasso, put in `status` by the services."""
    case = submit(p.client, p.partner_org)
    if status == S.MORE_INFO_REQUIRED:
        request_info(case, p.partner)
    elif status == S.ACTIVE:
        accept(case, p.partner)
    elif status == S.PAUSED:
        accept(case, p.partner)
        pause(case, p.partner)
    elif status == S.CLOSED:
        close(case, p.partner)
    elif status == S.MERGED:
        merge(submit(p.client, p.partner_org), [case], p.partner)
    return Case.objects.get(pk=case.pk)


def _fields(to_status: str, side: str) -> dict[str, Any]:
    """What the form of each target asks for, so only the rule can refuse it."""
    if to_status == S.MORE_INFO_REQUIRED:
        return {"message": "Please send the signed framework contract."}
    if to_status == S.PAUSED:
        return {"reason": "Payment plan agreed until 30 June."}
    if to_status == S.CLOSED and side == "partner":
        return {"close_code": Case.CloseCode.DEBTOR_INSOLVENT}
    if to_status == S.CLOSED:
        return {"confirmed": True}
    return {}


def _change(case: Case, user: Any, to_status: str, **fields: Any) -> Case:
    return services.change_case_status(
        case_id=case.pk,
        actor=user,
        membership=membership_of(user),
        to_status=to_status,
        expected_status=Case.objects.get(pk=case.pk).status,
        **fields,
    )


def state_of(*cases: Case) -> dict:
    """Everything a refused attempt could have changed on these cases."""
    ids = [c.pk for c in cases]
    return {
        "cases": sorted(
            Case.objects.filter(pk__in=ids).values_list(
                "pk",
                "status",
                "close_code",
                "recovered_amount",
                "merged_into",
                "total_principal",
                "total_paid",
                "debtor_city",
                "client_reference",
            )
        ),
        "lines": sorted(
            ClaimLine.objects.filter(case__in=ids).values_list(
                "pk", "case", "principal", "paid"
            )
        ),
        "status_changes": StatusChange.objects.filter(case__in=ids).count(),
        "events": AuditEvent.objects.filter(case__in=ids).count(),
        "tasks": sorted(
            Task.objects.filter(case__in=ids).values_list("pk", "kind", "state")
        ),
        "notifications": Notification.objects.filter(case__in=ids).count(),
        "messages": Message.objects.filter(case__in=ids).count(),
    }


def _refusal(status: str, to_status: str, side: str) -> str:
    if to_status == S.MERGED:
        return "Cases are merged from the merge page."
    seen = (
        "Needs additional details"
        if side == "client" and status == S.MORE_INFO_REQUIRED
        else S(status).label
    )
    return f"A case that is “{seen}” cannot be moved to “{S(to_status).label}” by you."


def _side_of_org(case: Case, organisation_id: int) -> str:
    return "client" if organisation_id == case.client_id else "partner"


def _last_notification_id() -> int:
    return Notification.objects.aggregate(last=Max("pk"))["last"] or 0


# --- 1. every (from, to, role) through change_case_status ----------------------


def test_transition_table_in_code_is_the_table_of_the_design():
    table = {
        (from_status, to_status, side)
        for from_status, targets in Case.TRANSITIONS.items()
        for to_status, sides in targets.items()
        for side in sides
    }

    expected = {(f, t, side) for side, moves in ALLOWED.items() for f, t in moves}
    expected |= {(f, S.MERGED, "partner") for f in MERGEABLE}
    assert table == expected


@pytest.mark.parametrize("from_status, to_status, side", ALLOWED_MOVES)
def test_allowed_move_changes_status_with_its_records_tasks_and_mail(
    people, from_status, to_status, side
):
    case = _case_in(from_status, people)
    actor = getattr(people, side)
    open_before = dict(
        Task.objects.filter(case=case, state=OPEN).values_list("pk", "kind")
    )
    after_id = _last_notification_id()
    status_events = AuditEvent.objects.filter(
        case=case, action=AuditEvent.Action.CASE_STATUS_CHANGED
    )
    events_before = status_events.count()
    changes_before = StatusChange.objects.filter(case=case).count()

    _change(case, actor, to_status, **_fields(to_status, side))

    case.refresh_from_db()
    assert case.status == to_status
    assert StatusChange.objects.filter(case=case).count() == changes_before + 1
    change = StatusChange.objects.filter(case=case).order_by("-id").first()
    assert (change.from_status, change.to_status, change.actor) == (
        from_status,
        to_status,
        actor,
    )
    assert change.organisation == membership_of(actor).organisation
    assert status_events.count() == events_before + 1
    event = status_events.order_by("-id").first()
    assert event.changes["status"] == [from_status, to_status]
    assert event.actor == actor
    note = Message.objects.filter(case=case, kind=Message.Kind.SYSTEM).last()
    assert f"{S(from_status).label} → {S(to_status).label}" in note.body
    closed = dict(Task.objects.filter(pk__in=open_before).values_list("kind", "state"))
    assert closed == {kind: _closing_state(kind, side) for kind in open_before.values()}
    assert {
        (kind, _side_of_org(case, org))
        for kind, org in Task.objects.filter(case=case, state=OPEN).values_list(
            "kind", "organisation"
        )
    } == OPENED_BY[to_status]
    kind = (
        Notification.Kind.INFO_REQUESTED
        if to_status == S.MORE_INFO_REQUIRED
        else Notification.Kind.STATUS_CHANGED
    )
    other_side = (
        [people.client, people.manager]
        if side == "partner"
        else [people.partner, people.agent_colleague]
    )
    assert sorted(
        Notification.objects.filter(case=case, pk__gt=after_id).values_list(
            "kind", "recipient__email"
        )
    ) == sorted((kind, user.email) for user in other_side)


@pytest.mark.parametrize("from_status, to_status, side", REFUSED_MOVES)
def test_move_not_allowed_for_the_side_is_refused_and_changes_nothing(
    people, from_status, to_status, side
):
    case = _case_in(from_status, people)
    before = state_of(case)

    with pytest.raises(DomainError) as refused:
        _change(case, getattr(people, side), to_status, **_fields(to_status, side))

    assert refused.value.message == _refusal(from_status, to_status, side)
    assert state_of(case) == before


@pytest.mark.parametrize("role", ["platform", "other_client", "other_partner"])
@pytest.mark.parametrize("from_status, to_status", sorted(PARTNER_MOVES))
def test_move_by_someone_outside_the_case_is_refused_and_changes_nothing(
    people, from_status, to_status, role
):
    case = _case_in(from_status, people)
    before = state_of(case)

    with pytest.raises(DomainError) as refused:
        _change(case, getattr(people, role), to_status, **_fields(to_status, "partner"))

    assert refused.value.message == "You may not do this."
    assert state_of(case) == before


# --- 2. two conflicting moves at the same moment (PostgreSQL) --------------------


FORMS = {
    "accept": {},
    "withdraw": {"confirmed": "on"},
    "pause": {"reason": "Payment plan agreed until 30 June."},
    "close": {"outcome": "none", "close_code": "debtor_insolvent"},
}
# What each action leaves: status, whose members are told, every task of the case.
OUTCOME = {
    (S.PENDING_VERIFICATION, "accept"): (
        S.ACTIVE,
        "client",
        [(Task.Kind.REVIEW_NEW_CASE, DONE)],
    ),
    (S.PENDING_VERIFICATION, "withdraw"): (
        S.CLOSED,
        "partner",
        [(Task.Kind.REVIEW_NEW_CASE, CANCELLED)],
    ),
    (S.PENDING_VERIFICATION, "close"): (
        S.CLOSED,
        "client",
        [(Task.Kind.REVIEW_NEW_CASE, DONE)],
    ),
    (S.ACTIVE, "pause"): (
        S.PAUSED,
        "client",
        [(Task.Kind.FOLLOW_UP_PAUSED, OPEN), (Task.Kind.REVIEW_NEW_CASE, DONE)],
    ),
    (S.ACTIVE, "close"): (S.CLOSED, "client", [(Task.Kind.REVIEW_NEW_CASE, DONE)]),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "from_status, first, second",
    [
        (S.PENDING_VERIFICATION, ("partner", "accept"), ("client", "withdraw")),
        (S.PENDING_VERIFICATION, ("partner", "accept"), ("agent_colleague", "close")),
        (S.ACTIVE, ("partner", "pause"), ("agent_colleague", "close")),
    ],
)
def test_conflicting_moves_at_once_have_one_winner_and_the_other_is_told(
    people, from_status, first, second
):
    require_postgresql()
    case = _case_in(from_status, people)
    after_id = _last_notification_id()
    changes_before = StatusChange.objects.filter(case=case).count()
    status_events = AuditEvent.objects.filter(
        case=case, action=AuditEvent.Action.CASE_STATUS_CHANGED
    )
    events_before = status_events.count()
    posts = []
    for persona, action in (first, second):
        client = Client()
        client.force_login(getattr(people, persona))
        data = {
            **FORMS[action],
            "expected_status": from_status,
            "request_token": str(uuid.uuid4()),
        }
        url = reverse("cases:change_status", args=[case.pk, action])
        posts.append((client, url, data))

    results = post_each_at_once(posts, case.pk)

    codes = [getattr(r, "status_code", r) for r in results]
    assert sorted(codes) == [302, 400], codes
    winner = (first, second)[codes.index(302)][1]
    loser = results[codes.index(400)]
    assert (
        "The case changed meanwhile. Reload the page to see its current state."
        in loser.content.decode()
    )
    status, told, tasks = OUTCOME[(from_status, winner)]
    case.refresh_from_db()
    assert case.status == status
    assert StatusChange.objects.filter(case=case).count() == changes_before + 1
    assert status_events.count() == events_before + 1
    assert status_events.order_by("-id").first().changes["status"] == [
        from_status,
        status,
    ]
    assert sorted(Task.objects.filter(case=case).values_list("kind", "state")) == tasks
    told_users = (
        [people.client, people.manager]
        if told == "client"
        else [people.partner, people.agent_colleague]
    )
    assert sorted(
        Notification.objects.filter(case=case, pk__gt=after_id).values_list(
            "kind", "recipient__email"
        )
    ) == sorted((Notification.Kind.STATUS_CHANGED, u.email) for u in told_users)


# --- 3. close codes ------------------------------------------------------------


@pytest.fixture
def active_case(people):
    """Active, with two claim lines: 1,500.00 DKK owed, 250.00 of it already paid."""
    case = submit(
        people.client,
        people.partner_org,
        lines=[claim_line("1000.00", 1, paid="250.00"), claim_line("750.00", 2)],
    )
    accept(case, people.partner)
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize(
    "fields, refusal",
    [
        (
            {"close_code": "paid_in_full"},
            "State the amount recovered for a successful close.",
        ),
        (
            {"close_code": "paid_in_full", "recovered_amount": Decimal("1499.99")},
            "“Paid in full” needs the recovered amount to cover 1500.00 DKK.",
        ),
        (
            {"close_code": "partially_paid"},
            "State the amount recovered for a successful close.",
        ),
        (
            {"close_code": "partially_paid", "recovered_amount": Decimal("0")},
            "State the amount recovered for a successful close.",
        ),
        (
            {"close_code": "other"},
            "Explain the closing in a comment when the code is “Other”.",
        ),
        (
            {"close_code": "other", "close_comment": "   "},
            "Explain the closing in a comment when the code is “Other”.",
        ),
        ({"close_code": ""}, "Choose a close code."),
        (
            {"close_code": "never_started", "close_comment": "Not our market."},
            "“Never started” is only for cases not yet accepted.",
        ),
    ],
)
def test_close_without_what_its_code_needs_is_refused_and_changes_nothing(
    people, active_case, fields, refusal
):
    before = state_of(active_case)

    with pytest.raises(DomainError) as refused:
        _change(active_case, people.partner, S.CLOSED, **fields)

    assert refused.value.message == refusal
    assert state_of(active_case) == before


def test_paid_in_full_with_the_recovered_amount_closes_and_records_it(
    people, active_case
):
    _change(
        active_case,
        people.partner,
        S.CLOSED,
        close_code="paid_in_full",
        recovered_amount=Decimal("1500.00"),
    )

    active_case.refresh_from_db()
    assert (
        active_case.status,
        active_case.close_code,
        active_case.recovered_amount,
    ) == (S.CLOSED, Case.CloseCode.PAID_IN_FULL, Decimal("1500.00"))
    assert active_case.closed_on is not None
    event = AuditEvent.objects.filter(
        case=active_case, action=AuditEvent.Action.CASE_STATUS_CHANGED
    ).latest("id")
    assert event.changes["close_code"] == ["", "paid_in_full"]
    assert event.changes["recovered_amount"] == [None, "1500.00"]


def test_other_with_a_comment_closes_with_the_comment(people, active_case):
    _change(
        active_case,
        people.partner,
        S.CLOSED,
        close_code="other",
        close_comment="Debtor emigrated; client agreed to stop.",
    )

    active_case.refresh_from_db()
    assert (active_case.status, active_case.close_code, active_case.close_comment) == (
        S.CLOSED,
        "other",
        "Debtor emigrated; client agreed to stop.",
    )


def test_decline_without_a_reason_for_the_client_is_refused(people):
    case = _case_in(S.PENDING_VERIFICATION, people)
    before = state_of(case)

    with pytest.raises(DomainError) as refused:
        _change(case, people.partner, S.CLOSED, close_code="never_started")

    assert refused.value.message == "Tell the client why the case is declined."
    assert state_of(case) == before


def test_decline_posts_its_reason_in_the_chat_the_client_reads(people):
    case = _case_in(S.PENDING_VERIFICATION, people)
    reason = "We do not collect claims under 50 EUR in Sweden."

    _change(
        case, people.partner, S.CLOSED, close_code="never_started", close_comment=reason
    )

    case.refresh_from_db()
    assert (case.status, case.close_code) == (S.CLOSED, "never_started")
    browser = Client()
    browser.force_login(people.client)
    page = browser.get(reverse("cases:detail", args=[case.pk])).content.decode()
    chat = re.search(r'id="chat".*?</section>', page, re.S)
    assert chat is not None
    assert "Never started (declined): " + reason in chat.group(0)


@pytest.mark.parametrize("status", [S.MORE_INFO_REQUIRED, S.ACTIVE, S.PAUSED])
def test_withdrawal_once_the_partner_started_needs_confirmation(people, status):
    case = _case_in(status, people)
    before = state_of(case)

    with pytest.raises(DomainError) as refused:
        _change(case, people.client, S.CLOSED)

    assert refused.value.message == (
        "Confirm the withdrawal: the partner's work stops and fees may be owed."
    )
    assert state_of(case) == before


def test_withdrawal_before_review_needs_no_confirmation(people):
    case = _case_in(S.PENDING_VERIFICATION, people)

    _change(case, people.client, S.CLOSED)

    case.refresh_from_db()
    assert (case.status, case.close_code) == (S.CLOSED, "withdrawn_by_client")


# --- 4. merging ------------------------------------------------------------------


def _merge(primary: Case, others: list[Case], user: Any) -> Case:
    return services.merge_cases(
        primary_id=primary.pk,
        other_ids=[c.pk for c in others],
        actor=user,
        membership=membership_of(user),
    )


def test_merge_of_cases_of_different_clients_is_refused(people):
    ours = submit(people.client, people.partner_org)
    theirs = submit(people.other_client, people.partner_org)
    before = state_of(ours, theirs)

    with pytest.raises(DomainError) as refused:
        _merge(ours, [theirs], people.partner)

    assert refused.value.message == "Only cases of the same client can be merged."
    assert state_of(ours, theirs) == before


def test_merge_of_cases_in_different_currencies_is_refused(people):
    kroner = submit(people.client, people.partner_org)
    euro = submit(people.client, people.partner_org, currency="EUR")
    before = state_of(kroner, euro)

    with pytest.raises(DomainError) as refused:
        _merge(kroner, [euro], people.partner)

    assert refused.value.message == "Only cases in the same currency can be merged."
    assert state_of(kroner, euro) == before


def test_merge_with_a_closed_case_is_refused(people):
    primary = _case_in(S.ACTIVE, people)
    closed = _case_in(S.CLOSED, people)
    before = state_of(primary, closed)

    with pytest.raises(DomainError) as refused:
        _merge(primary, [closed], people.partner)

    assert (
        refused.value.message == f"{closed.reference} is closed and cannot be merged."
    )
    assert state_of(primary, closed) == before


def test_merge_with_an_already_merged_case_is_refused(people):
    primary = _case_in(S.ACTIVE, people)
    merged = _case_in(S.MERGED, people)
    before = state_of(primary, merged)

    with pytest.raises(DomainError) as refused:
        _merge(primary, [merged], people.partner)

    assert refused.value.message == f"{merged.reference} is already merged."
    assert state_of(primary, merged) == before


@pytest.mark.parametrize("others", ["none", "itself"])
def test_merge_of_one_case_alone_is_refused(people, others):
    case = _case_in(S.ACTIVE, people)
    before = state_of(case)

    with pytest.raises(DomainError) as refused:
        _merge(case, [] if others == "none" else [case], people.partner)

    assert refused.value.message == (
        "Choose at least one other case to merge into this one."
    )
    assert state_of(case) == before


def test_merge_of_eleven_cases_is_refused(people):
    cases = [submit(people.client, people.partner_org) for _ in range(11)]
    before = state_of(*cases)

    with pytest.raises(DomainError) as refused:
        _merge(cases[0], cases[1:], people.partner)

    assert refused.value.message == "At most 10 cases can be merged at once."
    assert state_of(*cases) == before


def test_merge_with_a_case_of_another_partner_is_refused(people, other_partner_org):
    ours = submit(people.client, people.partner_org)
    elsewhere = submit(people.client, other_partner_org)
    before = state_of(ours, elsewhere)

    with pytest.raises(DomainError) as refused:
        _merge(ours, [elsewhere], people.partner)

    assert refused.value.message == "Only the partner of all the cases can merge them."
    assert state_of(ours, elsewhere) == before


def test_merge_by_the_client_is_refused(people):
    first = submit(people.client, people.partner_org)
    second = submit(people.client, people.partner_org)
    before = state_of(first, second)

    with pytest.raises(DomainError) as refused:
        _merge(first, [second], people.client)

    assert refused.value.message == "Only the partner of all the cases can merge them."
    assert state_of(first, second) == before


def test_merge_of_three_cases_moves_claims_totals_tasks_and_records_each(people):
    primary = submit(
        people.client,
        people.partner_org,
        lines=[claim_line("1000.00", 1, paid="250.00")],
    )
    accept(primary, people.partner)
    second = submit(
        people.client,
        people.partner_org,
        lines=[claim_line("250.50", 2), claim_line("49.50", 3, paid="10.00")],
    )
    third = submit(people.client, people.partner_org, lines=[claim_line("19.99", 4)])
    request_info(third, people.partner)
    line_ids = set(
        ClaimLine.objects.filter(case__in=[primary, second, third]).values_list(
            "pk", flat=True
        )
    )
    merged_events_before = AuditEvent.objects.filter(
        case__in=[second, third], action=AuditEvent.Action.CASE_STATUS_CHANGED
    ).count()

    _merge(primary, [second, third], people.partner)

    cases = {
        c.pk: (c.status, c.merged_into_id, c.total_principal, c.total_paid)
        for c in Case.objects.filter(pk__in=[primary.pk, second.pk, third.pk])
    }
    assert cases == {
        primary.pk: (S.ACTIVE, None, Decimal("1319.99"), Decimal("260.00")),
        second.pk: (S.MERGED, primary.pk, Decimal("0"), Decimal("0")),
        third.pk: (S.MERGED, primary.pk, Decimal("0"), Decimal("0")),
    }
    assert set(primary.claim_lines.values_list("pk", flat=True)) == line_ids
    assert not Task.objects.filter(case__in=[second, third], state=OPEN).exists()
    assert sorted(
        Task.objects.filter(case__in=[second, third]).values_list("kind", "state")
    ) == [
        (Task.Kind.PROVIDE_INFORMATION, CANCELLED),
        (Task.Kind.REVIEW_NEW_CASE, CANCELLED),
        (Task.Kind.REVIEW_NEW_CASE, DONE),
    ]
    for case in (second, third):
        event = AuditEvent.objects.filter(
            case=case, action=AuditEvent.Action.CASE_STATUS_CHANGED
        ).latest("id")
        assert event.changes["merged_into"] == primary.reference
        assert event.changes["status"][1] == S.MERGED
    assert (
        AuditEvent.objects.filter(
            case__in=[second, third], action=AuditEvent.Action.CASE_STATUS_CHANGED
        ).count()
        == merged_events_before + 2
    )
    merged_event = AuditEvent.objects.get(
        case=primary, action=AuditEvent.Action.CASE_MERGED
    )
    assert merged_event.changes["merged"] == [second.reference, third.reference]
    assert merged_event.changes["total_principal"] == "1319.99"


# --- 5. editing case data ------------------------------------------------------


def _edit(case: Case, user: Any, **changes: Any) -> Case:
    return services.edit_case(
        case_id=case.pk, actor=user, membership=membership_of(user), changes=changes
    )


def test_client_edit_before_acceptance_shows_old_and_new_values_in_the_timeline(
    people,
):
    case = _case_in(S.PENDING_VERIFICATION, people)

    _edit(
        case,
        people.client,
        debtor_city="Odense",
        debtor_email="faktura@fjordkant.example",
    )

    event = AuditEvent.objects.get(case=case, action=AuditEvent.Action.CASE_EDITED)
    assert event.changes == {
        "debtor_city": ["Aarhus", "Odense"],
        "debtor_email": ["bogholderi@fjordkant.example", "faktura@fjordkant.example"],
    }
    browser = Client()
    browser.force_login(people.partner)
    page = browser.get(reverse("cases:detail", args=[case.pk])).content.decode()
    timeline = re.search(r'data-testid="timeline">(.*?)</ol>', page, re.S)
    assert timeline is not None
    assert "Aarhus → Odense" in timeline.group(1)
    assert "bogholderi@fjordkant.example → faktura@fjordkant.example" in (
        timeline.group(1)
    )


@pytest.mark.parametrize(
    "status, persona, changes, refusal",
    [
        (
            S.ACTIVE,
            "client",
            {"debtor_city": "Odense"},
            "These details cannot be changed now: debtor city.",
        ),
        (
            S.PENDING_VERIFICATION,
            "partner",
            {"debtor_city": "Odense"},
            "These details cannot be changed now: debtor city.",
        ),
        (
            S.PENDING_VERIFICATION,
            "client",
            {"total_principal": Decimal("5.00")},
            "These details cannot be changed now: total principal.",
        ),
        (
            S.CLOSED,
            "client",
            {"client_reference": "NM-2026-999"},
            "These details cannot be changed now: client reference.",
        ),
    ],
)
def test_edit_not_allowed_in_the_status_is_refused_and_changes_nothing(
    people, status, persona, changes, refusal
):
    case = _case_in(status, people)
    before = state_of(case)

    with pytest.raises(DomainError) as refused:
        _edit(case, getattr(people, persona), **changes)

    assert refused.value.message == refusal
    assert state_of(case) == before


def _correct(case: Case, user: Any, principal: str, reason: str = "") -> Any:
    return services.correct_claim_line(
        line_id=case.claim_lines.get().pk,
        actor=user,
        membership=membership_of(user),
        principal=Decimal(principal),
        paid=Decimal("0"),
        reason=reason,
    )


@pytest.mark.parametrize(
    "status, persona, reason, refusal",
    [
        (
            S.ACTIVE,
            "client",
            "Credit note issued.",
            "After acceptance only the partner records corrections; "
            "before it, only the client edits its claims.",
        ),
        (S.ACTIVE, "partner", "", "Give the reason for the correction."),
        (
            S.PENDING_VERIFICATION,
            "partner",
            "Credit note issued.",
            "After acceptance only the partner records corrections; "
            "before it, only the client edits its claims.",
        ),
        (
            S.CLOSED,
            "partner",
            "Credit note issued.",
            "Claims of a closed case cannot be changed.",
        ),
    ],
)
def test_claim_correction_not_allowed_now_is_refused_and_changes_nothing(
    people, status, persona, reason, refusal
):
    case = _case_in(status, people)
    before = state_of(case)

    with pytest.raises(DomainError) as refused:
        _correct(case, getattr(people, persona), "15.00", reason)

    assert refused.value.message == refusal
    assert state_of(case) == before


def test_partner_correction_after_acceptance_records_amounts_and_reason(people):
    case = _case_in(S.ACTIVE, people)

    _correct(case, people.partner, "15.00", "Credit note CN-7 issued.")

    case.refresh_from_db()
    assert case.total_principal == Decimal("15.00")
    event = AuditEvent.objects.get(case=case, action=AuditEvent.Action.CLAIM_CORRECTED)
    assert event.changes == {
        "INV-1001.principal": ["19.99", "15.00"],
        "reason": "Credit note CN-7 issued.",
    }
