"""Business-day deadlines per country and region, in the owner's time zone.

A business day is a day that is neither a weekend day of the country (its own
weekend, e.g. Friday/Saturday in Saudi Arabia) nor a public holiday of the
country and, where given, of its region, as listed by the `holidays` package.
Days are counted in the owner organisation's time zone, with no cut-off hour.
"""

from collections.abc import Container
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

__all__ = [
    "add_business_days",
    "add_months",
    "business_due_date",
    "holiday_calendar",
    "is_business_day",
]


def add_business_days(
    start: date,
    days: int,
    *,
    holidays: Container[date],
    weekend: frozenset[int],
) -> date:
    """Return the `days`-th business day strictly after `start`.

    Rules:
    - `start` itself never counts, whether or not it is a business day.
    - A business day has a weekday (Monday=0) not in `weekend` and is not in
      `holidays`.
    - `days == 0` returns `start` unchanged.
    - Pure arithmetic: no I/O, no time zones.
    """
    if days < 0:
        raise ValueError(f"days must be zero or more, got {days}.")
    if len(weekend) >= 7:
        # Without this guard the loop below would never end.
        raise ValueError("A week needs at least one day that is not weekend.")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if current.weekday() not in weekend and current not in holidays:
            remaining -= 1
    return current


@lru_cache(maxsize=256)
def holiday_calendar(
    country: str, region: str | None, years: tuple[int, ...]
) -> tuple[frozenset[date], frozenset[int]]:
    """Return the public holidays and the weekend of a country and region.

    Rules:
    - `country` is an ISO 3166 alpha-2 code, `region` a subdivision code of the
      `holidays` package (e.g. "BY", "ENG", "NY") or None/"" for none.
    - Holidays cover exactly `years`; the weekend is the country's `weekend`
      attribute as weekday numbers (Monday=0), i.e. its current weekend.
      Weekends moved in the past and Saturdays made working days by decree
      are not modelled.
    - Unknown country or region codes raise ValueError.
    - Results are cached, since building the holidays objects is costly; both
      parts are frozen so a cached result cannot be altered by a caller.
    """
    try:
        country_days = holidays_lib.country_holidays(
            country, subdiv=region or None, years=years
        )
    except NotImplementedError as exc:
        # holidays signals both unknown countries and unknown subdivisions with
        # NotImplementedError; tell them apart for a useful message.
        if country not in holidays_lib.list_supported_countries():
            raise ValueError(f"Unknown country code: {country!r}.") from exc
        raise ValueError(
            f"Unknown region code {region!r} for country {country!r}."
        ) from exc
    return frozenset(country_days), frozenset(country_days.weekend)


def business_due_date(
    created_at: datetime,
    days: int,
    *,
    country: str,
    region: str | None = None,
    time_zone: str,
) -> date:
    """Return the due date of a task created at `created_at`.

    Rules:
    - `created_at` must be aware; it is converted to its local date D in
      `time_zone` (an IANA name).
    - The due date is the `days`-th business day strictly after D (see
      `add_business_days`); `days == 0` returns D.
    - No cut-off hour: any time on D gives the same due date.
    """
    local_day = _local_date(created_at, time_zone)
    # Start with D's year and the next, which covers nearly every deadline.
    # Missing holidays can only make the result early, never late, so
    # whenever the result lands beyond the loaded years, load up to its year
    # and count again until it stays inside.
    last_year = local_day.year + 1
    while True:
        holiday_days, weekend = holiday_calendar(
            country, region, tuple(range(local_day.year, last_year + 1))
        )
        due = add_business_days(local_day, days, holidays=holiday_days, weekend=weekend)
        if due.year <= last_year:
            return due
        last_year = due.year


def is_business_day(
    when: date | datetime,
    *,
    country: str,
    region: str | None = None,
    time_zone: str,
) -> bool:
    """Tell whether `when` falls on a business day.

    Rules:
    - An aware datetime is first converted to its local date in `time_zone`;
      a naive datetime raises ValueError.
    - A plain date is used as is, so a date and an aware datetime on that
      local date give the same answer.
    """
    if isinstance(when, datetime):
        day = _local_date(when, time_zone)
    else:
        # Validate the zone even when unused, so a bad setting fails the same
        # way whatever the caller passes.
        _zone(time_zone)
        day = when
    holiday_days, weekend = holiday_calendar(country, region, (day.year,))
    return day.weekday() not in weekend and day not in holiday_days


def _local_date(moment: datetime, time_zone: str) -> date:
    """Return the calendar date of an aware `moment` in `time_zone`.

    Rules: a naive datetime raises ValueError, since its instant is unknown.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            "An aware datetime is required; got a naive one, whose local date "
            "cannot be known."
        )
    return moment.astimezone(_zone(time_zone)).date()


def _zone(time_zone: str) -> ZoneInfo:
    """Return the zone for an IANA name.

    Rules: an unknown name raises ValueError, like the other bad codes here.
    """
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"Unknown time zone: {time_zone!r}.") from exc


def add_months(day: date, months: int) -> date:
    """Return the same day `months` calendar months later.

    Rules: when the target month is shorter, the month's last day (31 January
    plus one month is 28 or 29 February). Pure arithmetic.
    """
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return date(year, month, min(day.day, last_day))
