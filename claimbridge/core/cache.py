"""Rate-limit counters in a database table, one SQL statement per count.

django-ratelimit counts with `cache.add()` and `cache.incr()`. Django's
database cache makes each of those three to five statements (a SELECT, an
INSERT or UPDATE, and a `COUNT(*)` of the whole table to decide on culling),
so a rate-limited form post spent seven queries on its counter. This backend
keeps only integers, in the `core_ratecounter` table that every web process
shares: `add()` is one upsert that also takes over an expired row, `incr()`
one UPDATE … RETURNING, and expired rows are deleted by the periodic job
`core.jobs.delete_expired_rate_counters` instead of on every write.

It is the `ratelimit` cache when CACHE_URL is the database (the default); with
CACHE_URL=redis://… the counters live in Redis like the rest of the cache.
"""

import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import connections, router

from claimbridge.core.models import RateCounter

TABLE = RateCounter._meta.db_table
FOREVER = float("inf")


class CounterCache(BaseCache):
    """A cache of integer counters; other values are refused with TypeError."""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)

    def _cursor(self, *, write: bool):
        alias = (router.db_for_write if write else router.db_for_read)(RateCounter)
        return connections[alias].cursor()

    def _expires(self, timeout: Any) -> float:
        expires = self.get_backend_timeout(timeout)
        return FOREVER if expires is None else float(expires)

    @staticmethod
    def _count(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(
                f"CounterCache keeps integers only, not {type(value).__name__}"
            )
        return value

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        """Store `value` unless a live entry exists; True if it was stored."""
        key = self.make_and_validate_key(key, version=version)
        sql = (
            f"INSERT INTO {TABLE} (key, count, expires) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (key) DO UPDATE SET count = excluded.count, "
            f"expires = excluded.expires WHERE {TABLE}.expires < %s"
        )
        params = [key, self._count(value), self._expires(timeout), time.time()]
        with self._cursor(write=True) as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount == 1

    def incr(self, key, delta=1, version=None) -> int:
        """Add `delta` to a live entry in one statement; ValueError if none."""
        key = self.make_and_validate_key(key, version=version)
        sql = (
            f"UPDATE {TABLE} SET count = count + %s "  # noqa: S608
            f"WHERE key = %s AND expires >= %s RETURNING count"
        )
        with self._cursor(write=True) as cursor:
            cursor.execute(sql, [self._count(delta), key, time.time()])
            row = cursor.fetchone()
        if row is None:
            raise ValueError(f"Key '{key}' not found")
        return row[0]

    def get(self, key, default=None, version=None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        sql = f"SELECT count FROM {TABLE} WHERE key = %s AND expires >= %s"  # noqa: S608
        with self._cursor(write=False) as cursor:
            cursor.execute(sql, [key, time.time()])
            row = cursor.fetchone()
        return default if row is None else row[0]

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        key = self.make_and_validate_key(key, version=version)
        sql = (
            f"INSERT INTO {TABLE} (key, count, expires) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (key) DO UPDATE SET count = excluded.count, "
            f"expires = excluded.expires"
        )
        with self._cursor(write=True) as cursor:
            cursor.execute(sql, [key, self._count(value), self._expires(timeout)])

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        sql = f"UPDATE {TABLE} SET expires = %s WHERE key = %s AND expires >= %s"  # noqa: S608
        with self._cursor(write=True) as cursor:
            cursor.execute(sql, [self._expires(timeout), key, time.time()])
            return cursor.rowcount == 1

    def delete(self, key, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return RateCounter.objects.filter(key=key).delete()[0] > 0

    def clear(self) -> None:
        RateCounter.objects.all().delete()


def delete_expired_counters() -> int:
    """Delete the counters whose time window has passed; returns how many."""
    return RateCounter.objects.filter(expires__lt=time.time()).delete()[0]
