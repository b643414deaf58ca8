"""The SLA clock of a ticket (invariant 5): start, pause, resume, recompute, stop.

These set the ticket's SLA fields in memory; the ticket services call them inside their
transaction, save the ticket and record the changed deadlines in the journal. Elapsed working
time is kept as minutes counted before the last pause plus the running stretch, so a change of
priority or service recomputes the deadline from the time already used, not from scratch.
"""

from __future__ import annotations

from datetime import datetime

from sgsc.tenant_apps.sla.clock import WorkingTime
from sgsc.tenant_apps.sla.selectors import clock_settings_get, sla_targets
from sgsc.tenant_apps.tickets.models import Ticket


def _elapsed(ticket: Ticket, now: datetime, clock: WorkingTime) -> int:
    running = (clock.minutes_between(ticket.sla_running_since, now)
               if ticket.sla_running_since is not None else 0)
    return ticket.sla_elapsed_minutes + running


def _place_deadlines(ticket: Ticket, *, clock: WorkingTime, warning_percent: int) -> None:
    """Due and warning moments of a running clock, from the time used so far."""
    since = ticket.sla_running_since
    if since is None:
        return
    used = ticket.sla_elapsed_minutes
    target = ticket.resolution_target_minutes
    if not ticket.deadline_fixed:
        ticket.resolution_due_at = clock.add(since, max(target - used, 0))
    elif ticket.resolution_due_at is not None:
        # ``sla_figure`` counts a fixed deadline's share on the time to it: warn on the same.
        target = used + clock.minutes_between(since, ticket.resolution_due_at)
    # Rounded up: the first minute at which ``sla_figure``'s percent reaches the share.
    warn_minutes = -(-target * warning_percent // 100)
    ticket.sla_warn_at = clock.add(since, max(warn_minutes - used, 0))


def sla_start(*, ticket: Ticket, now: datetime, clock: WorkingTime) -> None:
    targets = sla_targets(priority_id=ticket.priority_id, service=ticket.service)
    ticket.response_target_minutes = targets.response_minutes
    ticket.resolution_target_minutes = targets.resolution_minutes
    ticket.sla_elapsed_minutes = 0
    ticket.sla_running_since = now
    ticket.response_due_at = clock.add(now, targets.response_minutes)
    _place_deadlines(ticket, clock=clock, warning_percent=clock_settings_get().warning_percent)


def sla_pause(*, ticket: Ticket, now: datetime, clock: WorkingTime) -> None:
    """Waiting for the requester: the time used is kept and the deadline is open until the
    clock resumes (a fixed deadline stays as it was fixed)."""
    if ticket.sla_running_since is None:
        return
    ticket.sla_elapsed_minutes = _elapsed(ticket, now, clock)
    ticket.sla_running_since = None
    ticket.sla_warn_at = None
    if not ticket.deadline_fixed:
        ticket.resolution_due_at = None


def sla_resume(*, ticket: Ticket, now: datetime, clock: WorkingTime) -> None:
    if ticket.sla_running_since is not None:
        return
    ticket.sla_running_since = now
    _place_deadlines(ticket, clock=clock, warning_percent=clock_settings_get().warning_percent)


def sla_recompute(*, ticket: Ticket, now: datetime, clock: WorkingTime) -> None:
    """New targets after a change of priority or service; the time already used stays used,
    and a warning or breach already raised is raised again only if it still holds."""
    targets = sla_targets(priority_id=ticket.priority_id, service=ticket.service)
    ticket.response_target_minutes = targets.response_minutes
    ticket.resolution_target_minutes = targets.resolution_minutes
    if ticket.first_responded_at is None and ticket.sla_running_since is not None:
        ticket.response_due_at = clock.add(ticket.created_at, targets.response_minutes)
    if ticket.sla_running_since is None:
        return
    ticket.sla_elapsed_minutes = _elapsed(ticket, now, clock)
    ticket.sla_running_since = now
    _place_deadlines(ticket, clock=clock, warning_percent=clock_settings_get().warning_percent)
    if ticket.sla_warn_at is not None and ticket.sla_warn_at > now:
        ticket.sla_warned_at = None
    if ticket.resolution_due_at is not None and ticket.resolution_due_at > now:
        ticket.sla_breached_at = None


def sla_stop(*, ticket: Ticket, now: datetime, clock: WorkingTime) -> None:
    """Resolved: the time used is final (a reopening resumes from it)."""
    if ticket.sla_running_since is not None:
        ticket.sla_elapsed_minutes = _elapsed(ticket, now, clock)
    ticket.sla_running_since = None
    ticket.sla_warn_at = None
