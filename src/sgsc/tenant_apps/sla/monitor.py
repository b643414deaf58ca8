"""The SLA monitor (R5): in one tenant's schema, raise once each the warnings and breaches that
the tickets' stored deadlines call for, with a journal entry, notices and an audit event.

- **Breach**: a running ticket whose ``resolution_due_at`` has come and whose
  ``sla_breached_at`` is empty. It supersedes a warning not yet raised (``sla_warned_at`` is
  set with it), so a ticket past both gets one notice, not two.
- **Warning**: a running ticket whose ``sla_warn_at`` has come and whose ``sla_warned_at`` is
  empty (the share of the target is the tenant's ``warning_percent``).
- **Level deadline**: a ticket at level 2 or 3 whose ``level_due_at`` has come. The
  originating level keeps control of the deadline (Annex 1 §18.4, §18.10), so the notice goes
  to whoever escalated it (and the assignee they had). The ticket has no field for it: the
  journal entry is the record, recognised by its reason and its moment (at or after the
  deadline), so a new escalation with a new deadline is watched again.

The moments come from ``sla.services`` (invariant 5): the monitor compares them with ``now``
and never counts working time itself; the figures it writes come from ``sla_figure``.

Idempotent and safe to overlap: each ticket is locked (``skip_locked``: one held by an
operator or another run waits for the next run) and re-checked under the lock; each run
handles at most ``batch`` tickets of each kind, oldest deadline first, so a backlog drains
over the following runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, partial

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.notifications.models import Notification
from sgsc.tenant_apps.notifications.selectors import (
    people_seeing,
    team_member_ids,
    ticket_responsible_ids,
)
from sgsc.tenant_apps.notifications.services import (
    lazy_text,
    local_moment,
    notification_send,
    ticket_lines,
)
from sgsc.tenant_apps.sla.clock import WorkingTime
from sgsc.tenant_apps.sla.models import ClockSettings
from sgsc.tenant_apps.sla.selectors import SlaFigure, clock_settings_get, sla_figure, working_time
from sgsc.tenant_apps.tickets.housekeeping import SYSTEM_LABEL, tickets_each_locked
from sgsc.tenant_apps.tickets.journal import journal_append
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket
from sgsc.tenants.models import Tenant

BATCH = 500


@dataclass(frozen=True)
class MonitorRun:
    """The tickets (ids) each kind of alert was raised for in one run."""

    breached: tuple[int, ...]
    warned: tuple[int, ...]
    level_breached: tuple[int, ...]

    def counts(self) -> dict[str, int]:
        return {"breached": len(self.breached), "warned": len(self.warned),
                "level_breached": len(self.level_breached)}


@dataclass
class _Run:
    tenant: Tenant
    now: datetime

    # Read once per run, and only when something is due (most minutes nothing is).
    @cached_property
    def clock_settings(self) -> ClockSettings:
        return clock_settings_get()

    @cached_property
    def clock(self) -> WorkingTime:
        return working_time(settings=self.clock_settings)

    @cached_property
    def warning_percent(self) -> int:
        return self.clock_settings.warning_percent


def level_breach_reason() -> str:
    """The reason of a level-deadline entry, in the platform's language (the journal's)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Termenul nivelului depășit")


def breach_due(now: datetime) -> Q:
    return Q(status__in=Ticket.RUNNING_STATUSES, sla_running_since__isnull=False,
             sla_breached_at__isnull=True, resolution_due_at__lte=now)


def warning_due(now: datetime) -> Q:
    return Q(status__in=Ticket.RUNNING_STATUSES, sla_running_since__isnull=False,
             sla_warned_at__isnull=True, sla_warn_at__lte=now)


def level_breach_due(now: datetime) -> Q:
    raised = JournalEntry.objects.filter(ticket=OuterRef("pk"), kind=JournalEntry.Kind.SLA,
                                         reason=level_breach_reason(),
                                         at__gte=OuterRef("level_due_at"))
    return Q(~Exists(raised), status__in=Ticket.RUNNING_STATUSES, level__gt=1,
             level_due_at__lte=now)


def sla_monitor_run(*, tenant: Tenant, now: datetime | None = None,
                    batch: int = BATCH) -> MonitorRun:
    """One pass over the tenant's tickets (call inside its schema)."""
    run = _Run(tenant=tenant, now=now or timezone.now())
    # The journal is the record: written in the platform's language whoever reads it.
    with translation.override(settings.LANGUAGE_CODE):
        return MonitorRun(
            breached=_sweep(run, breach_due(run.now), "resolution_due_at", _raise_breach,
                            batch),
            warned=_sweep(run, warning_due(run.now), "sla_warn_at", _raise_warning, batch),
            level_breached=_sweep(run, level_breach_due(run.now), "level_due_at",
                                  _raise_level_breach, batch),
        )


def _sweep(run: _Run, due: Q, deadline: str, raise_alert: Callable[[_Run, Ticket], None],
           batch: int) -> tuple[int, ...]:
    return tickets_each_locked(due=due, order=deadline, batch=batch,
                               handle=partial(raise_alert, run), related=("team", "queue"))


def _raise_breach(run: _Run, ticket: Ticket) -> None:
    figure = _figure(run, ticket)
    ticket.sla_breached_at = run.now
    if ticket.sla_warned_at is None:
        ticket.sla_warned_at = run.now  # superseded by the breach
    recipients = _responsible_and_supervisors(run, ticket)
    _record(run, ticket, action="ticket.sla_breach", reason=_("Termen depășit"),
            body=_figures(figure), fields=["sla_breached_at", "sla_warned_at"],
            recipients=recipients)
    notification_send(
        recipients=recipients, kind=Notification.Kind.SLA_BREACH, ticket=ticket, now=run.now,
        title=lazy_text(gettext_lazy("Termen depășit: %(number)s"), number=ticket.number),
        body=ticket_lines(ticket))


def _raise_warning(run: _Run, ticket: Ticket) -> None:
    figure = _figure(run, ticket)
    ticket.sla_warned_at = run.now
    recipients = _responsible_and_supervisors(run, ticket)
    _record(run, ticket, action="ticket.sla_warning",
            reason=_("Avertizare SLA: %(percent)d%% din termen consumat")
            % {"percent": run.warning_percent},
            body=_figures(figure), fields=["sla_warned_at"], recipients=recipients)
    notification_send(
        recipients=recipients, kind=Notification.Kind.SLA_WARNING, ticket=ticket, now=run.now,
        title=lazy_text(gettext_lazy("Termen aproape de expirare (%(percent)d%%): %(number)s"),
                        percent=run.warning_percent, number=ticket.number),
        body=ticket_lines(ticket))


def _raise_level_breach(run: _Run, ticket: Ticket) -> None:
    recipients = _originating_level(run, ticket)
    _record(run, ticket, action="ticket.level_breach", reason=level_breach_reason(),
            body=_("Nivelul %(level)d nu a soluționat solicitarea până la termenul nivelului "
                   "(%(due)s). Controlul termenului rămâne la nivelul care a escaladat-o.")
            % {"level": ticket.level, "due": local_moment(ticket.level_due_at)},
            fields=[], recipients=recipients)
    notification_send(
        recipients=recipients, kind=Notification.Kind.LEVEL_BREACH, ticket=ticket, now=run.now,
        title=lazy_text(gettext_lazy("Termenul nivelului %(level)d depășit: %(number)s"),
                        level=ticket.level, number=ticket.number),
        body=ticket_lines(ticket, level_due=True))


def _figure(run: _Run, ticket: Ticket) -> SlaFigure:
    return sla_figure(ticket=ticket, now=run.now, clock=run.clock,
                      warning_percent=run.warning_percent)


def _figures(figure: SlaFigure) -> str:
    """The figures of the moment, as every page shows them (``sla_figure``)."""
    text = _("Timp lucrat: %(elapsed)d din %(target)d minute lucrătoare (%(percent)d%%); "
             "termen de soluționare: %(due)s.") % {
        "elapsed": figure.elapsed_minutes, "target": figure.target_minutes,
        "percent": figure.percent, "due": local_moment(figure.due_at)}
    if figure.remaining_minutes > 0:
        return text + " " + _("Rămân %(minutes)d minute lucrătoare.") % {
            "minutes": figure.remaining_minutes}
    if figure.remaining_minutes < 0:
        return text + " " + _("Depășit cu %(minutes)d minute lucrătoare.") % {
            "minutes": -figure.remaining_minutes}
    return text


def _record(run: _Run, ticket: Ticket, *, action: str, reason: str, body: str,
            fields: list[str], recipients: list[User]) -> None:
    """The journal entry (the ticket is locked) and the audit event of a system alert."""
    journal_append(ticket=ticket, kind=JournalEntry.Kind.SLA, actor=None, at=run.now,
                   body=body, reason=reason)
    ticket.updated_at = run.now
    ticket.save(update_fields=[*fields, "journal_length", "updated_at"])
    audit_record(action=action, actor=None, actor_label=SYSTEM_LABEL, tenant=run.tenant,
                 object_type="ticket", object_id=ticket.pk,
                 details={"number": ticket.number, "due_at": ticket.resolution_due_at,
                          "level_due_at": ticket.level_due_at,
                          "recipients": [user.pk for user in recipients]})


def _responsible_and_supervisors(run: _Run, ticket: Ticket) -> list[User]:
    """The assignee (or, unassigned, the team's members) and the supervisors, of those who
    may see the ticket."""
    responsible = people_seeing(tenant=run.tenant, ticket=ticket,
                                capability=Capability.TICKETS_WORK,
                                user_ids=ticket_responsible_ids(ticket=ticket))
    supervisors = people_seeing(tenant=run.tenant, ticket=ticket,
                                capability=Capability.TICKETS_SUPERVISE)
    return list({user.pk: user for user in [*responsible, *supervisors]}.values())


def _originating_level(run: _Run, ticket: Ticket) -> list[User]:
    """Who escalated the ticket to its level, and the assignee it had then; when neither can
    be named, the members of the team it left."""
    escalation = (ticket.journal.filter(kind=JournalEntry.Kind.ESCALATED)
                  .order_by("-seq").first())
    if escalation is None:
        return []
    assignee_before = escalation.changes.get("assignee_id", [None])[0]
    ids = {pk for pk in (escalation.actor_id, assignee_before) if pk is not None}
    if not ids:
        ids = team_member_ids(team_id=escalation.changes.get("team_id", [ticket.team_id])[0])
    return people_seeing(tenant=run.tenant, ticket=ticket, capability=Capability.TICKETS_WORK,
                         user_ids=ids)
