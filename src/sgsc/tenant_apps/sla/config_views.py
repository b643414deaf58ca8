"""The configuration pages of the tenant's clock and SLA policies (R4 §21): the policies and
the local non-working days as ``catalog.views`` sections, and the business hours page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.identity.member_forms import show_service_error
from sgsc.shared_apps.identity.member_views import request_actor
from sgsc.shared_apps.workdays.calendar import FIRST_YEAR, LAST_YEAR
from sgsc.shared_apps.workdays.parsing import parse_year
from sgsc.shared_apps.workdays.selectors import local_date, work_calendar
from sgsc.tenant_apps.catalog import config_selectors as selectors
from sgsc.tenant_apps.catalog.forms import BusinessHoursForm, ClosedDayForm, SlaPolicyForm
from sgsc.tenant_apps.catalog.views import Column, Section, configure
from sgsc.tenant_apps.sla import config_services as config
from sgsc.tenant_apps.sla.models import LocalClosedDay, SlaPolicy
from sgsc.tenant_apps.sla.selectors import clock_settings_get, working_time

TEMPLATES = "sla/config/"


def hours_minutes(minutes: int) -> str:
    """Working minutes as "h:mm" (8:00 is a working day of eight hours, not a date)."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def _policy_target(policy: SlaPolicy) -> str:
    if policy.service is not None:
        return _("serviciul %(service)s") % {"service": policy.service}
    if policy.group is not None:
        return _("grupul %(group)s") % {"group": policy.group}
    return _("toate serviciile")


def _national_days(request: HttpRequest) -> dict[str, Any]:
    """The year's national non-working weekdays and worked rest days, read-only, next to
    the tenant's own closed days."""
    year = parse_year(request.GET.get("an", "")) or local_date(timezone.now()).year
    calendar = work_calendar()
    return {
        "year": year,
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < LAST_YEAR else None,
        "national_days": calendar.non_working_weekdays(year),
        "worked_rest_days": sorted((day, exception.reason)
                                   for day, exception in calendar.exceptions.items()
                                   if exception.working and day.year == year),
    }


SLA_POLICIES = Section(
    slug="politici-sla", title=gettext_lazy("Politici SLA"),
    add_label=gettext_lazy("Adaugă o politică"), model=SlaPolicy,
    empty=gettext_lazy("Nicio politică: se aplică termenele implicite (o zi lucrătoare pentru "
                       "primul răspuns, cinci pentru soluționare)."),
    rows=selectors.sla_policy_list, form=SlaPolicyForm, inputs=config.SlaPolicyInput,
    save=config.sla_policy_save,
    note=gettext_lazy("Termenele se numără în ore lucrătoare (ore:minute). Se aplică cea mai "
                      "precisă: a serviciului, termenul de soluționare al serviciului, a "
                      "grupului, apoi a priorității."),
    columns=(Column(gettext_lazy("Prioritate"), lambda p: p.priority),
             Column(gettext_lazy("Se aplică la"), _policy_target),
             Column(gettext_lazy("Primul răspuns"),
                    lambda p: hours_minutes(p.first_response_minutes)),
             Column(gettext_lazy("Soluționare"), lambda p: hours_minutes(p.resolution_minutes))))

CLOSED_DAYS = Section(
    slug="zile-nelucratoare", title=gettext_lazy("Zile nelucrătoare proprii"),
    add_label=gettext_lazy("Adaugă o zi"), model=LocalClosedDay,
    empty=gettext_lazy("Nicio zi nelucrătoare proprie: se aplică doar calendarul național."),
    rows=selectors.closed_day_list, form=ClosedDayForm, inputs=config.ClosedDayInput,
    save=config.closed_day_save,
    note=gettext_lazy("Zile în care prestatorul nu lucrează, pe lângă sărbătorile legale. Se "
                      "aplică termenelor calculate de acum înainte."),
    page_context=_national_days, aside_template=TEMPLATES + "_national_days.html",
    columns=(Column(gettext_lazy("Data"), lambda d: d.day.strftime("%d.%m.%Y")),
             Column(gettext_lazy("Motivul"), lambda d: d.reason)))


@configure
@require_http_methods(["GET", "POST"])
def business_hours(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    clock = clock_settings_get()
    weekly = {day: list(periods)
              for day, periods in working_time(settings=clock).weekly.items()}
    form = BusinessHoursForm(request.POST if posted else None, weekly=weekly, initial={
        "always_open": clock.always_open, "warning_percent": clock.warning_percent})
    if posted and form.is_valid():
        try:
            config.business_hours_set(actor=request_actor(request),
                                      always_open=form.cleaned_data["always_open"],
                                      warning_percent=form.cleaned_data["warning_percent"],
                                      weekly=form.weekly())
        except ApplicationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Programul de lucru a fost salvat."))
            return redirect("config-hours")
    return render(request, TEMPLATES + "hours.html", {"form": form},
                  status=400 if posted else 200)
