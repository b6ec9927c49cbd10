"""Durations and calendars: how "24 h", "within the week" or "every two months" become due dates.

The seeds never say whether a week is 7 calendar days or 5 working days, or whether a month is a
calendar month or 30 days (Mali requirements §1.1 note (b); course requirements §1.5). A policy
profile chooses (``[calendar]``), and :class:`Calendar` applies the choice:

- hours (``h``) are always clock hours: a 72 h requisition clock runs through the weekend;
- days (``d``) are calendar days, or working days when ``calendar.days = "working"`` (weekends
  plus national holidays from the ``holidays`` package, e.g. ``ML`` for Mali, ``CF`` for the
  Central African Republic);
- weeks (``w``) are ``calendar.week_days`` days (7 by default);
- months (``mo``) are calendar months (the day is clamped to the month's end: 31 Jan + 1 mo is
  28/29 Feb) or 30 days, per ``calendar.month``.

>>> Duration.parse("2/1w")            # "at least twice a week"
Duration(amount=1, unit='w', times=2)
>>> str(Duration.parse("immediate"))
'0h'
>>> import datetime as dt
>>> Calendar().add(dt.date(2024, 1, 31), Duration.parse("1mo"))
datetime.date(2024, 2, 29)
>>> Calendar(working_days=True, holidays_country="ML").add(dt.date(2024, 3, 22), Duration(3, "d"))
datetime.date(2024, 3, 28)
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
import functools
import re
from typing import Literal, cast

import attrs

__all__ = ["Calendar", "Duration", "Unit", "holiday_dates"]

Unit = Literal["h", "d", "w", "mo"]

_DURATION_RE = re.compile(r"^(?:(\d+)/)?(\d+)(h|d|w|mo)$")
_ONE_DAY = dt.timedelta(days=1)


@attrs.frozen
class Duration:
    """A delay (``3d``) or a frequency (``2/1w`` = twice per week, i.e. every 3.5 days).

    ``times`` > 1 divides the period: the interval between two due dates is ``amount unit /
    times``. ``0h`` means "immediately" (same contact, "avant de quitter l'enfant").
    """

    amount: int = attrs.field(validator=attrs.validators.ge(0))
    unit: Unit = attrs.field(validator=attrs.validators.in_(("h", "d", "w", "mo")))
    times: int = attrs.field(default=1, validator=attrs.validators.ge(1))

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse ``"24h"``, ``"3d"``, ``"1w"``, ``"2mo"``, ``"2/1w"`` or ``"immediate"``.

        Raises ``ValueError`` on anything else.
        """
        text = text.strip()
        if text == "immediate":
            return cls(0, "h")
        match = _DURATION_RE.match(text)
        if match is None:
            raise ValueError(f"not a duration: {text!r}")
        times, amount, unit = match.groups()
        return cls(int(amount), cast("Unit", unit), int(times) if times else 1)

    def __str__(self) -> str:
        base = f"{self.amount}{self.unit}"
        return f"{self.times}/{base}" if self.times > 1 else base

    def nominal_hours(self, *, week_days: int = 7, month_days: int = 30) -> float:
        """Approximate length in hours, for comparing durations (not for computing dates)."""
        per_unit = {"h": 1, "d": 24, "w": 24 * week_days, "mo": 24 * month_days}[self.unit]
        return self.amount * per_unit / self.times

    @property
    def is_immediate(self) -> bool:
        """True for a zero delay ("immediately", "before leaving the child")."""
        return self.amount == 0

    @property
    def in_hours(self) -> bool:
        """True when the rule is expressed in clock hours (gives a due *time*, not only a day)."""
        return self.unit == "h"


@functools.lru_cache(maxsize=256)
def holiday_dates(country: str, year: int) -> frozenset[dt.date]:
    """Public holidays of ``country`` (ISO 3166 alpha-2) in ``year``, from ``holidays``."""
    import holidays  # imported lazily: only working-day calendars need it

    return frozenset(holidays.country_holidays(country, years=year).keys())


@attrs.frozen
class Calendar:
    """Adds durations to dates according to a profile's calendar semantics.

    ``weekend`` uses Python weekday numbers (Monday = 0 … Sunday = 6).
    """

    working_days: bool = False
    weekend: frozenset[int] = frozenset({5, 6})
    holidays_country: str | None = None
    week_days: int = 7
    month_mode: Literal["calendar", "30d"] = "calendar"

    def is_working_day(self, day: dt.date) -> bool:
        """False on weekends and on the country's public holidays."""
        if day.weekday() in self.weekend:
            return False
        return not (
            self.holidays_country and day in holiday_dates(self.holidays_country, day.year)
        )

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the next working day."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_days(self, start: dt.date, days: int) -> dt.date:
        """``start`` plus ``days`` calendar or working days."""
        if not self.working_days or days == 0:
            return start + dt.timedelta(days=days)
        day = start
        remaining = days
        while remaining > 0:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def add_months(self, start: dt.date, months: int) -> dt.date:
        """``start`` plus ``months`` months (calendar months or 30-day months)."""
        if self.month_mode == "30d":
            return self.add_days(start, 30 * months)
        index = start.month - 1 + months
        year, month = start.year + index // 12, index % 12 + 1
        day = min(start.day, _stdcal.monthrange(year, month)[1])
        result = dt.date(year, month, day)
        return self.next_working_day(result) if self.working_days else result

    def add(self, start: dt.date, duration: Duration) -> dt.date:
        """The due *day* ``duration`` after the day ``start``.

        Hour-based and fractional durations are counted from the start of ``start`` and the
        resulting day is kept (``2/1w`` from a Monday is due on the Thursday).
        """
        amount, unit, times = duration.amount, duration.unit, duration.times
        if unit == "h":
            return start + dt.timedelta(hours=amount / times) if amount else start
        if unit == "mo":
            if amount % times == 0:
                return self.add_months(start, amount // times)
            return self.add_days(start, (30 * amount) // times)
        days = amount * (self.week_days if unit == "w" else 1)
        if days % times == 0:
            return self.add_days(start, days // times)
        # Fractional days (e.g. 7/2 = 3.5): counted as clock time, the day part is kept.
        return start + dt.timedelta(hours=24 * days / times)

    def add_at(self, start: dt.datetime, duration: Duration) -> dt.datetime:
        """The due *time* ``duration`` after ``start`` (for hour-based clocks such as 72 h)."""
        if duration.unit == "h":
            return start + dt.timedelta(hours=duration.amount / duration.times)
        day = self.add(start.date(), duration)
        return dt.datetime.combine(day, start.time(), tzinfo=start.tzinfo)
