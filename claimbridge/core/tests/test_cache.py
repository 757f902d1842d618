"""Rate-limit counters (core.cache.CounterCache): right counts, one statement each."""

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claimbridge.core.cache import delete_expired_counters
from claimbridge.core.models import RateCounter

pytestmark = pytest.mark.django_db

START = 1_800_000_000.0  # a fixed instant, in seconds since the epoch


@pytest.fixture
def counters():
    with time_machine.travel(START, tick=False) as clock:
        yield caches["ratelimit"], clock


def statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"].split()[0] for q in queries.captured_queries]


def test_add_stores_once_and_incr_counts_up(counters):
    cache, _ = counters

    first = cache.add("rl:ann", 1, 60)
    second = cache.add("rl:ann", 1, 60)
    counts = [cache.incr("rl:ann") for _ in range(3)]

    assert (first, second) == (True, False)
    assert counts == [2, 3, 4]
    assert cache.get("rl:ann") == 4


def test_each_add_and_incr_is_one_statement(counters):
    cache, _ = counters
    cache.add("rl:ann", 1, 60)

    with CaptureQueriesContext(connection) as queries:
        cache.add("rl:ann", 1, 60)
        cache.incr("rl:ann")

    assert statements(queries) == ["INSERT", "UPDATE"]


def test_expired_counter_is_taken_over_by_add_and_not_counted_by_incr(counters):
    cache, clock = counters
    cache.add("rl:ann", 1, 60)
    cache.incr("rl:ann")
    clock.shift(61)

    with pytest.raises(ValueError, match="not found"):
        cache.incr("rl:ann")
    assert cache.get("rl:ann", "gone") == "gone"
    assert cache.add("rl:ann", 1, 60) is True
    assert cache.incr("rl:ann") == 2


def test_counters_are_separate_per_key(counters):
    cache, _ = counters
    cache.add("rl:ann", 1, 60)
    cache.add("rl:bob", 1, 60)

    cache.incr("rl:ann", 5)

    assert (cache.get("rl:ann"), cache.get("rl:bob")) == (6, 1)


def test_only_integers_are_kept(counters):
    cache, _ = counters

    with pytest.raises(TypeError, match="integers only"):
        cache.set("rl:ann", "text")


def test_expired_counters_are_deleted_and_live_ones_kept(counters):
    cache, clock = counters
    cache.add("rl:old", 1, 60)
    clock.shift(30)
    cache.add("rl:new", 1, 60)
    clock.shift(31)

    deleted = delete_expired_counters()

    assert deleted == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == [
        cache.make_key("rl:new")
    ]
