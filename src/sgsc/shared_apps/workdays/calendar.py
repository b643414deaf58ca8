"""Moldovan working days (Annex 1 §10-11): pure arithmetic over one calendar.

A working day is Monday to Friday, not a public holiday (``holidays``, country MD, Orthodox
Easter included), adjusted by the national exceptions AGE records: a weekday declared a rest
day, a weekend day declared a working day. A term of N working days starts the day after the
event; its deadline is the end of the Nth working day.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Exception_:
    working: bool  # True: a weekend day declared working; False: a weekday declared a rest day
    reason: str


@dataclass
class WorkCalendar:
    """Holidays are computed per year on first use; exceptions are given (from the database)."""

    exceptions: Mapping[date, Exception_] = field(default_factory=dict)
    _holidays: holidays.HolidayBase = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._holidays = holidays.country_holidays("MD", language="ro")

    def holiday_name(self, day: date) -> str | None:
        name = self._holidays.get(day)
        return str(name) if name else None

    def is_working_day(self, day: date) -> bool:
        exception = self.exceptions.get(day)
        if exception is not None:
            return exception.working
        return day.weekday() < 5 and day not in self._holidays

    def non_working_reason(self, day: date) -> str | None:
        """Why a day is not worked: the exception's legal act, the holiday, or the weekend."""
        if self.is_working_day(day):
            return None
        exception = self.exceptions.get(day)
        if exception is not None:
            return exception.reason
        return self.holiday_name(day) or "weekend"

    def add_working_days(self, start: date, count: int) -> date:
        """The Nth working day after ``start`` (the start itself never counts). ``count`` >= 1."""
        if count < 1:
            raise ValueError("a term counts at least one working day")
        day = start
        remaining = count
        while remaining:
            day += _DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for day in _days(start + _DAY, end) if self.is_working_day(day))

    def non_working_weekdays(self, year: int) -> list[tuple[date, str]]:
        """Monday-to-Friday days of ``year`` that are not worked, with the reason."""
        result = []
        for day in _days(date(year, 1, 1), date(year, 12, 31)):
            if day.weekday() < 5 and not self.is_working_day(day):
                result.append((day, self.non_working_reason(day) or ""))
        return result


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += _DAY
