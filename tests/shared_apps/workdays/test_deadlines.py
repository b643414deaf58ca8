"""Deadlines as moments: local dates in Europe/Chisinau, end of day, days left."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sgsc.shared_apps.workdays.calendar import WorkCalendar
from sgsc.shared_apps.workdays.models import CalendarException
from sgsc.shared_apps.workdays.selectors import (
    deadline_after,
    is_working_day,
    local_date,
    work_calendar,
    working_days_between,
    working_days_left,
)
from sgsc.shared_apps.workdays.services import calendar_exception_add, calendar_exception_remove

CHISINAU = ZoneInfo("Europe/Chisinau")
LAW = WorkCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHISINAU)


def test_the_deadline_is_the_end_of_the_nth_working_day() -> None:
    deadline = deadline_after(event=at("2026-04-10 15:00"), working_days=10, calendar=LAW)
    assert deadline == at("2026-04-28 23:59:59")
    assert deadline.utcoffset() == timedelta(hours=3)


def test_the_event_day_is_its_date_in_chisinau_not_in_utc() -> None:
    # 21:30 UTC on Thursday 9 April is already Friday 10 April, 00:30, in Chisinau.
    event = datetime(2026, 4, 9, 21, 30, tzinfo=UTC)
    assert local_date(event) == date(2026, 4, 10)
    assert deadline_after(event=event, working_days=1, calendar=LAW) == at("2026-04-14 23:59:59")
    # In winter Chisinau is UTC+2.
    assert local_date(datetime(2026, 1, 5, 22, 30, tzinfo=UTC)) == date(2026, 1, 6)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError):
        local_date(datetime(2026, 4, 10, 12, 0))  # noqa: DTZ001 (the point of the test)


@pytest.mark.parametrize(("now", "left"), [
    ("2026-04-09 09:00", 2),
    ("2026-04-10 18:00", 1),
    ("2026-04-11 10:00", 1),   # Saturday
    ("2026-04-13 10:00", 1),   # Easter Monday
    ("2026-04-14 00:00", 0),
    ("2026-04-14 23:59:59", 0),
    ("2026-04-15 00:00", -1),
    ("2026-04-16 12:00", -2),
])
def test_working_days_left(now: str, left: int) -> None:
    deadline = at("2026-04-14 23:59:59")
    assert working_days_left(deadline=deadline, now=at(now), calendar=LAW) == left


def test_a_deadline_missed_on_friday_is_late_over_the_weekend() -> None:
    deadline = at("2026-04-17 23:59:59")
    assert working_days_left(deadline=deadline, now=at("2026-04-18 09:00"), calendar=LAW) == -1
    # Monday 20 April is a holiday: still one working day late.
    assert working_days_left(deadline=deadline, now=at("2026-04-20 09:00"), calendar=LAW) == -1
    # Tuesday is the first working day missed, Wednesday the second.
    assert working_days_left(deadline=deadline, now=at("2026-04-21 09:00"), calendar=LAW) == -1
    assert working_days_left(deadline=deadline, now=at("2026-04-22 09:00"), calendar=LAW) == -2


@settings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
       days=st.integers(min_value=1, max_value=40), hour=st.integers(min_value=0, max_value=23))
def test_days_left_is_zero_on_the_last_day_and_grows_going_back(start: date, days: int,
                                                               hour: int) -> None:
    event = datetime(start.year, start.month, start.day, hour, tzinfo=CHISINAU)
    deadline = deadline_after(event=event, working_days=days, calendar=LAW)
    due = deadline.date()
    assert working_days_left(deadline=deadline, now=deadline, calendar=LAW) == 0
    previous = 0
    day = due
    while day > start:
        day -= timedelta(days=1)
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=CHISINAU)
        left = working_days_left(deadline=deadline, now=noon, calendar=LAW)
        assert left >= previous
        assert left == LAW.working_days_between(day, due)
        previous = left
    # On the event's day the whole term is left.
    assert previous == days


def test_the_calendar_follows_the_database_at_once(db: None) -> None:
    monday = date(2026, 6, 8)
    assert is_working_day(monday)
    assert deadline_after(event=at("2026-06-05 10:00"), working_days=1) == at(
        "2026-06-08 23:59:59")
    calendar_exception_add(day=monday, kind=CalendarException.Kind.REST_DAY,
                           legal_act="HG nr. 10/2026")
    assert not is_working_day(monday)
    assert deadline_after(event=at("2026-06-05 10:00"), working_days=1) == at(
        "2026-06-09 23:59:59")
    assert working_days_between(start=date(2026, 6, 5), end=date(2026, 6, 9)) == 1
    assert work_calendar().non_working_reason(monday) == "HG nr. 10/2026"
    calendar_exception_remove(day=monday)
    assert is_working_day(monday)


def test_reading_the_calendar_is_one_query(db: None, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    calendar_exception_add(day=date(2026, 6, 8), kind=CalendarException.Kind.REST_DAY,
                           legal_act="HG nr. 10/2026")
    with assert_max_queries(1):
        calendar = work_calendar()
        for offset in range(100):
            calendar.add_working_days(date(2026, 1, 1) + timedelta(days=offset), 10)
