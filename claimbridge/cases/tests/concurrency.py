"""Requests that race for one case, for the tests of row locks (PostgreSQL only)."""

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from claimbridge.cases.models import Case


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs real row locks and concurrent connections (PostgreSQL)")


def wait_for_lock_waiters(count: int) -> None:
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Activity is a snapshot per transaction unless cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.01)
    pytest.fail("the requests never reached the row lock")


def post_each_at_once(posts: list[tuple[Client, str, dict]], case_id: int) -> list:
    """Send forms from several threads while the case row is locked.

    Every request passes its "already done?" check and then queues on the row
    lock; the lock is released only once all of them wait, so they truly race.
    Returns each response, or the exception its request raised.
    """
    results: list[Any] = [None] * len(posts)

    def post(index: int, client: Client, url: str, data: dict) -> None:
        try:
            results[index] = client.post(url, data)
        except Exception as error:  # reported by the assertion of the test
            results[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=post, args=(i, *request))
        for i, request in enumerate(posts)
    ]
    try:
        with transaction.atomic():
            Case.objects.select_for_update().get(pk=case_id)
            for thread in threads:
                thread.start()
            wait_for_lock_waiters(len(posts))
    finally:
        for thread in threads:
            thread.join(timeout=30)
    return results


def post_at_once(clients: list[Client], url: str, data: dict, case_id: int) -> list:
    """The same form from several browsers at once (a double click, a retry)."""
    return post_each_at_once([(client, url, data) for client in clients], case_id)
