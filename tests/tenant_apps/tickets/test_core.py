"""Registration, the state machine, the journal and the as-of view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from sgsc.platform.errors import AccessDenied, Conflict, InvalidInput
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket, TicketCounter
from sgsc.tenant_apps.tickets.selectors import ticket_as_of
from sgsc.tenant_apps.tickets.services import (
    Escalation,
    journal_correct,
    ticket_deadline_set,
    ticket_reply,
    ticket_transition,
    ticket_update,
)
from tests.tenant_apps.tickets.conftest import VALID_IDNP

pytestmark = pytest.mark.django_db


def test_registration_numbers_without_gaps_and_recognises_the_requester(access_as, new_ticket):
    operator = access_as(TenantRole.L1_OPERATOR)
    first = new_ticket(operator, requester=Requester(name="Ion", idnp=VALID_IDNP))
    second = new_ticket(operator, requester=Requester(idnp=VALID_IDNP, email="ion@example.md"))
    year = timezone.localdate().year
    assert first.number == f"PROVA-{year}-000001"
    assert second.number == f"PROVA-{year}-000002"
    assert second.contact_id == first.contact_id
    second.contact.refresh_from_db()
    assert second.contact.email == "ion@example.md"
    assert first.status == Ticket.Status.NEW and first.priority.code == "p3"
    assert first.resolution_due_at is not None and first.response_due_at is not None
    assert list(first.journal.values_list("kind", flat=True)) == ["created"]


def test_a_refused_registration_gives_its_number_back(access_as, new_ticket):
    operator = access_as(TenantRole.L1_OPERATOR)
    with pytest.raises(InvalidInput) as refused:
        new_ticket(operator, service_id=999999)
    assert refused.value.code == "unknown_service"
    with pytest.raises(InvalidInput) as refused:
        new_ticket(operator, requester=Requester(idnp="123"))
    assert refused.value.code == "invalid_idnp"
    assert not TicketCounter.objects.exists()
    assert AuditEvent.objects.filter(action="ticket.create",
                                     outcome=AuditEvent.Outcome.FAILURE).count() == 2
    ticket = new_ticket(operator)
    assert ticket.sequence == 1


def test_escalation_to_l2_and_resolution_with_levels_enforced(access_as, new_ticket):
    operator = access_as(TenantRole.L1_OPERATOR)
    specialist = access_as(TenantRole.L2_SPECIALIST)
    ticket = new_ticket(operator)
    ticket_transition(access=operator, ticket_id=ticket.pk, action="take")
    ticket = ticket_transition(access=operator, ticket_id=ticket.pk, action="escalate",
                               reason="Necesită verificare în registru",
                               escalation=Escalation(level=2))
    assert (ticket.status, ticket.level) == ("escalated", 2)
    assert ticket.level_due_at == ticket.resolution_due_at
    with pytest.raises(AccessDenied) as refused:
        ticket_transition(access=operator, ticket_id=ticket.pk, action="resolve", reason="x")
    assert refused.value.code == "level_not_allowed"
    ticket = ticket_transition(access=specialist, ticket_id=ticket.pk, action="resolve",
                               reason="Datele au fost corectate")
    assert ticket.status == "resolved" and ticket.sla_running_since is None
    with pytest.raises(Conflict) as refused:
        ticket_transition(access=specialist, ticket_id=ticket.pk, action="escalate",
                          reason="x")
    assert refused.value.code == "invalid_transition"
    kinds = list(ticket.journal.order_by("seq").values_list("kind", flat=True))
    assert kinds == ["created", "status", "escalated", "status"]


def test_waiting_pauses_the_clock_and_resuming_moves_the_deadline(access_as, new_ticket):
    operator = access_as(TenantRole.L1_OPERATOR)
    ticket = new_ticket(operator)
    start = ticket.created_at
    ticket = ticket_transition(access=operator, ticket_id=ticket.pk, action="wait",
                               reason="Așteptăm copia actului", now=start)
    assert ticket.sla_running_since is None and ticket.resolution_due_at is None
    later = start + timedelta(days=7)
    ticket = ticket_transition(access=operator, ticket_id=ticket.pk, action="resume", now=later)
    assert ticket.resolution_due_at is not None and ticket.resolution_due_at > later


def test_the_journal_refuses_update_and_delete_in_postgresql(access_as, new_ticket):
    ticket = new_ticket(access_as(TenantRole.L1_OPERATOR))
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of the inserts above would block TRUNCATE on their own.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for statement in ("UPDATE tickets_journalentry SET body = 'x'",
                      "DELETE FROM tickets_journalentry",
                      "TRUNCATE tickets_journalentry, tickets_attachment"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(statement)
    assert JournalEntry.objects.filter(ticket=ticket).count() == 1


def test_as_of_view_and_correction(access_as, new_ticket):
    operator = access_as(TenantRole.L1_OPERATOR)
    ticket = new_ticket(operator, title="Titlu greșit")
    created = ticket.created_at
    t1 = created + timedelta(minutes=5)
    ticket_update(access=operator, ticket_id=ticket.pk, changes={"impact": 1, "urgency": 1},
                  now=t1)
    t2 = created + timedelta(minutes=10)
    journal_correct(access=operator, ticket_id=ticket.pk, entry_seq=1,
                    changes={"title": "Titlu corect"}, reason="Greșeală de tastare", now=t2)
    ticket.refresh_from_db()
    assert ticket.title == "Titlu corect" and ticket.priority.code == "p1"
    before = ticket_as_of(ticket=ticket, moment=created + timedelta(minutes=1))
    assert before["title"] == "Titlu greșit" and before["impact"] == 2
    assert ticket_as_of(ticket=ticket, moment=t1)["impact"] == 1
    assert ticket_as_of(ticket=ticket, moment=t2)["title"] == "Titlu corect"
    assert ticket_as_of(ticket=ticket, moment=created - timedelta(seconds=1)) == {}
    first = ticket.journal.get(seq=1)
    assert first.annulled_by.get().kind == "correction"
    with pytest.raises(Conflict) as refused:
        journal_correct(access=operator, ticket_id=ticket.pk, entry_seq=1,
                        changes={"title": "Altul"}, reason="x")
    assert refused.value.code == "entry_already_corrected"


def test_deadline_edit_needs_the_supervisor(access_as, new_ticket):
    operator = access_as(TenantRole.L1_OPERATOR)
    supervisor = access_as(TenantRole.SUPERVISOR)
    ticket = new_ticket(operator)
    due = timezone.now() + timedelta(days=30)
    with pytest.raises(AccessDenied) as refused:
        ticket_deadline_set(access=operator, ticket_id=ticket.pk, due_at=due, reason="x")
    assert refused.value.code == "deadline_edit_denied"
    ticket = ticket_deadline_set(access=supervisor, ticket_id=ticket.pk, due_at=due,
                                 reason="Acord cu solicitantul")
    assert ticket.resolution_due_at == due and ticket.deadline_fixed
    ticket = ticket_update(access=operator, ticket_id=ticket.pk, changes={"impact": 1})
    assert ticket.resolution_due_at == due


def test_first_public_reply_meets_the_response_target(access_as, new_ticket):
    operator = access_as(TenantRole.L1_OPERATOR)
    ticket = new_ticket(operator)
    ticket_reply(access=operator, ticket_id=ticket.pk, body="Notă", public=False)
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None and ticket.status == "open"
    ticket_reply(access=operator, ticket_id=ticket.pk, body="Bună ziua", public=True)
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
