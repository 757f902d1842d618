"""The case workflow in one call per step, for tests: each goes through the services."""

from decimal import Decimal
from typing import Any

from claimbridge.cases import services
from claimbridge.cases.models import Case
from claimbridge.core.testing import checked_upload
from claimbridge.organisations.models import Membership


def membership_of(user: Any) -> Membership:
    return Membership.objects.select_related("organisation").get(user=user)


def _move(case: Any, user: Any, to_status: str, **fields: Any) -> Case:
    return services.change_case_status(
        case_id=case.pk,
        actor=user,
        membership=membership_of(user),
        to_status=to_status,
        expected_status=Case.objects.get(pk=case.pk).status,
        **fields,
    )


def request_info(
    case: Any, agent: Any, text: str = "Please send the contract."
) -> Case:
    return _move(case, agent, Case.Status.MORE_INFO_REQUIRED, message=text)


def accept(case: Any, agent: Any) -> Case:
    return _move(case, agent, Case.Status.ACTIVE)


def pause(case: Any, agent: Any, reason: str = "Payment plan agreed.") -> Case:
    return _move(case, agent, Case.Status.PAUSED, reason=reason)


def resume(case: Any, agent: Any) -> Case:
    return _move(case, agent, Case.Status.ACTIVE)


def close(case: Any, agent: Any) -> Case:
    return _move(case, agent, Case.Status.CLOSED, close_code="debtor_insolvent")


def withdraw(case: Any, client_user: Any) -> Case:
    return _move(case, client_user, Case.Status.CLOSED, confirmed=True)


def post(case: Any, user: Any, text: str = "A message.") -> Any:
    return services.post_case_message(
        case_id=case.pk, actor=user, membership=membership_of(user), body=text
    )


def upload(case: Any, user: Any, name: str = "Delivery note.pdf") -> Any:
    return services.upload_case_documents(
        case_id=case.pk,
        actor=user,
        membership=membership_of(user),
        uploads=[checked_upload(name)],
    )


def monthly_update(case: Any, agent: Any, **fields: Any) -> Any:
    data = {
        "work_done": "Called the debtor twice; reminder letter sent.",
        "payments_received": Decimal("1200.00"),
        "recommendation": "continue",
        "comment": "",
    }
    data.update(fields)
    return services.post_monthly_update(
        case_id=case.pk, actor=agent, membership=membership_of(agent), **data
    )


def merge(primary: Any, others: list[Any], agent: Any) -> Case:
    return services.merge_cases(
        primary_id=primary.pk,
        other_ids=[c.pk for c in others],
        actor=agent,
        membership=membership_of(agent),
    )
