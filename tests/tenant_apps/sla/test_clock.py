"""The tenant's working time on known dates: breaks, weekends, Moldovan holidays, national
exceptions, the tenant's closed days, 24/7 and the two DST days, and the refusals."""

from __future__ import annotations

import time as clock_time
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.workdays.calendar import DayException, WorkCalendar, public_holidays
from sgsc.tenant_apps.sla.clock import SEARCH_DAYS, Weekly, WorkingTime, validate_weekly

CHISINAU = ZoneInfo("Europe/Chisinau")
LAW = WorkCalendar()
# The default every tenant starts with: Monday to Friday, 08:00-17:00, lunch 12:00-13:00.
OFFICE: Weekly = {weekday: ((time(8), time(12)), (time(13), time(17))) for weekday in range(5)}
office = WorkingTime(calendar=LAW, weekly=OFFICE)
always = WorkingTime(calendar=LAW, weekly={}, always_open=True)


def at(text: str) -> datetime:
    """A moment: local Chisinau time unless the text carries its own offset."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=CHISINAU)


def test_the_holidays_the_cases_rely_on() -> None:
    assert public_holidays(2027)[date(2027, 5, 2)] == "Paștele"
    assert public_holidays(2027)[date(2027, 5, 3)] == "Paștele"
    assert date(2027, 5, 1) in public_holidays(2027)
    assert date(2026, 5, 1) in public_holidays(2026)
    assert date(2026, 5, 1).weekday() == 4 and date(2027, 5, 1).weekday() == 5


@pytest.mark.parametrize(("start", "minutes", "expected"), [
    ("2026-02-09 10:00", 60, "2026-02-09 11:00"),
    ("2026-02-09 11:30", 60, "2026-02-09 13:30"),   # over the lunch break
    ("2026-02-09 11:00", 60, "2026-02-09 12:00"),   # the last minute ends at the break
    ("2026-02-09 16:00", 60, "2026-02-09 17:00"),   # ... or at closing time
    ("2026-02-09 16:00", 61, "2026-02-10 08:01"),
    ("2026-02-09 12:20", 30, "2026-02-09 13:30"),   # start inside the break
    ("2026-02-09 18:00", 30, "2026-02-10 08:30"),   # start after hours
    ("2026-02-09 06:00", 30, "2026-02-09 08:30"),   # start before opening
    ("2026-02-13 16:00", 120, "2026-02-16 09:00"),  # over the weekend
    ("2026-02-14 10:00", 30, "2026-02-16 08:30"),   # start on a Saturday
    ("2026-02-09 08:00", 30 * 480, "2026-03-20 17:00"),  # 30 working days
    ("2026-04-30 16:00", 120, "2026-05-04 09:00"),  # 1 May 2026 is a Friday
    ("2027-04-30 16:00", 120, "2027-05-04 09:00"),  # 1 May on Saturday, Easter 2-3 May 2027
    ("2027-04-29 16:00", 600, "2027-05-04 09:00"),
])
def test_add_in_business_hours(start: str, minutes: int, expected: str) -> None:
    deadline = office.add(at(start), minutes)
    assert deadline == at(expected)
    assert office.minutes_between(at(start), deadline) == minutes


@pytest.mark.parametrize(("start", "end", "minutes"), [
    ("2026-02-09 00:00", "2026-02-10 00:00", 480),
    ("2026-02-09 11:00", "2026-02-09 14:00", 120),
    ("2026-02-09 12:10", "2026-02-09 12:50", 0),     # all inside the break
    ("2026-02-13 16:00", "2026-02-16 09:00", 120),
    ("2026-02-09 00:00", "2026-02-16 00:00", 2400),
    ("2027-04-29 17:00", "2027-05-04 08:00", 480),   # only Friday 30 April is worked
    ("2027-04-26 00:00", "2027-05-10 00:00", 9 * 480),  # Easter Monday 3 May 2027 is off
    ("2026-02-10 10:00", "2026-02-09 10:00", 0),     # end before start
    ("2026-02-09 10:00", "2026-02-09 10:00", 0),
])
def test_minutes_between_in_business_hours(start: str, end: str, minutes: int) -> None:
    assert office.minutes_between(at(start), at(end)) == minutes


@pytest.mark.parametrize(("moment", "open_"), [
    ("2026-02-09 07:59:59", False), ("2026-02-09 08:00", True), ("2026-02-09 11:59:59", True),
    ("2026-02-09 12:00", False), ("2026-02-09 12:59", False), ("2026-02-09 13:00", True),
    ("2026-02-09 16:59:59", True), ("2026-02-09 17:00", False), ("2026-02-14 10:00", False),
    ("2026-05-01 10:00", False), ("2027-05-03 10:00", False), ("2027-05-04 10:00", True),
])
def test_is_open(moment: str, open_: bool) -> None:
    assert office.is_open(at(moment)) is open_


def test_moments_count_by_whole_minutes() -> None:
    assert office.add(at("2026-02-09 10:00:45"), 1) == at("2026-02-09 10:01")
    assert office.minutes_between(at("2026-02-09 10:00:59"), at("2026-02-09 10:02")) == 2
    assert office.minutes_between(at("2026-02-09 10:00:10"), at("2026-02-09 10:00:50")) == 0
    assert always.add(at("2026-02-09 10:00:45.5"), 1) == at("2026-02-09 10:01")


def test_zero_minutes_is_the_start_or_the_next_opening() -> None:
    assert office.add(at("2026-02-09 10:00:45"), 0) == at("2026-02-09 10:00:45")
    assert office.add(at("2026-02-09 12:20"), 0) == at("2026-02-09 13:00")
    assert office.add(at("2026-02-09 17:00"), 0) == at("2026-02-10 08:00")
    assert office.add(at("2026-02-14 10:00"), 0) == at("2026-02-16 08:00")
    assert always.add(at("2026-02-14 10:00:45"), 0) == at("2026-02-14 10:00:45")
    assert office.next_opening(at("2026-02-09 12:20")) == at("2026-02-09 13:00")
    assert office.next_opening(at("2026-02-09 10:00:45")) == at("2026-02-09 10:00:45")
    assert office.next_opening(at("2026-04-30 17:30")) == at("2026-05-04 08:00")


def test_negative_terms_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        office.add(at("2026-02-09 10:00"), -1)


def test_the_zone_of_the_input_does_not_matter() -> None:
    start = at("2026-02-09 10:00").astimezone(UTC)
    assert office.add(start, 90) == at("2026-02-09 11:30")
    assert office.add(at("2026-02-09 10:00"), 90).tzinfo is UTC  # results are in UTC
    assert office.is_open(datetime(2026, 2, 9, 6, tzinfo=UTC))  # 08:00 in Chisinau
    assert not office.is_open(datetime(2026, 2, 9, 5, 59, tzinfo=UTC))


def test_a_local_closed_day() -> None:
    closed = WorkingTime(calendar=LAW, weekly=OFFICE, local_closed=frozenset({date(2026, 2, 10)}))
    assert closed.add(at("2026-02-09 16:00"), 120) == at("2026-02-11 09:00")
    assert closed.minutes_between(at("2026-02-09 00:00"), at("2026-02-12 00:00")) == 960
    assert not closed.is_open(at("2026-02-10 10:00"))
    assert office.is_open(at("2026-02-10 10:00"))


def test_a_long_closure_is_still_searched_through() -> None:
    first = date(2026, 2, 9)
    closed = WorkingTime(calendar=LAW, weekly=OFFICE, local_closed=frozenset(
        first + timedelta(days=offset) for offset in range(300)))
    assert closed.add(at("2026-02-09 10:00"), 1) == at("2026-12-07 08:01")


# A Government decision: Friday 2 January 2026 off, worked on Saturday 10 January instead.
TRANSFER = WorkCalendar(exceptions={
    date(2026, 1, 2): DayException(working=False, reason="HG nr. 1/2025"),
    date(2026, 1, 10): DayException(working=True, reason="HG nr. 1/2025"),
})


def test_a_weekday_declared_a_rest_day_is_not_counted() -> None:
    transfer = WorkingTime(calendar=TRANSFER, weekly=OFFICE)
    assert not transfer.is_open(at("2026-01-02 10:00"))
    assert transfer.add(at("2025-12-31 16:00"), 120) == at("2026-01-05 09:00")


def test_a_saturday_declared_worked_takes_mondays_hours() -> None:
    transfer = WorkingTime(calendar=TRANSFER, weekly=OFFICE)
    assert transfer.add(at("2026-01-09 16:00"), 120) == at("2026-01-10 09:00")
    assert not transfer.is_open(at("2026-01-10 12:30"))  # Monday's lunch break too
    assert transfer.minutes_between(at("2026-01-10 00:00"), at("2026-01-11 00:00")) == 480
    assert office.minutes_between(at("2026-01-10 00:00"), at("2026-01-11 00:00")) == 0


def test_a_saturday_declared_worked_keeps_its_own_hours_when_it_has_some() -> None:
    weekly = {**OFFICE, 5: ((time(9), time(13)),)}
    transfer = WorkingTime(calendar=TRANSFER, weekly=weekly)
    assert transfer.add(at("2026-01-09 16:00"), 120) == at("2026-01-10 10:00")
    assert transfer.minutes_between(at("2026-01-10 00:00"), at("2026-01-11 00:00")) == 240
    # An ordinary Saturday is a rest day in the national calendar: its hours do not count.
    assert not transfer.is_open(at("2026-01-17 10:00"))


def test_mondays_hours_stand_in_only_for_a_rest_day_declared_worked() -> None:
    no_wednesday = WorkingTime(calendar=LAW, weekly={
        weekday: periods for weekday, periods in OFFICE.items() if weekday != 2})
    assert not no_wednesday.is_open(at("2026-02-11 10:00"))
    assert no_wednesday.add(at("2026-02-10 16:00"), 120) == at("2026-02-12 09:00")


def test_24_7_counts_real_time_over_the_dst_changes() -> None:
    # Spring: 02:00 EET becomes 03:00 EEST on 29 March 2026; autumn: back on 25 October.
    assert always.add(at("2026-03-28T23:00+02:00"), 180) == at("2026-03-29T03:00+03:00")
    assert always.minutes_between(at("2026-03-29 00:00"), at("2026-03-30 00:00")) == 23 * 60
    assert always.minutes_between(at("2026-10-25 00:00"), at("2026-10-26 00:00")) == 25 * 60
    assert always.add(at("2026-10-25T02:30+03:00"), 60) == at("2026-10-25T02:30+02:00")
    # No calendar: holidays and the tenant's closed days are worked around the clock.
    assert always.add(at("2027-05-02 10:00"), 60) == at("2027-05-02 11:00")
    assert always.is_open(at("2027-05-03 03:00"))


def _worked_sunday(day: date, *periods: tuple[time, time]) -> WorkingTime:
    calendar = WorkCalendar(exceptions={day: DayException(working=True, reason="HG")})
    return WorkingTime(calendar=calendar, weekly={6: periods})


SPRING, AUTUMN = date(2026, 3, 29), date(2026, 10, 25)


def test_business_hours_on_the_spring_dst_day() -> None:
    whole_day = _worked_sunday(SPRING, (time(0), time(23, 59)))
    assert whole_day.minutes_between(at("2026-03-29 00:00"), at("2026-03-30 00:00")) == 1379
    night = _worked_sunday(SPRING, (time(1), time(4)))
    assert night.minutes_between(at("2026-03-29 00:00"), at("2026-03-30 00:00")) == 120
    assert night.add(at("2026-03-29 01:30"), 30) == at("2026-03-29T03:00+03:00")
    # 02:30 does not exist that night: the period opens when the clocks jump to 03:00.
    from_the_gap = _worked_sunday(SPRING, (time(2, 30), time(5)))
    assert from_the_gap.next_opening(at("2026-03-29 00:00")) == at("2026-03-29T03:00+03:00")
    assert from_the_gap.minutes_between(at("2026-03-29 00:00"), at("2026-03-30 00:00")) == 120
    inside_the_gap = _worked_sunday(SPRING, (time(2, 15), time(2, 45)), (time(4), time(5)))
    assert inside_the_gap.minutes_between(at("2026-03-29 00:00"), at("2026-03-30 00:00")) == 60
    assert inside_the_gap.next_opening(at("2026-03-29 00:00")) == at("2026-03-29T04:00+03:00")


def test_business_hours_on_the_autumn_dst_day() -> None:
    whole_day = _worked_sunday(AUTUMN, (time(0), time(23, 59)))
    assert whole_day.minutes_between(at("2026-10-25 00:00"), at("2026-10-26 00:00")) == 1499
    night = _worked_sunday(AUTUMN, (time(1), time(4)))
    assert night.minutes_between(at("2026-10-25 00:00"), at("2026-10-26 00:00")) == 240
    assert night.add(at("2026-10-25 01:00"), 120) == at("2026-10-25T02:00+02:00")
    # A period inside the repeated hour is worked once, the first time the clock shows it.
    repeated = _worked_sunday(AUTUMN, (time(2, 30), time(2, 45)))
    assert repeated.minutes_between(at("2026-10-25 00:00"), at("2026-10-26 00:00")) == 15
    assert repeated.is_open(at("2026-10-25T02:35+03:00"))
    assert not repeated.is_open(at("2026-10-25T02:35+02:00"))


@pytest.mark.parametrize("call", [
    lambda moment: office.is_open(moment),
    lambda moment: office.add(moment, 10),
    lambda moment: office.add(moment, 0),
    lambda moment: always.add(moment, 10),
    lambda moment: office.next_opening(moment),
    lambda moment: office.minutes_between(moment, at("2026-02-10 10:00")),
    lambda moment: office.minutes_between(at("2026-02-09 10:00"), moment),
])
@pytest.mark.parametrize("moment", [datetime(2026, 2, 9, 10), date(2026, 2, 9)])  # noqa: DTZ001
def test_naive_moments_are_refused(call: Callable[[Any], object], moment: object) -> None:
    with pytest.raises(TypeError, match="aware datetime"):
        call(moment)


def test_closed_days_must_be_dates() -> None:
    with pytest.raises(TypeError, match="dates"):
        WorkingTime(calendar=LAW, weekly=OFFICE,
                    local_closed=frozenset({datetime(2026, 2, 10, tzinfo=UTC)}))


@pytest.mark.parametrize(("weekly", "words"), [
    ({0: ((time(12), time(8)),)}, "Luni: intervalul 12:00-08:00"),
    ({1: ((time(8), time(8)),)}, "Marți: intervalul 08:00-08:00"),
    ({4: ((time(8), time(12)), (time(11), time(13)))}, "Vineri: intervalele 08:00-12:00 și"),
    ({2: ((time(13), time(17)), (time(8), time(13, 30)))}, "se suprapun"),
    ({7: ((time(8), time(12)),)}, "Ziua săptămânii 7 nu există"),
    ({-1: ((time(8), time(12)),)}, "Ziua săptămânii -1 nu există"),
    ({0: ((time(8, 0, 30), time(12)),)}, "Luni: orele se indică în ore și minute"),
    ({0: ((time(8, tzinfo=UTC), time(12)),)}, "ore și minute"),
])
def test_invalid_weekly_hours_are_refused(weekly: Weekly, words: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_weekly(weekly)
    assert refused.value.code == "invalid_business_hours"
    assert words in refused.value.message
    with pytest.raises(InvalidInput, match=words):
        WorkingTime(calendar=LAW, weekly=weekly)


def test_touching_and_unsorted_periods_are_accepted() -> None:
    touching = WorkingTime(calendar=LAW, weekly={0: ((time(8), time(12)), (time(12), time(17)))})
    assert touching.minutes_between(at("2026-02-09 00:00"), at("2026-02-10 00:00")) == 540
    assert touching.add(at("2026-02-09 11:30"), 60) == at("2026-02-09 12:30")
    unsorted = WorkingTime(calendar=LAW, weekly={0: ((time(13), time(17)), (time(8), time(12)))})
    assert unsorted.add(at("2026-02-09 11:30"), 60) == at("2026-02-09 13:30")


def test_the_schedule_is_copied() -> None:
    weekly = {0: [(time(8), time(12))]}
    copied = WorkingTime(calendar=LAW, weekly=weekly)  # type: ignore[arg-type]
    weekly[0].append((time(13), time(17)))
    assert copied.minutes_between(at("2026-02-09 00:00"), at("2026-02-10 00:00")) == 240


@pytest.mark.parametrize("weekly", [{}, {5: ((time(9), time(13)),)}, {0: ()}])
def test_a_schedule_that_never_opens(weekly: Weekly) -> None:
    never = WorkingTime(calendar=LAW, weekly=weekly)
    for call in (lambda: never.add(at("2026-02-09 10:00"), 1),
                 lambda: never.add(at("2026-02-09 10:00"), 0),
                 lambda: never.next_opening(at("2026-02-09 10:00"))):
        with pytest.raises(InvalidInput) as refused:
            call()
        assert refused.value.code == "no_working_time"
        assert str(SEARCH_DAYS) in refused.value.message
    assert not never.is_open(at("2026-02-09 10:00"))
    assert never.minutes_between(at("2026-02-09 00:00"), at("2027-02-09 00:00")) == 0


def test_thirty_working_days_are_counted_by_the_day_not_the_minute() -> None:
    start = at("2026-02-09 08:00")
    fastest = min(_timed(lambda: WorkingTime(calendar=LAW, weekly=OFFICE).add(start, 14400))
                  for _ in range(5))
    # About 0.4 ms on a fresh clock (each date computed once); stepping by the minute would
    # be tens of milliseconds. The margin is for a busy machine.
    assert fastest < 0.005


def _timed(call: Callable[[], object]) -> float:
    began = clock_time.perf_counter()
    call()
    return clock_time.perf_counter() - began
