"""The pure calendar: the known Moldovan dates, exceptions, and properties of the counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sgsc.shared_apps.workdays.calendar import DayException, WorkCalendar

LAW = WorkCalendar()


@pytest.mark.parametrize("day", [
    "2026-01-01", "2026-01-07", "2026-01-08", "2026-03-08", "2026-04-12", "2026-04-13",
    "2026-04-20", "2026-05-01", "2026-05-09", "2026-06-01", "2026-08-27", "2026-08-31",
    "2026-12-25",
    "2027-01-01", "2027-01-07", "2027-01-08", "2027-03-08", "2027-05-02", "2027-05-03",
    "2027-05-10", "2027-06-01", "2027-08-27", "2027-08-31",
])
def test_public_holidays_are_not_worked(day: str) -> None:
    assert LAW.holiday_name(date.fromisoformat(day))
    assert not LAW.is_working_day(date.fromisoformat(day))


@pytest.mark.parametrize(("day", "name"), [
    ("2026-04-13", "Paștele"),
    ("2026-04-20", "Paștele blajinilor"),
    ("2027-05-03", "Paștele"),
    ("2027-05-10", "Paștele blajinilor"),
    ("2026-01-01", "Anul Nou"),
    ("2026-08-31", "Limba noastră"),
])
def test_holidays_have_romanian_names(day: str, name: str) -> None:
    assert LAW.non_working_reason(date.fromisoformat(day)) == name


@pytest.mark.parametrize("day", [
    "2026-04-14", "2026-04-10", "2026-04-21", "2026-05-04", "2026-03-09", "2027-04-26",
    "2027-05-04", "2027-05-11", "2026-12-24", "2026-08-28",
])
def test_ordinary_weekdays_are_worked(day: str) -> None:
    assert LAW.is_working_day(date.fromisoformat(day))
    assert LAW.non_working_reason(date.fromisoformat(day)) is None


def test_weekends_are_not_worked() -> None:
    assert not LAW.is_working_day(date(2026, 4, 11))
    assert not LAW.is_working_day(date(2026, 4, 19))
    assert LAW.non_working_reason(date(2026, 4, 18)) == "Repaus săptămânal"


@pytest.mark.parametrize(("start", "days", "deadline"), [
    ("2026-04-10", 1, "2026-04-14"),   # Easter Monday 13 April is skipped
    ("2026-04-10", 10, "2026-04-28"),  # ... and the Day of Rejoicing, 20 April
    ("2026-04-13", 1, "2026-04-14"),   # an event on a holiday: the next working day
    ("2026-04-30", 1, "2026-05-04"),   # 1 May on a Friday
    ("2026-12-31", 1, "2027-01-04"),   # New Year on a Friday
    ("2027-01-06", 1, "2027-01-11"),   # Christmas (old style) 7-8 January
    ("2027-04-30", 1, "2027-05-04"),   # Easter 2-3 May 2027
    ("2027-05-07", 1, "2027-05-11"),   # Day of Rejoicing 10 May 2027
    ("2026-08-26", 2, "2026-09-01"),   # 27 and 31 August
    ("2026-04-15", 3, "2026-04-21"),   # counting over a weekend and a holiday
])
def test_deadlines_over_the_holidays(start: str, days: int, deadline: str) -> None:
    assert LAW.add_working_days(date.fromisoformat(start), days) == date.fromisoformat(deadline)


def test_a_term_counts_at_least_one_day() -> None:
    with pytest.raises(ValueError, match="at least one"):
        LAW.add_working_days(date(2026, 4, 10), 0)


def test_non_working_weekdays_of_2026() -> None:
    assert [(day.isoformat(), reason) for day, reason in LAW.non_working_weekdays(2026)] == [
        ("2026-01-01", "Anul Nou"),
        ("2026-01-07", "Nașterea lui Iisus Hristos (Crăciunul pe stil vechi)"),
        ("2026-01-08", "Nașterea lui Iisus Hristos (Crăciunul pe stil vechi)"),
        ("2026-04-13", "Paștele"),
        ("2026-04-20", "Paștele blajinilor"),
        ("2026-05-01", "Ziua internațională a solidarității oamenilor muncii"),
        ("2026-06-01", "Ziua Ocrotirii Copilului"),
        ("2026-08-27", "Ziua independenței Republicii Moldova"),
        ("2026-08-31", "Limba noastră"),
        ("2026-12-25", "Nașterea lui Iisus Hristos (Crăciunul pe stil nou)"),
    ]


def test_exceptions_change_the_results() -> None:
    # The Government moves a rest day: Friday 2 January off, Saturday 10 January worked.
    calendar = WorkCalendar(exceptions={
        date(2026, 1, 2): DayException(working=False, reason="HG nr. 1/2025"),
        date(2026, 1, 10): DayException(working=True, reason="HG nr. 1/2025"),
    })
    assert LAW.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)
    assert calendar.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)
    assert LAW.add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 12)
    assert calendar.add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 10)
    assert calendar.non_working_reason(date(2026, 1, 2)) == "HG nr. 1/2025"
    assert (date(2026, 1, 2), "HG nr. 1/2025") in calendar.non_working_weekdays(2026)
    # A holiday declared worked counts again.
    worked_holiday = WorkCalendar(exceptions={
        date(2026, 4, 20): DayException(working=True, reason="HG nr. 2/2026")})
    assert worked_holiday.add_working_days(date(2026, 4, 17), 1) == date(2026, 4, 20)
    assert date(2026, 4, 20) not in dict(worked_holiday.non_working_weekdays(2026))


# --- properties ---------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
TERMS = st.integers(min_value=1, max_value=60)
EXCEPTIONS = st.dictionaries(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2031, 6, 30)),
    st.builds(DayException, working=st.booleans(), reason=st.just("HG")),
    max_size=30,
)
CALENDARS = st.one_of(st.just(LAW), EXCEPTIONS.map(lambda found: WorkCalendar(exceptions=found)))


@settings(max_examples=300, deadline=None)
@given(calendar=CALENDARS, start=DAYS, days=TERMS)
def test_the_deadline_is_a_working_day_with_exactly_n_working_days_before_it(
        calendar: WorkCalendar, start: date, days: int) -> None:
    deadline = calendar.add_working_days(start, days)
    assert deadline > start
    assert calendar.is_working_day(deadline)
    between = [start + timedelta(days=offset) for offset in range(1, (deadline - start).days + 1)]
    assert sum(calendar.is_working_day(day) for day in between) == days
    assert calendar.working_days_between(start, deadline) == days


@settings(max_examples=300, deadline=None)
@given(calendar=CALENDARS, start=DAYS, days=TERMS, more=st.integers(min_value=0, max_value=30))
def test_the_deadline_grows_with_the_term(calendar: WorkCalendar, start: date, days: int,
                                          more: int) -> None:
    shorter = calendar.add_working_days(start, days)
    longer = calendar.add_working_days(start, days + more)
    assert shorter <= longer
    if more:
        assert shorter < longer


@settings(max_examples=300, deadline=None)
@given(calendar=CALENDARS, start=DAYS, later_by=st.integers(min_value=0, max_value=60),
       days=TERMS)
def test_the_deadline_never_moves_back_when_the_start_moves_forward(
        calendar: WorkCalendar, start: date, later_by: int, days: int) -> None:
    assert (calendar.add_working_days(start, days)
            <= calendar.add_working_days(start + timedelta(days=later_by), days))


@settings(max_examples=300, deadline=None)
@given(calendar=CALENDARS, first=DAYS, second=DAYS)
def test_working_days_between_is_antisymmetric_and_additive(
        calendar: WorkCalendar, first: date, second: date) -> None:
    assert calendar.working_days_between(first, second) == -calendar.working_days_between(
        second, first)
    low, high = min(first, second), max(first, second)
    middle = low + timedelta(days=(high - low).days // 2)
    assert (calendar.working_days_between(low, middle)
            + calendar.working_days_between(middle, high)
            == calendar.working_days_between(low, high))


def test_a_datetime_is_refused_where_a_date_is_expected() -> None:
    # datetime(2026, 4, 13) == date(2026, 4, 13) is False: Easter Monday would count as worked.
    moment = datetime(2026, 4, 13, 10, tzinfo=UTC)
    with pytest.raises(TypeError, match="local_date"):
        LAW.is_working_day(moment)
    with pytest.raises(TypeError):
        LAW.add_working_days(moment, 1)
