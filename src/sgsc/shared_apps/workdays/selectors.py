"""The platform's calendar and the deadlines every part of the platform shows (invariant 5)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from sgsc.shared_apps.workdays.calendar import Exception_, WorkCalendar
from sgsc.shared_apps.workdays.models import CalendarException

END_OF_DAY = time(23, 59, 59)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def work_calendar() -> WorkCalendar:
    """The calendar with AGE's current exceptions (one small query)."""
    exceptions = {
        row.date: Exception_(working=row.kind == CalendarException.Kind.WORKING_DAY,
                             reason=row.legal_act)
        for row in CalendarException.objects.all()
    }
    return WorkCalendar(exceptions=exceptions)


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment, local_zone()).date()


def deadline_after(*, event: datetime, working_days: int,
                   calendar: WorkCalendar | None = None) -> datetime:
    """End (23:59:59 Europe/Chisinau) of the Nth working day after the event's local date."""
    calendar = calendar or work_calendar()
    day = calendar.add_working_days(local_date(event), working_days)
    return datetime.combine(day, END_OF_DAY, tzinfo=local_zone())


def working_days_left(*, deadline: datetime, now: datetime | None = None,
                      calendar: WorkCalendar | None = None) -> int:
    """Working days from today to the deadline's day: 0 on the last day, negative when late."""
    calendar = calendar or work_calendar()
    current = now or timezone.now()
    today, due = local_date(current), local_date(deadline)
    if current <= deadline:
        return calendar.working_days_between(today, due)
    return -max(1, calendar.working_days_between(due, today))
