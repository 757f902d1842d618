"""The case list and its search read an index, not the whole cases table (PostgreSQL).

With enough rows for the planner to prefer an index (30,000 cases of ten
partners), EXPLAIN of the queries behind operations (a) and (b) of the benchmark
shows no sequential scan of the cases table: neither the page nor its capped
count. SQLite has no comparable planner choice to assert, so these tests skip
there.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from claimbridge.accounts.tests.factories import UserFactory
from claimbridge.cases.models import Case, ClaimLine
from claimbridge.cases.selectors import case_list
from claimbridge.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnerFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="query plans are asserted on PostgreSQL only (DATABASE_URL=postgres://…)",
    ),
]

CASES = 30_000
NAMES = ("Holmberg", "Lindqvist", "Jensen", "Bergmann", "Smith", "Nielsen", "Weber")
STATUSES = (Case.Status.ACTIVE, Case.Status.CLOSED, Case.Status.PENDING_VERIFICATION)


def copy_rows(model, template_id: int, count: int, overrides: dict[str, str]) -> None:
    """Insert `count` copies of one row in one statement, some columns varied.

    The copies take every other column from the template row, so a field added
    to the model later needs no change here.
    """
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    values = [overrides.get(c, f't."{c}"') for c in columns]
    table = model._meta.db_table
    names = ", ".join(f'"{c}"' for c in columns)
    sql = (
        f'INSERT INTO "{table}" ({names}) SELECT {", ".join(values)} '  # noqa: S608
        f'FROM "{table}" t, generate_series(1, %s) g WHERE t.id = %s'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, template_id])


@pytest.fixture
def partner_membership(db):
    client = OrganisationFactory()
    partners = [PartnerFactory() for _ in range(10)]
    template = Case.objects.create(
        client=client,
        partner=partners[0],
        created_by=UserFactory(),
        debtor_name="Template",
        debtor_country="DK",
        last_activity_at=timezone.now(),
    )
    ClaimLine.objects.create(
        case=template,
        reference="INV-0",
        issued_on=template.last_activity_at.date() - timedelta(days=90),
        due_on=template.last_activity_at.date() - timedelta(days=60),
        principal=Decimal("100.00"),
    )
    names = ", ".join(f"'{n}'" for n in NAMES)
    statuses = ", ".join(f"'{s}'" for s in STATUSES)
    partner_ids = ", ".join(str(p.pk) for p in partners)
    copy_rows(
        Case,
        template.pk,
        CASES,
        {
            "partner_id": f"(ARRAY[{partner_ids}])[1 + g %% 10]",
            "status": f"(ARRAY[{statuses}])[1 + (g / 10) %% 3]",
            "debtor_name": (
                f"(ARRAY[{names}])[1 + g %% 7] || ' ' "
                f"|| (ARRAY[{names}])[1 + (g / 7) %% 7] || ' ApS ' || g"
            ),
            "client_reference": "'REF-' || g",
            "total_principal": "100 + g %% 100000",
            "last_activity_at": "t.last_activity_at - g * interval '17 minutes'",
        },
    )
    line = ClaimLine.objects.get(case=template)
    copy_rows(
        ClaimLine,
        line.pk,
        CASES // 3,
        {
            "case_id": f"{template.pk} + 3 * g",
            "reference": f"'INV-' || lpad(({template.pk} + 3 * g)::text, 7, '0')",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
        cursor.execute("ANALYZE cases_claimline")
    return MembershipFactory(user=UserFactory(), organisation=partners[0])


def plans(queryset, *, seqscan: bool = True) -> str:
    """The plans of the page and of the paginator's capped count.

    With `seqscan=False` the planner avoids sequential scans wherever an index
    can serve the query, so a sequential scan left in the plan means no index
    fits it; that does not depend on table sizes and statistics.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if not seqscan:
            cursor.execute("SET LOCAL enable_seqscan = off")
        page = queryset[:26].explain()
        count = queryset.order_by().select_related(None)[:1001].explain()
    return page + "\n" + count


def test_cases_received_first_page_reads_an_index(partner_membership):
    plan = plans(case_list(partner_membership))

    assert "Seq Scan on cases_case" not in plan, plan


def test_search_by_status_and_debtor_fragment_reads_an_index(partner_membership):
    plan = plans(case_list(partner_membership, status=Case.Status.ACTIVE, query="holm"))

    assert "Seq Scan on cases_case" not in plan, plan
    # The invoice-number part of the search has a trigram index too. Its 10,000
    # claim lines are few enough that the planner may rightly prefer reading
    # them all, so the test asks whether an index can serve that part at all.
    search = case_list(partner_membership, status=Case.Status.ACTIVE, query="holm")
    assert "Seq Scan on cases_claimline" not in plans(search, seqscan=False)
