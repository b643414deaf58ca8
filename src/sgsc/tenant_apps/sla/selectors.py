"""Reads of the tenant's clock and SLA policies; call inside the tenant's schema."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sgsc.shared_apps.workdays.selectors import local_zone, work_calendar
from sgsc.tenant_apps.catalog.models import Service
from sgsc.tenant_apps.sla.clock import WorkingTime
from sgsc.tenant_apps.sla.models import BusinessPeriod, ClockSettings, LocalClosedDay, SlaPolicy
from sgsc.tenant_apps.tickets.models import Ticket

# Targets when a tenant has configured no policy at all: a working day to answer, five to
# resolve (the general term of a petition's registration and first answer).
DEFAULT_RESPONSE_MINUTES = 8 * 60
DEFAULT_RESOLUTION_MINUTES = 5 * 8 * 60


def clock_settings_get() -> ClockSettings:
    return (ClockSettings.objects.filter(pk=ClockSettings.SINGLETON_ID).first()
            or ClockSettings(pk=ClockSettings.SINGLETON_ID))


def working_time(*, settings: ClockSettings | None = None) -> WorkingTime:
    """The tenant's clock: its business hours and closed days on the national calendar.
    ``settings``: the clock settings when the caller has read them already."""
    if settings is None:
        settings = clock_settings_get()
    weekly: dict[int, list[tuple[time, time]]] = {}
    for weekday, start, end in BusinessPeriod.objects.values_list("weekday", "start", "end"):
        weekly.setdefault(weekday, []).append((start, end))
    return WorkingTime(
        calendar=work_calendar(),
        weekly={day: tuple(sorted(periods)) for day, periods in weekly.items()},
        local_closed=frozenset(LocalClosedDay.objects.values_list("day", flat=True)),
        always_open=settings.always_open,
        zone=local_zone(),
    )


@dataclass(frozen=True)
class Targets:
    response_minutes: int
    resolution_minutes: int
    source: str  # which rule gave them, for the journal and the ticket page


def sla_targets(*, priority_id: int, service: Service | None) -> Targets:
    """The most specific rule: a policy for the service and priority; the service's delivery
    standard; a policy for its group and priority; a policy for the priority; the default."""
    policies = {(policy.service_id, policy.group_id): policy
                for policy in SlaPolicy.objects.filter(priority_id=priority_id)}
    general = policies.get((None, None))
    response = general.first_response_minutes if general else DEFAULT_RESPONSE_MINUTES
    if service is not None:
        own = policies.get((service.pk, None))
        if own is not None:
            return Targets(own.first_response_minutes, own.resolution_minutes, "service_policy")
        if service.resolution_hours:
            return Targets(response, service.resolution_hours * 60, "delivery_standard")
        group = policies.get((None, service.group_id)) if service.group_id else None
        if group is not None:
            return Targets(group.first_response_minutes, group.resolution_minutes,
                           "group_policy")
    if general is not None:
        return Targets(general.first_response_minutes, general.resolution_minutes,
                       "priority_policy")
    return Targets(DEFAULT_RESPONSE_MINUTES, DEFAULT_RESOLUTION_MINUTES, "default")


@dataclass(frozen=True)
class SlaFigure:
    """The one figure every page, queue, API and report shows (invariant 5)."""

    state: str  # running, paused, stopped, breached, warning
    elapsed_minutes: int
    target_minutes: int
    remaining_minutes: int  # negative once breached
    percent: int
    due_at: datetime | None


def sla_figure(*, ticket: Ticket, now: datetime, clock: WorkingTime,
               warning_percent: int) -> SlaFigure:
    """``clock`` and ``warning_percent`` are read once per page (``working_time``,
    ``clock_settings_get``), not per ticket."""
    elapsed = ticket.sla_elapsed_minutes
    if ticket.sla_running_since is not None:
        elapsed += clock.minutes_between(ticket.sla_running_since, now)
    target = ticket.resolution_target_minutes
    if ticket.deadline_fixed and ticket.resolution_due_at is not None:
        # A deadline fixed by hand: what is left is counted to it, on the same clock.
        left = (clock.minutes_between(now, ticket.resolution_due_at)
                if now < ticket.resolution_due_at
                else -clock.minutes_between(ticket.resolution_due_at, now))
        target = max(elapsed + left, 1)
    remaining = target - elapsed
    percent = min(999, elapsed * 100 // target) if target else 0
    # A fixed deadline is missed when it comes (the monitor's test), not in the closed hours
    # before it; a computed one is the first moment without working time left (the same).
    missed = (now >= ticket.resolution_due_at
              if ticket.deadline_fixed and ticket.resolution_due_at is not None
              else remaining <= 0)
    if ticket.sla_running_since is None:
        state = "stopped" if not ticket.is_active else "paused"
    elif missed:
        state = "breached"
    elif percent >= warning_percent:
        state = "warning"
    else:
        state = "running"
    return SlaFigure(state=state, elapsed_minutes=elapsed, target_minutes=target,
                     remaining_minutes=remaining, percent=percent,
                     due_at=ticket.resolution_due_at)
