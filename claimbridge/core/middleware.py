"""Middleware of the benchmark: off unless BENCH_QUERY_COUNT=1 (see bench/)."""

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse

_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def is_transaction_control(sql: str) -> bool:
    """BEGIN, COMMIT, SAVEPOINT…: SQL on SQLite, driver calls on PostgreSQL."""
    return sql.lstrip()[:10].upper().startswith(_TRANSACTION_CONTROL)


class QueryCountMiddleware:
    """Sets `X-Query-Count` to the number of SQL queries the request ran.

    Transaction control is left out, so SQLite and PostgreSQL count alike.

    Outermost in the chain, so the session, authentication and membership
    queries count too. `make bench` reads the header; production never loads it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counter(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
            nonlocal count
            if not is_transaction_control(sql):
                count += 1
            return execute(sql, *args)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
