"""The SLA monitor: each warning and breach raised once, at its minute, to the right people, with
its journal entry and audit event; the level's deadline reported to the level that escalated;
the batch limit; and the properties of the ticket's SLA arithmetic the monitor relies on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import schema_context
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import Membership
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.shared_apps.identity.scoping import membership_scope_write
from sgsc.tenant_apps.catalog.models import Priority
from sgsc.tenant_apps.notifications.models import Notification
from sgsc.tenant_apps.sla import services as sla
from sgsc.tenant_apps.sla.clock import WorkingTime
from sgsc.tenant_apps.sla.monitor import MonitorRun, sla_monitor_run
from sgsc.tenant_apps.sla.selectors import sla_figure, sla_targets
from sgsc.tenant_apps.sla.tasks import monitor
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket
from sgsc.tenant_apps.tickets.services import (
    Escalation,
    ticket_assign,
    ticket_transition,
    ticket_update,
)
from tests.factories import InstitutionFactory
from tests.tenant_apps.notifications import fixtures
from tests.tenant_apps.notifications.fixtures import Crew, policy_for_medium, ticket_at
from tests.tenant_apps.sla.test_clock_properties import CLOCKS, MOMENTS

# The fixtures of prov-a's people (their conftest is in another folder).
access_as, crew, in_prov_a = fixtures.access_as, fixtures.crew, fixtures.in_prov_a

pytestmark = pytest.mark.django_db

CHISINAU = ZoneInfo("Europe/Chisinau")
# A Monday with a whole working day ahead (8-12, 13-17 by default).
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=CHISINAU)
MINUTE = timedelta(minutes=1)
K = Notification.Kind


def at(minutes: int) -> datetime:
    return T0 + minutes * MINUTE


def run_at(crew: Crew, minutes: int, **options: int) -> MonitorRun:
    return sla_monitor_run(tenant=crew.tenant, now=at(minutes), **options)


def notices(ticket: Ticket) -> set[tuple[int, str]]:
    return set(Notification.objects.filter(ticket=ticket).values_list("recipient_id", "kind"))


def assigned_ticket(crew: Crew) -> Ticket:
    """Registered at T0 with 100 working minutes to resolve (warning at 75), taken by the
    operator."""
    policy_for_medium(resolution_minutes=100)
    ticket = ticket_at(crew.operator, T0)
    return ticket_assign(access=crew.operator, ticket_id=ticket.pk,
                         assignee=crew.operator.user, now=T0)


def test_the_warning_is_raised_once_at_its_minute_for_the_assignee_and_supervisors(
        crew: Crew) -> None:
    ticket = assigned_ticket(crew)
    assert (ticket.sla_warn_at, ticket.resolution_due_at) == (at(75), at(100))

    assert run_at(crew, 74) == MonitorRun(breached=(), warned=(), level_breached=())
    assert run_at(crew, 75).warned == (ticket.pk,)

    ticket.refresh_from_db()
    assert ticket.sla_warned_at == at(75) and ticket.sla_breached_at is None
    entry = ticket.journal.order_by("seq").last()
    assert entry is not None
    assert (entry.kind, entry.actor, entry.visibility, entry.at, entry.changes) == (
        JournalEntry.Kind.SLA, None, JournalEntry.Visibility.INTERNAL, at(75), {})
    assert entry.reason == "Avertizare SLA: 75% din termen consumat"
    assert "75 din 100 minute lucrătoare (75%)" in entry.body
    assert "Rămân 25 minute lucrătoare." in entry.body
    assert ticket.journal_length == entry.seq
    # The assignee and the supervisor; not the assignee's teammate nor the L2 specialist.
    assert notices(ticket) == {(crew.operator.user.pk, K.SLA_WARNING),
                               (crew.supervisor.user.pk, K.SLA_WARNING)}
    event = AuditEvent.objects.get(action="ticket.sla_warning", object_id=str(ticket.pk))
    assert (event.chain, event.actor_id, event.actor_label) == (crew.tenant.schema_name, None,
                                                                "sistem")

    assert run_at(crew, 76).warned == ()
    assert Notification.objects.filter(ticket=ticket).count() == 2
    assert ticket.journal.count() == entry.seq


def test_the_breach_supersedes_a_warning_not_yet_raised(crew: Crew) -> None:
    ticket = assigned_ticket(crew)
    run = run_at(crew, 100)  # the first run since 09:00 (the workers were stopped)
    assert (run.breached, run.warned) == ((ticket.pk,), ())
    ticket.refresh_from_db()
    assert ticket.sla_breached_at == ticket.sla_warned_at == at(100)
    entry = ticket.journal.order_by("seq").last()
    assert entry is not None and entry.reason == "Termen depășit"
    assert "100 din 100 minute lucrătoare (100%)" in entry.body
    assert notices(ticket) == {(crew.operator.user.pk, K.SLA_BREACH),
                               (crew.supervisor.user.pk, K.SLA_BREACH)}
    assert run_at(crew, 200) == MonitorRun(breached=(), warned=(), level_breached=())


def test_an_unassigned_ticket_warns_its_team(crew: Crew) -> None:
    policy_for_medium(resolution_minutes=100)
    ticket = ticket_at(crew.operator, T0)
    ticket_update(access=crew.supervisor, ticket_id=ticket.pk,
                  changes={"team_id": crew.team_l1.pk}, now=T0)
    run_at(crew, 75)
    assert notices(ticket) == {(crew.operator.user.pk, K.SLA_WARNING),
                               (crew.colleague.user.pk, K.SLA_WARNING),
                               (crew.supervisor.user.pk, K.SLA_WARNING)}


def test_a_supervisor_limited_to_other_institutions_is_not_told(crew: Crew,
                                                                access_as) -> None:
    served, other = InstitutionFactory(), InstitutionFactory()
    limited = access_as(TenantRole.SUPERVISOR)
    membership_scope_write(membership=Membership.objects.get(user=limited.user),
                           institution_ids=[served.pk])
    policy_for_medium(resolution_minutes=100)
    theirs = ticket_at(crew.operator, T0, institution_id=served.pk)
    not_theirs = ticket_at(crew.operator, T0, institution_id=other.pk)
    run_at(crew, 75)
    assert (limited.user.pk, K.SLA_WARNING) in notices(theirs)
    assert {recipient for recipient, _kind in notices(not_theirs)} == {crew.supervisor.user.pk}


def test_a_paused_clock_raises_nothing_and_resuming_moves_the_warning(crew: Crew) -> None:
    ticket = assigned_ticket(crew)
    ticket_transition(access=crew.operator, ticket_id=ticket.pk, action="wait",
                      reason="Așteptăm copia actului", now=at(30))
    assert run_at(crew, 200) == MonitorRun(breached=(), warned=(), level_breached=())
    ticket = ticket_transition(access=crew.operator, ticket_id=ticket.pk, action="resume",
                               now=at(240))  # 13:00, after the lunch break
    # 30 minutes were used: 45 more to the warning, 70 to the deadline.
    assert (ticket.sla_warn_at, ticket.resolution_due_at) == (at(240 + 45), at(240 + 70))
    assert run_at(crew, 240 + 44).warned == ()
    assert run_at(crew, 240 + 45).warned == (ticket.pk,)


def test_the_level_deadline_is_reported_to_the_level_that_escalated(crew: Crew) -> None:
    ticket = assigned_ticket(crew)
    ticket_transition(access=crew.operator, ticket_id=ticket.pk, action="escalate",
                      reason="Necesită verificare în registru", now=at(10),
                      escalation=Escalation(level=2, team_id=crew.team_l2.pk, due_at=at(30)))
    assert run_at(crew, 29).level_breached == ()
    assert run_at(crew, 30).level_breached == (ticket.pk,)
    entry = ticket.journal.order_by("seq").last()
    assert entry is not None and entry.reason == "Termenul nivelului depășit"
    assert entry.body.startswith("Nivelul 2 nu a soluționat solicitarea")
    assert notices(ticket) == {(crew.operator.user.pk, K.LEVEL_BREACH)}
    assert run_at(crew, 31).level_breached == ()

    # Escalated on with a deadline of its own: watched again, reported to L2 this time.
    ticket_transition(access=crew.specialist, ticket_id=ticket.pk, action="escalate",
                      reason="Eroare în sistemul informațional", now=at(40),
                      escalation=Escalation(level=3, due_at=at(60)))
    assert run_at(crew, 59).level_breached == ()
    assert run_at(crew, 60).level_breached == (ticket.pk,)
    assert (crew.specialist.user.pk, K.LEVEL_BREACH) in notices(ticket)
    assert AuditEvent.objects.filter(action="ticket.level_breach",
                                     object_id=str(ticket.pk)).count() == 2


def test_a_backlog_drains_over_runs_oldest_deadline_first(crew: Crew) -> None:
    policy_for_medium(resolution_minutes=100)
    first = ticket_at(crew.operator, T0)
    second = ticket_at(crew.operator, at(5))
    assert run_at(crew, 90, batch=1).warned == (first.pk,)
    assert run_at(crew, 90, batch=1).warned == (second.pk,)
    assert run_at(crew, 90, batch=1).warned == ()


def test_a_quiet_minute_costs_three_queries(crew: Crew,
                                           assert_max_queries: Callable[[int], Any]) -> None:
    assigned_ticket(crew)
    # One look for each kind of alert; the clock and settings are read only when one is due.
    with assert_max_queries(3):
        assert run_at(crew, 74) == MonitorRun(breached=(), warned=(), level_breached=())


def test_the_task_runs_in_an_active_tenant_only(crew: Crew) -> None:
    with schema_context("public"):
        assert monitor.apply().get() == {}
    with schema_context(crew.tenant.schema_name):
        assert monitor.apply().get() == {"breached": 0, "warned": 0, "level_breached": 0}


# --- the SLA arithmetic of a ticket (sla.services and sla_figure) ---------------------------

ARITHMETIC = settings(max_examples=150, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])
TARGETS = st.integers(min_value=1, max_value=3_000)
SPANS = st.integers(min_value=0, max_value=20 * 24 * 60)  # real minutes, up to 20 days


def _paused(*, target: int, used: int) -> Ticket:
    """A ticket in memory whose clock has ``used`` of ``target`` working minutes, paused."""
    return Ticket(status=Ticket.Status.OPEN, resolution_target_minutes=target,
                  response_target_minutes=60, sla_elapsed_minutes=used,
                  priority=Priority.objects.get(code="p3"))


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@ARITHMETIC
@given(clock=CLOCKS, start=MOMENTS, target=TARGETS, used=st.integers(0, 3_000), run=SPANS,
       pause=SPANS, after=SPANS)
def test_pausing_and_resuming_keeps_the_time_used(
        in_prov_a: object, clock: WorkingTime, start: datetime, target: int,
        used: int, run: int, pause: int, after: int) -> None:
    ticket = _paused(target=target, used=used)
    start = _utc(start)
    sla.sla_resume(ticket=ticket, now=start, clock=clock)
    paused_at = start + run * MINUTE
    spent = sla_figure(ticket=ticket, now=paused_at, clock=clock, warning_percent=75)
    sla.sla_pause(ticket=ticket, now=paused_at, clock=clock)
    assert ticket.sla_elapsed_minutes == spent.elapsed_minutes
    assert ticket.resolution_due_at is None and ticket.sla_warn_at is None
    resumed_at = paused_at + pause * MINUTE
    waiting = sla_figure(ticket=ticket, now=resumed_at, clock=clock, warning_percent=75)
    assert (waiting.state, waiting.elapsed_minutes) == ("paused", spent.elapsed_minutes)
    sla.sla_resume(ticket=ticket, now=resumed_at, clock=clock)
    later = resumed_at + after * MINUTE
    assert sla_figure(ticket=ticket, now=later, clock=clock, warning_percent=75).elapsed_minutes \
        == spent.elapsed_minutes + clock.minutes_between(resumed_at, later)


@ARITHMETIC
@given(clock=CLOCKS, start=MOMENTS, used=st.integers(0, 3_000), run=SPANS)
def test_recomputing_with_the_same_targets_keeps_the_deadlines(
        in_prov_a: object, clock: WorkingTime, start: datetime, used: int,
        run: int) -> None:
    targets = sla_targets(priority_id=Priority.objects.get(code="p3").pk, service=None)
    ticket = _paused(target=targets.resolution_minutes, used=used)
    ticket.response_target_minutes = targets.response_minutes
    start = _utc(start)
    ticket.created_at = start
    sla.sla_resume(ticket=ticket, now=start, clock=clock)
    due, warn = ticket.resolution_due_at, ticket.sla_warn_at
    assert due is not None and warn is not None
    now = start + run * MINUTE
    assume(now < due)  # past it the deadline is "now": nothing is left to keep
    sla.sla_recompute(ticket=ticket, now=now, clock=clock)
    assert ticket.resolution_due_at == due
    if now < warn:
        assert ticket.sla_warn_at == warn


@ARITHMETIC
@given(clock=CLOCKS, start=MOMENTS, target=TARGETS, used=st.integers(0, 3_000))
def test_the_figure_reaches_one_hundred_percent_exactly_at_the_deadline(
        in_prov_a: object, clock: WorkingTime, start: datetime, target: int,
        used: int) -> None:
    assume(used < target)
    ticket = _paused(target=target, used=used)
    sla.sla_resume(ticket=ticket, now=_utc(start), clock=clock)
    due = ticket.resolution_due_at
    assert due is not None
    figure = sla_figure(ticket=ticket, now=due, clock=clock, warning_percent=75)
    assert (figure.percent, figure.remaining_minutes, figure.state, figure.due_at) == (
        100, 0, "breached", due)
    before = sla_figure(ticket=ticket, now=due - MINUTE, clock=clock, warning_percent=75)
    assert before.remaining_minutes == 1 and before.percent < 100
    assert before.state in ("running", "warning")


@ARITHMETIC
@given(clock=CLOCKS, start=MOMENTS, target=st.integers(min_value=2, max_value=3_000))
def test_the_warning_moment_is_where_the_figure_turns_to_warning(
        in_prov_a: object, clock: WorkingTime, start: datetime, target: int) -> None:
    ticket = _paused(target=target, used=0)
    sla.sla_resume(ticket=ticket, now=_utc(start), clock=clock)
    warn = ticket.sla_warn_at
    assert warn is not None
    assume(warn < (ticket.resolution_due_at or warn))
    assert sla_figure(ticket=ticket, now=warn, clock=clock, warning_percent=75).state \
        == "warning"
    assert sla_figure(ticket=ticket, now=warn - MINUTE, clock=clock,
                      warning_percent=75).state == "running"
