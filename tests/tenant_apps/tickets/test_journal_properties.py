"""The journal over random stories (invariant 2; R4 §17, §23-24): whatever updates, replies,
transitions and corrections a ticket goes through, replaying its journal up to any moment
gives the ticket exactly as it was then, and the entries are numbered and dated in order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.tickets import journal
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.lifecycle import Action
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket
from sgsc.tenant_apps.tickets.selectors import ticket_as_of
from sgsc.tenant_apps.tickets.services import (
    Escalation,
    TicketInput,
    journal_correct,
    ticket_create,
    ticket_deadline_set,
    ticket_reply,
    ticket_transition,
    ticket_update,
)

pytestmark = pytest.mark.django_db

CHISINAU = ZoneInfo("Europe/Chisinau")
# A Monday morning; the steps come a few minutes apart, inside working hours.
START = datetime(2026, 3, 9, 9, 0, tzinfo=CHISINAU)
STEP = timedelta(minutes=7)
DATA_FIELDS = ("title", "description", "impact", "urgency")

# A step: ("update", field, n), ("reply", public), ("move", action), ("correct", seq, field, n).
Step = tuple[Any, ...]
STEPS = st.lists(st.one_of(
    st.tuples(st.just("update"), st.sampled_from(DATA_FIELDS), st.integers(1, 3)),
    st.tuples(st.just("reply"), st.booleans()),
    st.tuples(st.just("move"), st.sampled_from([action.value for action in Action])),
    st.tuples(st.just("correct"), st.integers(1, 10), st.sampled_from(DATA_FIELDS),
              st.integers(1, 3)),
), min_size=1, max_size=7)


class _Undo(Exception):
    """Rolls one example's story back."""


def _value(field: str, n: int, index: int) -> Any:
    return n if field in ("impact", "urgency") else f"{field} {n} (pasul {index})"


def _apply(access: TicketAccess, ticket_id: int, index: int, step: Step,
           now: datetime) -> None:
    """One step; a refusal is part of the story (it must leave no trace in the journal)."""
    kind = step[0]
    try:
        if kind == "update":
            ticket_update(access=access, ticket_id=ticket_id,
                          changes={step[1]: _value(step[1], step[2], index)}, now=now)
        elif kind == "reply":
            ticket_reply(access=access, ticket_id=ticket_id, body=f"Mesaj {index}",
                         public=step[1], now=now)
        elif kind == "move":
            ticket_transition(access=access, ticket_id=ticket_id, action=step[1],
                              reason=f"Motiv {index}", now=now)
        else:
            length = Ticket.objects.get(pk=ticket_id).journal_length
            journal_correct(access=access, ticket_id=ticket_id,
                            entry_seq=1 + (step[1] - 1) % length,
                            changes={step[2]: _value(step[2], step[3], index)},
                            reason=f"Corectare {index}", now=now)
    except ApplicationError:
        pass


def tell(access: TicketAccess, steps: list[Step]) -> None:
    """Register a ticket, run the story, then check the journal against what was seen."""
    ticket = ticket_create(access=access, now=START, data=TicketInput(
        channel="email", title="Titlul inițial", description="Descrierea inițială",
        requester=Requester(name="Ion", email="ion@example.md")))
    seen = [(START, journal.snapshot(Ticket.objects.get(pk=ticket.pk)))]
    for index, step in enumerate(steps, start=1):
        now = START + index * STEP
        _apply(access, ticket.pk, index, step, now)
        seen.append((now, journal.snapshot(Ticket.objects.get(pk=ticket.pk))))
    ticket.refresh_from_db()
    for index, (moment, recorded) in enumerate(seen):
        assert ticket_as_of(ticket=ticket, moment=moment) == recorded, (index, steps)
    assert ticket_as_of(ticket=ticket, moment=None) == journal.snapshot(ticket), steps
    assert ticket_as_of(ticket=ticket, moment=START - timedelta(seconds=1)) == {}
    entries = list(ticket.journal.order_by("seq").values_list("seq", "at"))
    assert [seq for seq, _at in entries] == list(range(1, len(entries) + 1))
    assert len(entries) == ticket.journal_length
    assert all(earlier <= later for (_s, earlier), (_t, later) in pairwise(entries))


@pytest.fixture
def supervisor(access_as: Callable[[str], TicketAccess]) -> TicketAccess:
    return access_as(TenantRole.SUPERVISOR)


@settings(max_examples=20, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
# A correction whose derived values (the priority, the deadlines) a later entry had set too.
@example(steps=[("update", "urgency", 1), ("correct", 1, "impact", 1)])
@example(steps=[("move", "wait"), ("move", "resume"), ("correct", 1, "urgency", 1)])
# Corrections of an entry's data, then more changes after them.
@example(steps=[("update", "title", 2), ("correct", 2, "title", 3), ("move", "take"),
                ("update", "description", 1), ("reply", True)])
@example(steps=[("move", "escalate"), ("move", "return"), ("correct", 1, "title", 1),
                ("move", "resolve"), ("move", "reopen"), ("update", "impact", 3)])
def test_the_journal_replays_every_moment_as_it_was(supervisor: TicketAccess,
                                                    steps: list[Step]) -> None:
    try:
        with transaction.atomic():
            tell(supervisor, steps)
            raise _Undo
    except _Undo:
        pass


def test_moments_are_kept_in_the_journal_as_the_ticket_keeps_them(
        supervisor: TicketAccess) -> None:
    """A deadline given in local time is the same moment in the journal and in the ticket:
    the replay must equal the ticket (and a repeated value must not be a change)."""
    ticket = ticket_create(access=supervisor, now=START, data=TicketInput(
        channel="phone", title="Termen", requester=Requester(name="Ion", phone="069123456")))
    due = datetime(2026, 3, 10, 15, 0, tzinfo=CHISINAU)
    ticket_transition(access=supervisor, ticket_id=ticket.pk, action="escalate",
                      reason="Nivelul 2", escalation=Escalation(level=2, due_at=due),
                      now=START + STEP)
    ticket_deadline_set(access=supervisor, ticket_id=ticket.pk, due_at=due, reason="Acord",
                        now=START + 2 * STEP)
    ticket_deadline_set(access=supervisor, ticket_id=ticket.pk, due_at=due,
                        reason="Același termen", now=START + 3 * STEP)
    ticket.refresh_from_db()
    assert ticket_as_of(ticket=ticket, moment=None) == journal.snapshot(ticket)
    last = ticket.journal.order_by("-seq").first()
    assert last is not None and last.kind == JournalEntry.Kind.SLA
    assert "resolution_due_at" not in last.changes
