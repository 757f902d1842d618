"""Pagination that never counts a whole table on a page view."""

import math
from collections.abc import Sequence
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts rows exactly only up to `cap`; past it, pages still work.

    A list of 100,000 cases costs a COUNT over 100,000 index entries on every
    view with Django's Paginator. This one counts at most `cap` + 1 rows (a
    LIMIT inside the COUNT), so the cost is bounded whatever the size. When the
    cap is reached, `is_capped` is true, the page links say "of more than N",
    and a page past the cap knows whether a next one exists by fetching one
    row more than it shows.
    """

    def __init__(self, object_list: Any, per_page: int, *, cap: int = 1000) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):
            # Neither the order nor the joined rows change how many rows there
            # are; without them the database counts off an index.
            rows = rows.order_by().select_related(None)
        return rows[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        """Pages within the cap (all of them unless `is_capped`)."""
        if self.count == 0:
            return 1
        return math.ceil(min(self.count, self.cap) / self.per_page)

    def validate_number(self, number: Any) -> int:
        if not self.is_capped:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def get_page(self, number: Any) -> Page:
        """Like Paginator.get_page: a bad or empty page number shows a valid page."""
        try:
            return super().get_page(number)
        except EmptyPage:
            # Past the cap, only fetching the page finds that it is empty.
            return self.page(self.num_pages)

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if not self.is_capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(
            rows[: self.per_page], number, self, len(rows) > self.per_page
        )


class CappedPage(Page):
    """A page past the counted rows: it knows only whether one more follows."""

    def __init__(
        self,
        object_list: Sequence[Any],
        number: int,
        paginator: CappedPaginator,
        more: bool,
    ) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


def latest(queryset: Any, limit: int | None) -> tuple[list[Any], bool]:
    """The last `limit` rows of an oldest-first queryset, still oldest first.

    Also says whether earlier rows exist (one more row is read than shown). With
    `limit=None`, every row. The case page shows a window of its chat and
    timeline this way, so a case with thousands of entries renders as fast as
    one with fifty.
    """
    if limit is None:
        return list(queryset), False
    rows = list(queryset.reverse()[: limit + 1])
    return rows[:limit][::-1], len(rows) > limit
