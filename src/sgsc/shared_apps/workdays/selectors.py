"""The platform's calendar and the deadlines every part of the platform shows (invariant 5).

The exceptions are read from the database on every ``work_calendar()`` call (one small query,
no cache): AGE's change must show at once in every process, and a cached copy would need a
version read from the database anyway, which costs the same query. Code that computes many
deadlines at once (a list page) takes one calendar and passes it as ``calendar=``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from sgsc.shared_apps.workdays.calendar import DayException, WorkCalendar
from sgsc.shared_apps.workdays.models import CalendarException

END_OF_DAY = time(23, 59, 59)
# A deadline is "at risk" (the daily alert names it) with this many working days left, or fewer.
AT_RISK_WORKING_DAYS = 2


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def work_calendar() -> WorkCalendar:
    """The calendar with AGE's current exceptions (one small query)."""
    rows = CalendarException.objects.values_list("date", "kind", "legal_act")
    exceptions = {
        day: DayException(working=kind == CalendarException.Kind.WORKING_DAY, reason=legal_act)
        for day, kind, legal_act in rows
    }
    return WorkCalendar(exceptions=exceptions)


def local_date(moment: datetime) -> date:
    """The calendar date of an aware moment in Europe/Chisinau (a naive one is refused)."""
    return timezone.localtime(moment, local_zone()).date()


def end_of_day(day: date) -> datetime:
    """23:59:59 Europe/Chisinau of ``day``: the moment a term ending on that day expires."""
    return datetime.combine(day, END_OF_DAY, tzinfo=local_zone())


def is_working_day(day: date, *, calendar: WorkCalendar | None = None) -> bool:
    return (calendar if calendar is not None else work_calendar()).is_working_day(day)


def deadline_after(*, event: datetime, working_days: int,
                   calendar: WorkCalendar | None = None) -> datetime:
    """End (23:59:59 Europe/Chisinau) of the Nth working day after the event's local date."""
    calendar = calendar if calendar is not None else work_calendar()
    return end_of_day(calendar.add_working_days(local_date(event), working_days))


def working_days_left(*, deadline: datetime, now: datetime | None = None,
                      calendar: WorkCalendar | None = None) -> int:
    """Working days from today to the deadline's day: 0 on the last day, negative when late.

    Before the deadline: the working days in (today, deadline's day], so 1 on the working day
    before the last one. After it: minus the working days in (deadline's day, today], and at
    least -1 (a term missed on Friday evening is late on Saturday, too).
    """
    calendar = calendar if calendar is not None else work_calendar()
    current = now if now is not None else timezone.now()
    today, due = local_date(current), local_date(deadline)
    if current <= deadline:
        return calendar.working_days_between(today, due)
    return -max(1, calendar.working_days_between(due, today))


def working_days_between(*, start: date, end: date,
                         calendar: WorkCalendar | None = None) -> int:
    """Working days in (start, end]; negative when ``end`` is before ``start``."""
    return (calendar if calendar is not None else work_calendar()).working_days_between(start, end)


def calendar_exception_list(*, year: int | None = None) -> QuerySet[CalendarException]:
    rows = CalendarException.objects.select_related("created_by").order_by("date")
    if year is not None:
        rows = rows.filter(date__year=year)
    return rows


def calendar_exception_get(*, day: date) -> CalendarException | None:
    return CalendarException.objects.filter(date=day).first()
