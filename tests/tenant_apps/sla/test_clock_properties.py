"""Properties of the working-time clock over random schedules, calendars and moments, with
many moments near the DST changes and many period ends inside the hours they move."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sgsc.shared_apps.workdays.calendar import DayException, WorkCalendar
from sgsc.tenant_apps.sla.clock import Period, WorkingTime

CHISINAU = ZoneInfo("Europe/Chisinau")
MINUTE = timedelta(minutes=1)
# The moments the clocks change in Moldova (00:00 UTC on the last Sundays of March and October).
DST_CHANGES = [datetime(2026, 3, 29, tzinfo=UTC), datetime(2026, 10, 25, tzinfo=UTC),
               datetime(2027, 3, 28, tzinfo=UTC), datetime(2027, 10, 31, tzinfo=UTC)]
DST_SUNDAYS = [change.date() for change in DST_CHANGES]

# Minutes of the day; 02:00-03:00 is the hour skipped in spring and repeated in autumn.
WALL = st.one_of(st.integers(min_value=0, max_value=23 * 60 + 59),
                 st.sampled_from([0, 60, 120, 135, 150, 180, 195, 240, 480, 720, 1439]))


def _periods(bounds: list[int]) -> tuple[Period, ...]:
    ordered = sorted(bounds)
    walls = [time(minute // 60, minute % 60) for minute in ordered]
    return tuple(zip(walls[0::2], walls[1::2], strict=False))


def _hours(min_size: int) -> st.SearchStrategy[tuple[Period, ...]]:
    return st.lists(WALL, min_size=min_size, max_size=6, unique=True).map(_periods)


# Any week, with at least one weekday open so that a deadline always exists.
WEEKLY = st.builds(
    lambda others, weekday, hours: {**others, weekday: hours},
    st.dictionaries(st.integers(min_value=0, max_value=6), _hours(0), max_size=7),
    st.integers(min_value=0, max_value=4), _hours(2))
EXCEPTIONS = st.dictionaries(
    st.one_of(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 6, 30)),
              st.sampled_from(DST_SUNDAYS)),
    st.builds(DayException, working=st.booleans(), reason=st.just("HG")),
    max_size=20,
)
CALENDARS = st.one_of(st.just(WorkCalendar()),
                      EXCEPTIONS.map(lambda found: WorkCalendar(exceptions=found)))
CLOSED = st.frozensets(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 6, 30)),
                       max_size=15)
CLOCKS = st.builds(WorkingTime, calendar=CALENDARS, weekly=WEEKLY, local_closed=CLOSED,
                   always_open=st.sampled_from([False, False, False, True]))

ANY_TIME = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),  # noqa: DTZ001
                        timezones=st.sampled_from([CHISINAU, UTC]))
NEAR_DST = st.builds(lambda change, seconds: (change + timedelta(seconds=seconds)).astimezone(
    CHISINAU), st.sampled_from(DST_CHANGES), st.integers(min_value=-3 * 86400,
                                                         max_value=3 * 86400))
MOMENTS = st.one_of(ANY_TIME, NEAR_DST)
TERMS = st.integers(min_value=0, max_value=8_000)  # up to about 17 working days of 8 hours
FEW = settings(max_examples=200, deadline=None)


def _truncated(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


@FEW
@given(clock=CLOCKS, start=MOMENTS, minutes=TERMS)
def test_the_time_counted_up_to_a_deadline_is_its_term(clock: WorkingTime, start: datetime,
                                                       minutes: int) -> None:
    deadline = clock.add(start, minutes)
    assert deadline >= start
    assert clock.minutes_between(start, deadline) == minutes


@FEW
@given(clock=CLOCKS, start=MOMENTS, first=TERMS, second=st.integers(min_value=1, max_value=8_000))
def test_terms_compose(clock: WorkingTime, start: datetime, first: int, second: int) -> None:
    middle = clock.add(start, first)
    assert clock.add(middle, second) == clock.add(start, first + second)
    # A zero term is the exception: it moves a period's end on to the next opening.
    assert clock.add(middle, 0) == clock.next_opening(middle)


@FEW
@given(clock=CLOCKS, start=MOMENTS, shorter=TERMS, more=st.integers(min_value=1, max_value=600))
def test_a_longer_term_ends_later(clock: WorkingTime, start: datetime, shorter: int,
                                  more: int) -> None:
    assert clock.add(start, shorter) < clock.add(start, shorter + more)


@FEW
@given(clock=CLOCKS, start=MOMENTS, minutes=TERMS)
def test_a_deadline_is_the_earliest_moment_the_term_is_reached(
        clock: WorkingTime, start: datetime, minutes: int) -> None:
    """The convention: ``add`` gives a whole minute whose previous minute was worked (so it
    is open, or the end of a period); ``add(start, 0)`` is ``start`` if open, else the next
    opening."""
    deadline = clock.add(start, minutes)
    if minutes == 0:
        assert clock.is_open(deadline)
        assert deadline == start or not clock.is_open(deadline - MINUTE)
        assert clock.minutes_between(start, deadline) == 0
        return
    assert deadline == _truncated(deadline)
    assert clock.is_open(deadline - MINUTE)
    assert clock.minutes_between(start, deadline - MINUTE) == minutes - 1


@FEW
@given(clock=CLOCKS, start=MOMENTS, now=MOMENTS, minutes=st.integers(min_value=1, max_value=8_000))
def test_a_term_is_missed_exactly_when_its_count_is_reached(
        clock: WorkingTime, start: datetime, now: datetime, minutes: int) -> None:
    """Every reader agrees: the elapsed count reaches the term at the deadline, not before."""
    assert (clock.minutes_between(start, now) >= minutes) == (now >= clock.add(start, minutes))


@FEW
@given(clock=CLOCKS, moments=st.lists(MOMENTS, min_size=3, max_size=3))
def test_counts_add_up_over_a_split_point(clock: WorkingTime, moments: list[datetime]) -> None:
    # By the instant: datetimes of one zone compare by their wall time, and an imaginary one
    # (inside the hour skipped in spring) sorts in the wrong place.
    first, middle, last = sorted(moments, key=lambda moment: moment.astimezone(UTC))
    assert (clock.minutes_between(first, middle) + clock.minutes_between(middle, last)
            == clock.minutes_between(first, last))
    assert clock.minutes_between(last, first) == 0


@settings(max_examples=150, deadline=None)
@given(clock=CLOCKS, start=MOMENTS, length=st.integers(min_value=0, max_value=1800))
def test_a_count_is_the_number_of_open_minutes(clock: WorkingTime, start: datetime,
                                               length: int) -> None:
    first = _truncated(start.astimezone(UTC))
    open_minutes = sum(clock.is_open(first + offset * MINUTE) for offset in range(length))
    assert clock.minutes_between(start, first + length * MINUTE) == open_minutes


def _open_by_the_wall_clock(clock: WorkingTime, moment: datetime) -> bool:
    """The rules restated on the time a clock on the wall shows."""
    if clock.always_open:
        return True
    local = moment.astimezone(CHISINAU)
    day, wall = local.date(), local.time().replace(fold=0)
    if day in clock.local_closed or not clock.calendar.is_working_day(day):
        return False
    periods = clock.weekly.get(day.weekday(), ())
    if not periods and not clock.calendar.is_regular_working_day(day):
        periods = clock.weekly.get(0, ())
    return any(start <= wall < end for start, end in periods)


@FEW
@given(clock=CLOCKS, moment=MOMENTS)
def test_open_is_what_the_wall_clock_says(clock: WorkingTime, moment: datetime) -> None:
    # In the repeated autumn hour, periods are worked on its first pass only (see clock.py).
    assume(moment.astimezone(CHISINAU).fold == 0)
    assert clock.is_open(moment) is _open_by_the_wall_clock(clock, moment)
    opening = clock.next_opening(moment)
    assert opening >= moment and clock.is_open(opening)
    assert clock.minutes_between(moment, opening) == 0

