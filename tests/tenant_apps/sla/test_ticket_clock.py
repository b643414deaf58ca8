"""The SLA clock of a ticket, through the ticket services, on the tenant's default hours
(Monday to Friday 08:00-12:00 and 13:00-17:00): deadlines, pauses, recomputation, fixed
deadlines and the one figure every page shows (invariant 5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.catalog.models import Priority
from sgsc.tenant_apps.sla.models import ClockSettings, SlaPolicy
from sgsc.tenant_apps.sla.selectors import SlaFigure, sla_figure, working_time
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.services import (
    TicketInput,
    ticket_create,
    ticket_deadline_set,
    ticket_transition,
    ticket_update,
)
from tests.tenant_apps.sla.test_clock import at
from tests.tenant_apps.tickets.conftest import access_as, in_prov_a  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

FRIDAY = at("2026-02-13 16:30")  # an ordinary Friday; Monday 16 February is a working day
WAIT = "Așteptăm actele"


@pytest.fixture
def people(access_as: Callable[[str], TicketAccess]) -> dict[str, TicketAccess]:  # noqa: F811
    # p3 (impact 2, urgency 2) gets 8 working hours, p2 (impact 1) gets 4.
    for code, hours in (("p3", 8), ("p2", 4)):
        SlaPolicy.objects.create(priority=Priority.objects.get(code=code),
                                 first_response_minutes=60, resolution_minutes=hours * 60)
    return {"operator": access_as(TenantRole.L1_OPERATOR),
            "supervisor": access_as(TenantRole.SUPERVISOR)}


def register(access: TicketAccess, now: datetime) -> Ticket:
    return ticket_create(access=access, now=now, data=TicketInput(
        channel="phone", title="Certificat", requester=Requester(name="Ion", phone="069123456")))


def figure(ticket: Ticket, now: datetime) -> SlaFigure:
    ticket.refresh_from_db()
    return sla_figure(ticket=ticket, now=now, clock=working_time(),
                      warning_percent=ClockSettings.objects.get().warning_percent)


def test_eight_working_hours_from_friday_afternoon_end_on_monday_afternoon(
        people: dict[str, TicketAccess]) -> None:
    ticket = register(people["operator"], FRIDAY)
    # 30 minutes on Friday, 08:00-12:00 and 13:00-16:30 on Monday: the break is not counted.
    assert ticket.resolution_due_at == at("2026-02-16 16:30")
    assert ticket.response_due_at == at("2026-02-16 08:30")
    assert (ticket.resolution_target_minutes, ticket.response_target_minutes) == (480, 60)
    assert figure(ticket, at("2026-02-15 12:00")).elapsed_minutes == 30  # the weekend
    at_lunch = figure(ticket, at("2026-02-16 12:40"))
    assert (at_lunch.elapsed_minutes, at_lunch.remaining_minutes) == (270, 210)
    assert at_lunch.due_at == ticket.resolution_due_at
    at_due = figure(ticket, at("2026-02-16 16:30"))
    assert (at_due.percent, at_due.remaining_minutes, at_due.elapsed_minutes) == (100, 0, 480)
    assert at_due.state == "breached"
    before_due = figure(ticket, at("2026-02-16 16:29"))
    assert (before_due.state, before_due.remaining_minutes, before_due.percent) == (
        "warning", 1, 99)


def test_waiting_keeps_the_minutes_used_and_resuming_counts_on_from_them(
        people: dict[str, TicketAccess]) -> None:
    operator = people["operator"]
    ticket = register(operator, FRIDAY)
    ticket = ticket_transition(access=operator, ticket_id=ticket.pk, action="wait",
                               reason=WAIT, now=at("2026-02-16 09:00"))
    assert (ticket.sla_elapsed_minutes, ticket.resolution_due_at) == (90, None)
    paused = figure(ticket, at("2026-02-17 16:00"))
    assert (paused.state, paused.elapsed_minutes, paused.remaining_minutes) == ("paused", 90, 390)
    ticket = ticket_transition(access=operator, ticket_id=ticket.pk, action="resume",
                               now=at("2026-02-18 09:00"))
    # 390 minutes left: 09:00-12:00 and 13:00-16:30 on Wednesday.
    assert ticket.resolution_due_at == at("2026-02-18 16:30")
    resumed = figure(ticket, at("2026-02-18 10:00"))
    assert (resumed.state, resumed.elapsed_minutes) == ("running", 150)


def test_a_priority_change_recomputes_from_the_time_used(
        people: dict[str, TicketAccess]) -> None:
    operator = people["operator"]
    ticket = register(operator, FRIDAY)
    ticket = ticket_update(access=operator, ticket_id=ticket.pk, changes={"impact": 1},
                           now=at("2026-02-16 09:00"))
    assert ticket.priority.code == "p2" and ticket.resolution_target_minutes == 240
    # 90 of the 240 minutes are used: 150 remain from 09:00.
    assert ticket.resolution_due_at == at("2026-02-16 11:30")
    assert (figure(ticket, at("2026-02-16 10:00")).elapsed_minutes,
            figure(ticket, at("2026-02-16 10:00")).target_minutes) == (150, 240)
    # While waiting, a change gives new targets; resuming counts them from the time used.
    ticket_transition(access=operator, ticket_id=ticket.pk, action="wait", reason=WAIT,
                      now=at("2026-02-16 10:00"))
    ticket = ticket_update(access=operator, ticket_id=ticket.pk, changes={"impact": 2},
                           now=at("2026-02-16 11:00"))
    assert (ticket.resolution_target_minutes, ticket.resolution_due_at) == (480, None)
    ticket = ticket_transition(access=operator, ticket_id=ticket.pk, action="resume",
                               now=at("2026-02-17 08:00"))
    assert ticket.resolution_due_at == at("2026-02-17 14:30")  # 330 minutes left


def test_a_fixed_deadline_survives_recomputation_and_waiting(
        people: dict[str, TicketAccess]) -> None:
    operator, supervisor = people["operator"], people["supervisor"]
    ticket = register(operator, FRIDAY)
    fixed = at("2026-02-18 12:00")
    ticket_deadline_set(access=supervisor, ticket_id=ticket.pk, due_at=fixed,
                        reason="Acordul solicitantului", now=at("2026-02-16 09:00"))
    ticket = ticket_update(access=operator, ticket_id=ticket.pk, changes={"impact": 1},
                           now=at("2026-02-16 10:00"))
    assert ticket.resolution_due_at == fixed and ticket.deadline_fixed
    ticket = ticket_transition(access=operator, ticket_id=ticket.pk, action="wait",
                               reason=WAIT, now=at("2026-02-16 11:00"))
    assert ticket.resolution_due_at == fixed
    paused = figure(ticket, at("2026-02-17 08:00"))
    # What is left is counted to the fixed deadline: Tuesday and Wednesday morning.
    assert (paused.state, paused.elapsed_minutes, paused.remaining_minutes) == (
        "paused", 210, 480 + 240)
    ticket = ticket_transition(access=operator, ticket_id=ticket.pk, action="resume",
                               now=at("2026-02-17 08:00"))
    assert ticket.resolution_due_at == fixed
    at_due = figure(ticket, fixed)
    assert (at_due.state, at_due.remaining_minutes, at_due.percent) == ("breached", 0, 100)
    assert at_due.due_at == fixed


def test_the_figure_in_each_state(people: dict[str, TicketAccess]) -> None:
    ClockSettings.objects.update(warning_percent=50)
    operator = people["operator"]
    ticket = register(operator, at("2026-02-16 08:00"))
    running = figure(ticket, at("2026-02-16 11:59"))
    assert (running.state, running.elapsed_minutes, running.percent) == ("running", 239, 49)
    warning = figure(ticket, at("2026-02-16 13:00"))  # 240 of 480: the tenant's 50 %
    assert (warning.state, warning.percent, warning.remaining_minutes) == ("warning", 50, 240)
    # The monitor warns at ``sla_warn_at``: the figure says "warning" from that moment on.
    assert ticket.sla_warn_at is not None
    assert figure(ticket, ticket.sla_warn_at).state == "warning"
    assert figure(ticket, ticket.sla_warn_at - timedelta(minutes=1)).state == "running"
    breached = figure(ticket, at("2026-02-17 09:00"))
    assert (breached.state, breached.remaining_minutes, breached.percent) == (
        "breached", -60, 112)
    ticket_transition(access=operator, ticket_id=ticket.pk, action="wait", reason=WAIT,
                      now=at("2026-02-16 14:00"))
    assert figure(ticket, at("2026-02-20 14:00")).state == "paused"
    ticket_transition(access=operator, ticket_id=ticket.pk, action="resume",
                      now=at("2026-02-17 08:00"))
    ticket = ticket_transition(access=operator, ticket_id=ticket.pk, action="resolve",
                               reason="Rezolvat", now=at("2026-02-17 09:00"))
    stopped = figure(ticket, at("2026-03-20 09:00"))
    assert (stopped.state, stopped.elapsed_minutes, stopped.remaining_minutes) == (
        "stopped", 360, 120)


@pytest.mark.parametrize(("target", "percent"), [(90, 75), (100, 33), (7, 75)])
def test_the_warning_moment_and_the_figure_agree_whatever_the_rounding(
        people: dict[str, TicketAccess], target: int, percent: int) -> None:
    """The monitor warns at ``sla_warn_at``; the page says "warning" from ``percent`` on. At
    90 minutes and 75 % the share is 67.5 minutes: both must switch at the same minute."""
    SlaPolicy.objects.filter(priority__code="p3").update(resolution_minutes=target)
    ClockSettings.objects.update(warning_percent=percent)
    ticket = register(people["operator"], at("2026-02-16 08:00"))
    assert ticket.sla_warn_at is not None
    assert figure(ticket, ticket.sla_warn_at).state == "warning"
    assert figure(ticket, ticket.sla_warn_at - timedelta(minutes=1)).state == "running"


def test_the_warning_of_a_fixed_deadline_is_counted_to_it(
        people: dict[str, TicketAccess]) -> None:
    """With the deadline fixed a week away, 75 % of the policy's 8 hours is not 75 % of the
    time to that deadline: the page and the monitor must agree on the moment of warning."""
    ticket = register(people["operator"], at("2026-02-16 08:00"))
    ticket = ticket_deadline_set(access=people["supervisor"], ticket_id=ticket.pk,
                                 due_at=at("2026-02-23 08:00"), reason="Termen convenit",
                                 now=at("2026-02-16 08:00"))
    assert ticket.sla_warn_at is not None
    assert figure(ticket, ticket.sla_warn_at).state == "warning"
    assert figure(ticket, ticket.sla_warn_at - timedelta(minutes=1)).state == "running"
    assert ticket.sla_warn_at == at("2026-02-19 15:00")  # 1800 of the 2400 minutes


def test_a_fixed_deadline_in_closed_hours_is_not_missed_before_it_comes(
        people: dict[str, TicketAccess]) -> None:
    """Fixed for Monday 08:00, the ticket is not breached on Friday evening: the monitor
    raises the breach at the deadline (``resolution_due_at <= now``), the page must too."""
    ticket = register(people["operator"], at("2026-02-16 08:00"))
    ticket_deadline_set(access=people["supervisor"], ticket_id=ticket.pk,
                        due_at=at("2026-02-23 08:00"), reason="Termen convenit",
                        now=at("2026-02-16 08:00"))
    weekend = figure(ticket, at("2026-02-21 12:00"))
    assert weekend.remaining_minutes == 0 and weekend.state != "breached"
    assert figure(ticket, at("2026-02-23 08:00")).state == "breached"
