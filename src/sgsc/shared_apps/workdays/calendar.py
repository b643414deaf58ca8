"""Moldovan working days (Annex 1 §10-11): pure arithmetic over one calendar, no database.

A working day is Monday to Friday, not a public holiday (``holidays``, country MD, Orthodox
Easter included), adjusted by the national exceptions AGE records: a weekday declared a rest
day, a weekend day (or a holiday) declared a working day. A term of N working days starts the
day after the event; its deadline is the end of the Nth working day.

Moldovan law does not move a holiday that falls on a weekend to the next weekday; when the
Government decides such a transfer it is recorded as an exception, like any other.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays
from django.utils.translation import gettext

_DAY = timedelta(days=1)

# ``holidays`` knows the Moldovan calendar from independence on; inputs from people and
# commands are kept inside this range (a far year is a typing mistake, not a real term).
FIRST_YEAR = 1991
LAST_YEAR = 2100


@dataclass(frozen=True)
class DayException:
    working: bool  # True: a rest day declared working; False: a weekday declared a rest day
    reason: str  # the legal act that decided it


def _plain(day: date) -> date:
    """A ``datetime`` is a ``date`` to Python but never equal to one, so a holiday would be
    missed silently; its calendar day also depends on the time zone. Refuse it."""
    if isinstance(day, datetime):
        raise TypeError("a calendar date is expected, not a datetime: use local_date()")
    return day


@lru_cache(maxsize=256)
def public_holidays(year: int) -> Mapping[date, str]:
    """The public holidays of ``year`` with their Romanian names.

    Cached per process: the holidays come from the installed ``holidays`` package and never
    change while the process runs (building them the first time costs tens of milliseconds).
    """
    calendar = holidays.country_holidays("MD", language="ro", years=[year])
    return MappingProxyType({day: str(name) for day, name in calendar.items()})


@dataclass(frozen=True, eq=False)
class WorkCalendar:
    """The public holidays plus the exceptions given (read from the database by selectors)."""

    exceptions: Mapping[date, DayException] = field(default_factory=dict)

    def holiday_name(self, day: date) -> str | None:
        return public_holidays(day.year).get(_plain(day))

    def is_regular_working_day(self, day: date) -> bool:
        """Working by the law alone: Monday to Friday and not a public holiday."""
        day = _plain(day)
        return day.weekday() < 5 and day not in public_holidays(day.year)

    def is_working_day(self, day: date) -> bool:
        exception = self.exceptions.get(_plain(day))
        if exception is not None:
            return exception.working
        return self.is_regular_working_day(day)

    def non_working_reason(self, day: date) -> str | None:
        """Why a day is not worked: the exception's legal act, the holiday, or the weekend."""
        if self.is_working_day(day):
            return None
        exception = self.exceptions.get(day)
        if exception is not None:
            return exception.reason
        return self.holiday_name(day) or gettext("Repaus săptămânal")

    def add_working_days(self, start: date, count: int) -> date:
        """The Nth working day after ``start`` (the start itself never counts). ``count`` >= 1."""
        if count < 1:
            raise ValueError("a term counts at least one working day")
        day = _plain(start)
        remaining = count
        while remaining:
            day += _DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when ``end`` is before ``start``."""
        start, end = _plain(start), _plain(end)
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for day in _days(start + _DAY, end) if self.is_working_day(day))

    def non_working_weekdays(self, year: int) -> list[tuple[date, str]]:
        """Monday-to-Friday days of ``year`` that are not worked, with the reason."""
        return [
            (day, self.non_working_reason(day) or "")
            for day in _days(date(year, 1, 1), date(year, 12, 31))
            if day.weekday() < 5 and not self.is_working_day(day)
        ]


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += _DAY
