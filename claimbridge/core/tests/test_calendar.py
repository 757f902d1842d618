"""Business-day deadlines: country and region holidays, weekends, time zones."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import pytest

from claimbridge.core.calendar import (
    add_business_days,
    business_due_date,
    holiday_calendar,
    is_business_day,
)

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
RIYADH = ZoneInfo("Asia/Riyadh")


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        # Friday afternoon: Monday and Tuesday are the two business days.
        (datetime(2026, 12, 18, 16, 0, tzinfo=COPENHAGEN), date(2026, 12, 22)),
        # Maundy Thursday, Good Friday and Easter Monday are Danish holidays.
        (datetime(2026, 4, 1, 10, 0, tzinfo=COPENHAGEN), date(2026, 4, 8)),
        # Christmas Day (Fri) and the weekend after it are skipped.
        (datetime(2026, 12, 24, 9, 0, tzinfo=COPENHAGEN), date(2026, 12, 29)),
    ],
)
def test_danish_client_two_business_days(created_at: datetime, expected: date) -> None:
    assert (
        business_due_date(created_at, 2, country="DK", time_zone="Europe/Copenhagen")
        == expected
    )


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        (datetime(2026, 3, 13, 18, 45, tzinfo=BERLIN), date(2026, 3, 17)),
        (datetime(2026, 3, 14, 11, 0, tzinfo=BERLIN), date(2026, 3, 17)),
        (datetime(2026, 3, 15, 9, 0, tzinfo=BERLIN), date(2026, 3, 17)),
        # Monday 00:30 in Berlin is still Sunday in UTC; Berlin's date counts.
        (datetime(2026, 3, 1, 23, 30, tzinfo=UTC), date(2026, 3, 4)),
    ],
)
def test_german_client_two_business_days(created_at: datetime, expected: date) -> None:
    assert (
        business_due_date(created_at, 2, country="DE", time_zone="Europe/Berlin")
        == expected
    )


def test_new_york_client_counts_from_the_local_thursday() -> None:
    created_at = datetime(2026, 3, 12, 20, 30, tzinfo=NEW_YORK)
    # Guard the premise: the instant is already Friday in UTC.
    assert created_at.astimezone(UTC).date() == date(2026, 3, 13)

    due = business_due_date(
        created_at, 2, country="US", region="NY", time_zone="America/New_York"
    )

    assert due == date(2026, 3, 16)


def test_english_client_skips_good_friday_and_easter_monday() -> None:
    created_at = datetime(2026, 4, 2, 10, 0, tzinfo=LONDON)

    due = business_due_date(
        created_at, 2, country="GB", region="ENG", time_zone="Europe/London"
    )

    assert due == date(2026, 4, 8)


@pytest.mark.parametrize(
    ("country", "time_zone", "friday_late", "sunday_morning", "expected"),
    [
        (
            "DE",
            "Europe/Berlin",
            datetime(2026, 3, 13, 23, 50, tzinfo=BERLIN),
            datetime(2026, 3, 15, 8, 0, tzinfo=BERLIN),
            date(2026, 3, 17),
        ),
        (
            "DK",
            "Europe/Copenhagen",
            datetime(2026, 12, 18, 23, 50, tzinfo=COPENHAGEN),
            datetime(2026, 12, 20, 8, 0, tzinfo=COPENHAGEN),
            date(2026, 12, 22),
        ),
    ],
)
def test_no_cut_off_hour_friday_night_equals_sunday_morning(
    country: str,
    time_zone: str,
    friday_late: datetime,
    sunday_morning: datetime,
    expected: date,
) -> None:
    late = business_due_date(friday_late, 2, country=country, time_zone=time_zone)
    early = business_due_date(sunday_morning, 2, country=country, time_zone=time_zone)

    assert late == early == expected


def test_friday_saturday_weekend_counts_sunday_as_business_day() -> None:
    assert holiday_calendar("SA", None, (2026,))[1] == frozenset({4, 5})
    thursday = datetime(2026, 3, 12, 10, 0, tzinfo=RIYADH)

    assert business_due_date(
        thursday, 1, country="SA", time_zone="Asia/Riyadh"
    ) == date(2026, 3, 15)
    assert is_business_day(date(2026, 3, 15), country="SA", time_zone="Asia/Riyadh")
    assert not is_business_day(date(2026, 3, 13), country="SA", time_zone="Asia/Riyadh")


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        # Epiphany (Tue 2026-01-06) is a holiday in Bavaria only.
        ("BY", date(2026, 1, 7)),
        ("BE", date(2026, 1, 6)),
    ],
)
def test_region_holidays_apply(region: str, expected: date) -> None:
    monday = datetime(2026, 1, 5, 10, 0, tzinfo=BERLIN)

    due = business_due_date(
        monday, 1, country="DE", region=region, time_zone="Europe/Berlin"
    )

    assert due == expected


def test_year_boundary_skips_new_years_day() -> None:
    # Wed 2026-12-30: Thu 31 Dec (1), Fri 1 Jan is a holiday, weekend,
    # Mon 4 Jan (2), Tue 5 Jan (3).
    created_at = datetime(2026, 12, 30, 10, 0, tzinfo=COPENHAGEN)

    due = business_due_date(created_at, 3, country="DK", time_zone="Europe/Copenhagen")

    assert due == date(2027, 1, 5)


def test_long_deadline_crossing_several_years_matches_holidays_package() -> None:
    created_at = datetime(2026, 6, 1, 10, 0, tzinfo=COPENHAGEN)
    reference = holidays_lib.country_holidays("DK")
    expected = date(2026, 6, 1)
    remaining = 600
    while remaining:
        expected += timedelta(days=1)
        if reference.is_working_day(expected):
            remaining -= 1

    due = business_due_date(
        created_at, 600, country="DK", time_zone="Europe/Copenhagen"
    )

    assert due.year == 2028
    assert due == expected


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        (datetime(2026, 3, 14, 11, 0, tzinfo=BERLIN), date(2026, 3, 14)),
        # Zero days returns the local date, not the UTC one.
        (datetime(2026, 3, 1, 23, 30, tzinfo=UTC), date(2026, 3, 2)),
    ],
)
def test_zero_days_returns_local_creation_date(
    created_at: datetime, expected: date
) -> None:
    assert (
        business_due_date(created_at, 0, country="DE", time_zone="Europe/Berlin")
        == expected
    )


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        business_due_date(
            datetime(2026, 3, 13, 10, 0), 2, country="DE", time_zone="Europe/Berlin"
        )
    with pytest.raises(ValueError, match="aware datetime"):
        is_business_day(
            datetime(2026, 3, 13, 10, 0), country="DE", time_zone="Europe/Berlin"
        )


def test_unknown_country_is_rejected() -> None:
    with pytest.raises(ValueError, match="Unknown country code: 'XX'"):
        business_due_date(
            datetime(2026, 3, 13, 10, 0, tzinfo=UTC), 2, country="XX", time_zone="UTC"
        )


def test_unknown_region_is_rejected() -> None:
    with pytest.raises(ValueError, match="Unknown region code 'ZZ'"):
        is_business_day(
            date(2026, 3, 13), country="DE", region="ZZ", time_zone="Europe/Berlin"
        )


def test_unknown_time_zone_is_rejected() -> None:
    with pytest.raises(ValueError, match="Unknown time zone"):
        is_business_day(date(2026, 3, 13), country="DE", time_zone="Europe/Nowhere")


def test_negative_days_are_rejected() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        business_due_date(
            datetime(2026, 3, 13, 10, 0, tzinfo=BERLIN),
            -1,
            country="DE",
            time_zone="Europe/Berlin",
        )


@pytest.mark.parametrize(
    ("moment", "local_day", "expected"),
    [
        # Sunday 23:30 UTC is Monday in Berlin: a business day.
        (datetime(2026, 3, 1, 23, 30, tzinfo=UTC), date(2026, 3, 2), True),
        # Friday 23:30 UTC is Saturday in Berlin: not a business day.
        (datetime(2026, 3, 13, 23, 30, tzinfo=UTC), date(2026, 3, 14), False),
        (datetime(2026, 4, 3, 12, 0, tzinfo=BERLIN), date(2026, 4, 3), False),
        (datetime(2026, 3, 17, 12, 0, tzinfo=BERLIN), date(2026, 3, 17), True),
    ],
)
def test_is_business_day_same_for_date_and_aware_datetime(
    moment: datetime, local_day: date, expected: bool
) -> None:
    kwargs = {"country": "DE", "time_zone": "Europe/Berlin"}

    assert is_business_day(moment, **kwargs) is expected
    assert is_business_day(local_day, **kwargs) is expected


def test_add_business_days_is_plain_arithmetic() -> None:
    friday = date(2030, 5, 3)

    assert add_business_days(
        friday, 2, holidays={date(2030, 5, 6)}, weekend=frozenset({5, 6})
    ) == date(2030, 5, 8)
    assert add_business_days(friday, 0, holidays=set(), weekend=frozenset()) == friday
    assert add_business_days(
        friday, 1, holidays=set(), weekend=frozenset({4, 5})
    ) == date(2030, 5, 5)


def test_holiday_calendar_is_cached_and_frozen() -> None:
    first = holiday_calendar("DK", None, (2026,))
    second = holiday_calendar("DK", None, (2026,))

    assert first is second
    holiday_days, weekend = first
    assert isinstance(holiday_days, frozenset)
    assert date(2026, 12, 25) in holiday_days
    assert weekend == frozenset({5, 6})
