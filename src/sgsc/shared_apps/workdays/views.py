"""The calendar page of the AGE console: the year's non-working weekdays and the exceptions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.platform.access import capability_required
from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.workdays.calendar import FIRST_YEAR, LAST_YEAR
from sgsc.shared_apps.workdays.forms import CalendarExceptionForm
from sgsc.shared_apps.workdays.parsing import parse_iso_date, parse_year
from sgsc.shared_apps.workdays.selectors import (
    calendar_exception_get,
    calendar_exception_list,
    local_date,
    work_calendar,
)
from sgsc.shared_apps.workdays.services import calendar_exception_add, calendar_exception_remove


def _page_url(year: int) -> str:
    return f"{reverse('calendar-exceptions')}?an={year}"


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


@capability_required(Capability.CALENDAR_MANAGE)
def calendar_exceptions(request: HttpRequest) -> HttpResponse:
    year = parse_year(request.GET.get("an", "")) or local_date(timezone.now()).year
    form = CalendarExceptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["date"]
        try:
            calendar_exception_add(day=day, kind=form.cleaned_data["kind"],
                                   legal_act=form.cleaned_data["legal_act"],
                                   note=form.cleaned_data["note"], actor=_actor(request))
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Excepția din %(day)s a fost înregistrată.")
                             % {"day": day.strftime("%d.%m.%Y")})
            return redirect(_page_url(day.year))
    calendar = work_calendar()
    off_days = calendar.non_working_weekdays(year)
    exceptions = list(calendar_exception_list(year=year))
    status = 400 if request.method == "POST" else 200
    return render(request, "workdays/calendar.html", {
        "year": year,
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < LAST_YEAR else None,
        "off_days": off_days,
        "exceptions": exceptions,
        "form": form,
    }, status=status)


@capability_required(Capability.CALENDAR_MANAGE)
def calendar_exception_delete(request: HttpRequest, day: str) -> HttpResponse:
    """GET asks for confirmation; POST removes the exception."""
    parsed = parse_iso_date(day)
    exception = calendar_exception_get(day=parsed) if parsed is not None else None
    if parsed is None or exception is None:
        raise Http404
    if request.method == "POST":
        calendar_exception_remove(day=parsed, actor=_actor(request))
        messages.success(request, _("Excepția din %(day)s a fost ștearsă.")
                         % {"day": parsed.strftime("%d.%m.%Y")})
        return redirect(_page_url(parsed.year))
    return render(request, "workdays/confirm_delete.html",
                  {"exception": exception, "back_url": _page_url(parsed.year)})
