"""Pagination that counts at most a cap of rows, and the latest-rows window."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claimbridge.cases.models import Case
from claimbridge.cases.tests.factories import CaseFactory
from claimbridge.core.pagination import CappedPaginator, latest

pytestmark = pytest.mark.django_db


@pytest.fixture
def twelve_cases():
    CaseFactory.create_batch(12)
    return Case.objects.order_by("id")


def test_count_below_the_cap_is_exact(twelve_cases):
    paginator = CappedPaginator(twelve_cases, 5, cap=20)

    assert paginator.count == 12
    assert not paginator.is_capped
    assert paginator.num_pages == 3


def test_count_stops_past_the_cap(twelve_cases):
    paginator = CappedPaginator(twelve_cases, 5, cap=8)

    assert paginator.count == 9
    assert paginator.is_capped
    assert paginator.num_pages == 2


def test_count_reads_at_most_cap_plus_one_rows(twelve_cases):
    with CaptureQueriesContext(connection) as queries:
        CappedPaginator(twelve_cases, 5, cap=8).count  # noqa: B018

    assert "LIMIT 9" in queries.captured_queries[0]["sql"]


def test_page_past_the_cap_knows_a_next_page_follows(twelve_cases):
    paginator = CappedPaginator(twelve_cases, 5, cap=8)

    second = paginator.get_page(2)
    third = paginator.get_page(3)

    assert [c.pk for c in second.object_list] == [c.pk for c in twelve_cases[5:10]]
    assert second.has_next()
    assert [c.pk for c in third.object_list] == [c.pk for c in twelve_cases[10:12]]
    assert not third.has_next()
    assert third.end_index() == 12


def test_page_beyond_the_last_row_falls_back_to_a_counted_page(twelve_cases):
    paginator = CappedPaginator(twelve_cases, 5, cap=8)

    page = paginator.get_page(99)

    assert page.number == paginator.num_pages


def test_latest_returns_the_last_rows_oldest_first(twelve_cases):
    rows, has_earlier = latest(twelve_cases, 4)

    assert [c.pk for c in rows] == [c.pk for c in twelve_cases[8:]]
    assert has_earlier


def test_latest_without_limit_returns_everything(twelve_cases):
    rows, has_earlier = latest(twelve_cases, None)

    assert len(rows) == 12
    assert not has_earlier


def test_latest_with_room_to_spare_has_nothing_earlier(twelve_cases):
    rows, has_earlier = latest(twelve_cases, 12)

    assert len(rows) == 12
    assert not has_earlier
