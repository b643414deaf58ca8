"""The state machine as a matrix: every status x every action x the four working roles.

The expected outcome of each cell is written here from the rules (R5, Annex 1 §18), not read
from ``lifecycle.TRANSITIONS``, so that a change of the table shows as a failure. Each cell
runs in a savepoint that is rolled back, so one ticket per status serves all its cells.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from sgsc.platform.errors import AccessDenied, ApplicationError, Conflict, InvalidInput
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.catalog.models import Queue, Team
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.lifecycle import REASON_REQUIRED, Action
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket, TicketSettings
from sgsc.tenant_apps.tickets.services import (
    Escalation,
    ticket_settings_ensure,
    ticket_transition,
    ticket_update,
)

pytestmark = pytest.mark.django_db

ROLES = {"L1": TenantRole.L1_OPERATOR, "L2": TenantRole.L2_SPECIALIST,
         "L3": TenantRole.L3_TECHNICAL, "supervisor": TenantRole.SUPERVISOR}
# The support levels each role works (everyone works level 1).
LEVELS_WORKED = {"L1": {1}, "L2": {1, 2}, "L3": {1, 3}, "supervisor": {1, 2, 3}}
REASON = "Motivul operatorului"

# action -> (statuses it starts from, the status it leads to), from the rules.
RULES: dict[str, tuple[set[str], str]] = {
    "take": ({"new"}, "open"),
    "wait": ({"new", "open", "escalated"}, "waiting"),
    "resume": ({"waiting"}, "open"),
    "escalate": ({"new", "open", "escalated"}, "escalated"),
    # An escalated ticket that waited (or was reopened) is open at its level, and the level
    # must still be able to hand it back.
    "return": ({"escalated", "open"}, "open"),
    "resolve": ({"new", "open", "escalated"}, "resolved"),
    "close": ({"resolved"}, "closed"),
    "reopen": ({"resolved", "closed"}, "open"),
    "archive": ({"closed"}, "archived"),
}

People = dict[str, TicketAccess]


@dataclass(frozen=True)
class Outcome:
    status: str = ""
    level: int = 0
    refused: type[ApplicationError] | None = None
    code: str = ""


def expected(*, status: str, level: int, action: str, role: str) -> Outcome:
    if level not in LEVELS_WORKED[role]:
        return Outcome(refused=AccessDenied, code="level_not_allowed")
    sources, target = RULES[action]
    allowed = status in sources and not (
        (action == "escalate" and level == 3)  # there is no level above 3
        or (action == "return" and level == 1)  # nothing to return from
        or (action == "archive" and role != "supervisor"))  # the periodic job's or a supervisor's
    if not allowed:
        return Outcome(refused=Conflict, code="invalid_transition")
    new_level = level + 1 if action == "escalate" else 1 if action == "return" else level
    return Outcome(status=target, level=new_level)


class _Undo(Exception):
    """Raised to roll a cell's savepoint back."""


@contextmanager
def undone() -> Iterator[None]:
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


def row(ticket_id: int) -> dict[str, Any]:
    return dict(Ticket.objects.filter(pk=ticket_id).values().get())


def journal_rows(ticket_id: int) -> list[dict[str, Any]]:
    return [dict(entry) for entry in
            JournalEntry.objects.filter(ticket_id=ticket_id).order_by("seq").values()]


def failures(action: str, ticket_id: int, code: str) -> int:
    return AuditEvent.objects.filter(action=action, outcome=AuditEvent.Outcome.FAILURE,
                                     object_id=str(ticket_id), details__code=code).count()


def successes(action: str, ticket_id: int) -> int:
    return AuditEvent.objects.filter(action=action, outcome=AuditEvent.Outcome.SUCCESS,
                                     object_id=str(ticket_id)).count()


def assert_refused(attempt: Callable[[], object], *, ticket_id: int, audit_action: str,
                   error: type[ApplicationError], code: str) -> None:
    """The refusal has its class and code, leaves the ticket and its journal as they were and
    is in the audit log."""
    ticket_before, journal_before = row(ticket_id), journal_rows(ticket_id)
    failed_before = failures(audit_action, ticket_id, code)
    with pytest.raises(error) as refused:
        attempt()
    assert refused.value.code == code
    assert row(ticket_id) == ticket_before
    assert journal_rows(ticket_id) == journal_before
    assert failures(audit_action, ticket_id, code) == failed_before + 1


@pytest.fixture
def people(access_as: Callable[[str], TicketAccess]) -> People:
    return {name: access_as(role) for name, role in ROLES.items()}


@pytest.fixture
def build(people: People, new_ticket: Callable[..., Ticket]) -> Callable[[str, int], Ticket]:
    """A ticket brought into a status (and level) through the services only."""

    def make(status: str, level: int = 1) -> Ticket:
        boss = people["supervisor"]
        ticket = new_ticket(people["L1"])

        def move(action: str) -> None:
            ticket_transition(access=boss, ticket_id=ticket.pk, action=action, reason=REASON)

        for _level in range(1, level):
            move("escalate")
        if status == "open":
            # Above level 1 a ticket is open again after waiting for the requester.
            for action in (("wait", "resume") if level > 1 else ("take",)):
                move(action)
        elif status == "waiting":
            move("wait")
        elif status in ("resolved", "closed", "archived"):
            move("resolve")
            if status != "resolved":
                move("close")
            if status == "archived":
                move("archive")
        ticket.refresh_from_db()
        assert (ticket.status, ticket.level) == (status, level)
        return ticket

    return make


STATES = [("new", 1), ("open", 1), ("open", 2), ("waiting", 1), ("escalated", 2),
          ("escalated", 3), ("resolved", 1), ("closed", 1), ("archived", 1)]


@pytest.mark.parametrize(("status", "level"), STATES, ids=[f"{s}-L{n}" for s, n in STATES])
def test_every_action_of_every_role_from_the_status(
        status: str, level: int, people: People,
        build: Callable[[str, int], Ticket]) -> None:
    ticket = build(status, level)
    for role, access in people.items():
        for action in Action:
            outcome = expected(status=status, level=level, action=action.value, role=role)
            with undone():
                _check_cell(ticket, access, action.value, outcome, where=f"{role}/{action}")


def _check_cell(ticket: Ticket, access: TicketAccess, action: str, outcome: Outcome, *,
                where: str) -> None:
    def attempt() -> Ticket:
        return ticket_transition(access=access, ticket_id=ticket.pk, action=action,
                                 reason=REASON)

    if outcome.refused is not None:
        try:
            assert_refused(attempt, ticket_id=ticket.pk, audit_action=f"ticket.{action}",
                           error=outcome.refused, code=outcome.code)
        except (AssertionError, ApplicationError) as error:
            raise AssertionError(f"{where}: expected {outcome.code}: {error!r}") from error
        return
    journal_before = journal_rows(ticket.pk)
    succeeded_before = successes(f"ticket.{action}", ticket.pk)
    try:
        moved = attempt()
    except ApplicationError as error:
        raise AssertionError(f"{where}: expected success, got {error.code}") from error
    moved.refresh_from_db()
    assert (moved.status, moved.level) == (outcome.status, outcome.level), where
    journal = journal_rows(ticket.pk)
    assert journal[:-1] == journal_before, where
    entry = journal[-1]
    assert entry["seq"] == len(journal_before) + 1 == moved.journal_length, where
    assert entry["kind"] == ("escalated" if action == "escalate" else "status"), where
    assert entry["actor_id"] == access.user.pk and entry["reason"] == REASON, where
    if ticket.status != outcome.status:
        assert entry["changes"]["status"] == [ticket.status, outcome.status], where
    assert successes(f"ticket.{action}", ticket.pk) == succeeded_before + 1, where


def test_an_unknown_action_is_refused_and_recorded(
        people: People, build: Callable[[str, int], Ticket]) -> None:
    ticket = build("open", 1)
    assert_refused(lambda: ticket_transition(access=people["supervisor"], ticket_id=ticket.pk,
                                             action="teleport", reason=REASON),
                   ticket_id=ticket.pk, audit_action="ticket.transition", error=InvalidInput,
                   code="unknown_action")


# Where each action needing a reason is allowed to a supervisor.
REASON_CASES = {"escalate": ("open", 1), "return": ("escalated", 2), "reopen": ("resolved", 1),
                "resolve": ("open", 1), "wait": ("open", 1)}


def test_the_reasons_the_rules_require() -> None:
    assert {action.value for action in REASON_REQUIRED} == set(REASON_CASES)


@pytest.mark.parametrize("action", sorted(REASON_CASES))
def test_an_action_needing_a_reason_is_refused_without_one(
        action: str, people: People, build: Callable[[str, int], Ticket]) -> None:
    ticket = build(*REASON_CASES[action])
    for blank in ("", "   "):
        assert_refused(partial(ticket_transition, access=people["supervisor"],
                               ticket_id=ticket.pk, action=action, reason=blank),
                       ticket_id=ticket.pk, audit_action=f"ticket.{action}", error=InvalidInput,
            code="required")
    moved = ticket_transition(access=people["supervisor"], ticket_id=ticket.pk, action=action,
                              reason=REASON)
    assert moved.journal.order_by("-seq").first().reason == REASON  # type: ignore[union-attr]


@pytest.mark.parametrize(("action", "status"), [("take", "new"), ("resume", "waiting"),
                                                ("close", "resolved"), ("archive", "closed")])
def test_the_other_actions_need_no_reason(action: str, status: str, people: People,
                                          build: Callable[[str, int], Ticket]) -> None:
    ticket = build(status, 1)
    moved = ticket_transition(access=people["supervisor"], ticket_id=ticket.pk, action=action)
    assert moved.status == RULES[action][1]


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_reopening_is_refused_once_the_period_is_over(
        status: str, people: People, build: Callable[[str, int], Ticket]) -> None:
    settings = ticket_settings_ensure()
    settings.reopen_days = 3
    settings.save()
    ticket = build(status, 1)
    since = ticket.closed_at or ticket.resolved_at
    assert since is not None
    boss = people["supervisor"]
    assert_refused(lambda: ticket_transition(access=boss, ticket_id=ticket.pk, action="reopen",
                                             reason=REASON, now=since + timedelta(days=3)),
                   ticket_id=ticket.pk, audit_action="ticket.reopen", error=Conflict,
                   code="reopen_period_over")
    reopened = ticket_transition(access=boss, ticket_id=ticket.pk, action="reopen",
                                 reason=REASON, now=since + timedelta(days=3, seconds=-1))
    assert reopened.status == "open" and reopened.resolved_at is None
    assert reopened.closed_at is None and reopened.sla_running_since is not None
    assert TicketSettings.objects.get().reopen_days == 3


# --- escalation ------------------------------------------------------------------------------

def _team(name: str, level: int) -> Team:
    team = Team.objects.create(name=name, level=level)
    Queue.objects.create(name=f"Coada {name}", team=team)
    return team


def test_escalation_goes_to_the_next_level_only(people: People,
                                                build: Callable[[str, int], Ticket]) -> None:
    ticket = build("open", 1)
    for level in (1, 3, 4):
        assert_refused(partial(ticket_transition, access=people["L1"], ticket_id=ticket.pk,
                               action="escalate", reason=REASON,
                               escalation=Escalation(level=level)),
                       ticket_id=ticket.pk, audit_action="ticket.escalate", error=InvalidInput,
            code="invalid_escalation_level")


def test_escalation_to_a_team_of_another_level_is_refused(
        people: People, build: Callable[[str, int], Ticket]) -> None:
    ticket = build("open", 1)
    level3 = _team("Echipa L3", 3)
    assert_refused(lambda: ticket_transition(
        access=people["L1"], ticket_id=ticket.pk, action="escalate", reason=REASON,
        escalation=Escalation(level=2, team_id=level3.pk)),
        ticket_id=ticket.pk, audit_action="ticket.escalate", error=InvalidInput,
        code="team_level_mismatch")
    level2 = _team("Echipa L2", 2)
    moved = ticket_transition(access=people["L1"], ticket_id=ticket.pk, action="escalate",
                              reason=REASON, escalation=Escalation(level=2, team_id=level2.pk))
    assert (moved.level, moved.team_id, moved.assignee_id) == (2, level2.pk, None)
    assert moved.queue == level2.queues.get()


def test_the_level_deadline_stays_within_the_tickets_unless_a_supervisor_decides(
        people: People, build: Callable[[str, int], Ticket]) -> None:
    ticket = build("open", 1)
    assert ticket.resolution_due_at is not None
    later = ticket.resolution_due_at + timedelta(hours=1)
    assert_refused(lambda: ticket_transition(
        access=people["L1"], ticket_id=ticket.pk, action="escalate", reason=REASON,
        escalation=Escalation(level=2, due_at=later)),
        ticket_id=ticket.pk, audit_action="ticket.escalate", error=InvalidInput,
        code="level_deadline_after_resolution")
    within = ticket.resolution_due_at - timedelta(hours=1)
    with undone():
        moved = ticket_transition(access=people["L1"], ticket_id=ticket.pk, action="escalate",
                                  reason=REASON, escalation=Escalation(level=2, due_at=within))
        moved.refresh_from_db()
        assert moved.level_due_at == within
    moved = ticket_transition(access=people["supervisor"], ticket_id=ticket.pk,
                              action="escalate", reason=REASON,
                              escalation=Escalation(level=2, due_at=later))
    moved.refresh_from_db()
    assert moved.level_due_at == later and moved.resolution_due_at == ticket.resolution_due_at


def test_a_level_deadline_in_the_past_is_refused(people: People,
                                                 build: Callable[[str, int], Ticket]) -> None:
    ticket = build("open", 1)
    now = timezone.now()
    for due in (now - timedelta(minutes=1), now):
        assert_refused(partial(ticket_transition, access=people["supervisor"],
                               ticket_id=ticket.pk, action="escalate", reason=REASON,
                               escalation=Escalation(level=2, due_at=due), now=now),
                       ticket_id=ticket.pk, audit_action="ticket.escalate", error=InvalidInput,
            code="level_deadline_past")


# --- found while building the matrix ---------------------------------------------------------

def test_a_returned_ticket_goes_back_to_its_level1_team(
        people: People, build: Callable[[str, int], Ticket]) -> None:
    """Returned to L1, the ticket must leave the L2 team's queue (or L1 never sees it)."""
    ticket = build("open", 1)
    level1, level2 = _team("Echipa L1", 1), _team("Echipa L2", 2)
    ticket_update(access=people["L1"], ticket_id=ticket.pk,
                  changes={"queue_id": level1.queues.get().pk})
    ticket_transition(access=people["L1"], ticket_id=ticket.pk, action="escalate",
                      reason=REASON, escalation=Escalation(level=2, team_id=level2.pk))
    returned = ticket_transition(access=people["L2"], ticket_id=ticket.pk, action="return",
                                 reason="Răspunsul nivelului 2")
    assert (returned.level, returned.team_id) == (1, level1.pk)
    assert returned.queue_id == level1.queues.get().pk


@pytest.mark.parametrize(("role", "level"), [("L1", 2), ("L2", 3)])
def test_a_data_update_needs_the_tickets_level(
        role: str, level: int, people: People, build: Callable[[str, int], Ticket]) -> None:
    """Every other write checks the level (transition, reply, assign, correction); an update
    of an L2/L3 ticket by a lower level must be refused the same way."""
    ticket = build("escalated", level)
    assert_refused(lambda: ticket_update(access=people[role], ticket_id=ticket.pk,
                                         changes={"impact": 1, "title": "Schimbat"}),
                   ticket_id=ticket.pk, audit_action="ticket.update", error=AccessDenied,
                   code="level_not_allowed")


def test_a_data_update_needs_the_right_to_work_tickets(
        access_as: Callable[[str], TicketAccess], build: Callable[[str, int], Ticket]) -> None:
    ticket = build("open", 1)
    auditor = access_as(TenantRole.AUDITOR)
    assert_refused(lambda: ticket_update(access=auditor, ticket_id=ticket.pk,
                                         changes={"title": "Schimbat de auditor"}),
                   ticket_id=ticket.pk, audit_action="ticket.update", error=AccessDenied,
                   code="permission_denied")
