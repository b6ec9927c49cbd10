"""Durations and calendars: week/month semantics and working days (ML, CF)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpcase.rules.calendars import Calendar, Duration, holiday_dates

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24h", Duration(24, "h")),
        ("3d", Duration(3, "d")),
        ("1w", Duration(1, "w")),
        ("2mo", Duration(2, "mo")),
        ("2/1w", Duration(1, "w", 2)),
        ("immediate", Duration(0, "h")),
    ],
)
def test_parse(text: str, expected: Duration) -> None:
    """The duration grammar of the profiles."""
    assert Duration.parse(text) == expected
    assert Duration.parse(str(expected)) == expected


@pytest.mark.parametrize("text", ["", "3", "3 days", "1y", "-1d", "0/1w", "1.5d"])
def test_parse_rejects(text: str) -> None:
    """Anything else is a ValueError."""
    with pytest.raises(ValueError, match=r"duration|times"):
        Duration.parse(text)


def test_calendar_days() -> None:
    """Days, weeks, calendar months (clamped), 30-day months, hours from a date."""
    cal = Calendar()
    assert cal.add(D(2024, 3, 1), Duration(7, "d")) == D(2024, 3, 8)
    assert cal.add(D(2024, 3, 1), Duration(1, "w")) == D(2024, 3, 8)
    assert cal.add(D(2024, 1, 31), Duration(1, "mo")) == D(2024, 2, 29)
    assert cal.add(D(2023, 11, 30), Duration(3, "mo")) == D(2024, 2, 29)
    assert cal.add(D(2024, 3, 1), Duration(1, "mo")) == D(2024, 4, 1)
    assert Calendar(month_mode="30d").add(D(2024, 3, 1), Duration(1, "mo")) == D(2024, 3, 31)
    assert cal.add(D(2024, 3, 1), Duration(24, "h")) == D(2024, 3, 2)
    assert cal.add(D(2024, 3, 1), Duration(0, "h")) == D(2024, 3, 1)
    # Twice a week from a Monday: every 3.5 days, i.e. due on the Thursday.
    assert cal.add(D(2024, 3, 4), Duration(1, "w", 2)) == D(2024, 3, 7)
    assert cal.add(D(2024, 3, 4), Duration(2, "mo", 2)) == D(2024, 4, 4)
    assert cal.add(D(2024, 3, 4), Duration(1, "mo", 2)) == D(2024, 3, 19)


def test_add_at_counts_clock_hours() -> None:
    """72 h from Friday 10:00 is Monday 10:00, whatever the calendar."""
    start = dt.datetime(2024, 3, 22, 10, 0, tzinfo=dt.UTC)
    assert Calendar(working_days=True).add_at(start, Duration(72, "h")) == dt.datetime(
        2024, 3, 25, 10, 0, tzinfo=dt.UTC
    )
    assert Calendar().add_at(start, Duration(1, "d")) == dt.datetime(
        2024, 3, 23, 10, 0, tzinfo=dt.UTC
    )


def test_working_days_mali() -> None:
    """Mali working days skip weekends and public holidays (26 March, Martyrs' Day)."""
    ml = Calendar(working_days=True, holidays_country="ML")
    assert D(2024, 3, 26) in holiday_dates("ML", 2024)
    assert not ml.is_working_day(D(2024, 3, 26))
    assert not ml.is_working_day(D(2024, 3, 23))
    assert ml.add(D(2024, 3, 22), Duration(3, "d")) == D(2024, 3, 28)
    assert ml.add(D(2024, 3, 22), Duration(0, "d")) == D(2024, 3, 22)
    # A month that ends on a Saturday rolls to the next working day.
    assert ml.add(D(2024, 5, 31), Duration(1, "mo")) == D(2024, 7, 1)


def test_working_days_car() -> None:
    """Central African Republic: 29 March (Barthélemy Boganda Day) is not a working day."""
    cf = Calendar(working_days=True, holidays_country="CF")
    assert cf.add(D(2024, 3, 28), Duration(1, "d")) == D(
        2024, 4, 2
    )  # 29/3, weekend, Easter Monday


@given(
    st.dates(D(2000, 1, 1), D(2040, 1, 1)),
    st.integers(0, 400),
    st.integers(0, 400),
    st.booleans(),
)
def test_adding_more_never_gives_an_earlier_day(
    start: dt.date, a: int, b: int, working: bool
) -> None:
    """add() is monotone in the number of days and never goes back in time."""
    cal = Calendar(working_days=working, holidays_country="ML" if working else None)
    lo, hi = sorted((a, b))
    assert start <= cal.add(start, Duration(lo, "d")) <= cal.add(start, Duration(hi, "d"))
