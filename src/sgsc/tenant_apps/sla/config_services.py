"""Writes of the tenant's clock and SLA policies (R4 §21), with the configuration helpers of
``catalog.services``: audited changes and refusals with stable codes.

A change of business hours or closed days applies to every deadline computed from then on;
deadlines already computed stay as they were (they are stored on the ticket).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.workdays.calendar import FIRST_YEAR, LAST_YEAR
from sgsc.shared_apps.workdays.selectors import local_date
from sgsc.tenant_apps.catalog.models import Priority, Service, ServiceGroup
from sgsc.tenant_apps.catalog.services import (
    config_load,
    config_number,
    config_reference,
    config_store,
    config_text,
    config_unique,
    config_writing,
)
from sgsc.tenant_apps.sla.clock import Period, validate_weekly
from sgsc.tenant_apps.sla.models import BusinessPeriod, ClockSettings, LocalClosedDay, SlaPolicy

# A target longer than a year of round-the-clock minutes is a typing mistake.
TARGET_MINUTES_MAX = 365 * 24 * 60


@dataclass(frozen=True)
class SlaPolicyInput:
    priority: int | None = None
    service: int | None = None
    group: int | None = None
    first_response_minutes: int | None = None
    resolution_minutes: int | None = None


def sla_policy_save(*, actor: User | None, data: SlaPolicyInput,
                    pk: int | None = None) -> SlaPolicy:
    """One policy per priority and target (a service, a group of services, or neither)."""
    with config_writing(SlaPolicy, pk, actor=actor):
        policy = config_load(SlaPolicy, pk)
        if data.service is not None and data.group is not None:
            raise InvalidInput(_("O politică se aplică unui serviciu sau unui grup de servicii, "
                                 "nu ambelor."), code="service_or_group",
                               fields={"group": [_("Alegeți serviciul sau grupul.")]})
        priority = config_reference(Priority.objects.all(), data.priority, field="priority",
                                    code="unknown_priority", required=True)
        service = config_reference(Service.objects.all(), data.service, field="service",
                                   code="unknown_service", keep=policy.service_id)
        group = config_reference(ServiceGroup.objects.all(), data.group, field="group",
                                 code="unknown_group")
        response = config_number(data.first_response_minutes, field="first_response_minutes",
                                 low=1, high=TARGET_MINUTES_MAX)
        resolution = config_number(data.resolution_minutes, field="resolution_minutes",
                                   low=1, high=TARGET_MINUTES_MAX)
        if response > resolution:
            raise InvalidInput(_("Primul răspuns nu poate veni după termenul de soluționare."),
                               code="response_after_resolution",
                               fields={"first_response_minutes": [_("Mai mult decât "
                                                                    "soluționarea.")]})
        config_unique(policy, Q(priority=priority, service=service, group=group),
                      field="priority", code="duplicate_policy",
                      message=_("Există deja o politică pentru această prioritate și acest "
                                "serviciu sau grup."))
        return config_store(policy, {"priority": priority, "service": service, "group": group,
                                     "first_response_minutes": response,
                                     "resolution_minutes": resolution},
                            actor=actor, clash_code="duplicate_policy", clash_field="priority")


@dataclass(frozen=True)
class ClosedDayInput:
    day: date | None = None
    reason: str = ""


def closed_day_save(*, actor: User | None, data: ClosedDayInput,
                    pk: int | None = None) -> LocalClosedDay:
    """A day the tenant does not work. Not in the past: the time already counted on running
    tickets would change after the fact."""
    with config_writing(LocalClosedDay, pk, actor=actor):
        closed = config_load(LocalClosedDay, pk)
        day = data.day
        if day is None:
            raise InvalidInput(_("Completați câmpurile obligatorii."), code="required",
                               fields={"day": [_("Câmp obligatoriu.")]})
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise InvalidInput(_("Data trebuie să fie între anii %(first)s și %(last)s.")
                               % {"first": FIRST_YEAR, "last": LAST_YEAR},
                               code="invalid_date", fields={"day": [_("Dată nevalidă.")]})
        if day != closed.day and day < local_date(timezone.now()):
            raise InvalidInput(_("O zi trecută nu mai poate fi declarată nelucrătoare."),
                               code="closed_day_in_past", fields={"day": [_("Zi trecută.")]})
        config_unique(closed, Q(day=day), field="day", code="duplicate_day",
                      message=_("Ziua %(day)s este deja nelucrătoare.")
                      % {"day": day.strftime("%d.%m.%Y")})
        return config_store(closed, {"day": day, "reason": config_text(
            data.reason, field="reason", required=True)}, actor=actor,
            clash_code="duplicate_day", clash_field="day")


def business_hours_set(*, actor: User | None, always_open: bool, warning_percent: int | None,
                       weekly: Mapping[int, Sequence[Period]]) -> ClockSettings:
    """Replace the weekly business hours (periods with breaks between them), the 24/7
    switch and the warning threshold. A week without any open period is refused unless the
    tenant works around the clock: no deadline could be counted on it."""
    with config_writing(ClockSettings, ClockSettings.SINGLETON_ID, actor=actor):
        percent = config_number(warning_percent, field="warning_percent", low=1, high=99)
        validate_weekly(weekly)
        periods = sorted((weekday, start, end) for weekday, day in weekly.items()
                         for start, end in day)
        if not always_open and not periods:
            raise InvalidInput(_("Programul nu are nicio oră lucrătoare: adăugați intervale "
                                 "sau alegeți programul non-stop."),
                               code="invalid_business_hours",
                               fields={"periods": [_("Niciun interval.")]})
        settings = ClockSettings.objects.select_for_update().filter(
            pk=ClockSettings.SINGLETON_ID).first() or ClockSettings()
        before = [(p.weekday, p.start, p.end) for p in BusinessPeriod.objects.order_by(
            "weekday", "start")]
        changes: dict[str, list[object]] = {}
        if settings._state.adding or settings.always_open != always_open:
            changes["always_open"] = [settings.always_open, bool(always_open)]
        if settings._state.adding or settings.warning_percent != percent:
            changes["warning_percent"] = [settings.warning_percent, percent]
        if before != periods:
            changes["periods"] = [_periods_label(before), _periods_label(periods)]
            BusinessPeriod.objects.all().delete()
            BusinessPeriod.objects.bulk_create(
                BusinessPeriod(weekday=weekday, start=start, end=end)
                for weekday, start, end in periods)
        if changes:
            settings.always_open = bool(always_open)
            settings.warning_percent = percent
            settings.save()
            audit_record(action="config.clocksettings.update", actor=actor,
                         object_type=ClockSettings._meta.label_lower,
                         object_id=ClockSettings.SINGLETON_ID, details={"changes": changes})
        return settings


def _periods_label(periods: Sequence[tuple[int, time, time]]) -> list[str]:
    return [f"{weekday} {start:%H:%M}-{end:%H:%M}" for weekday, start, end in periods]
