"""prov-a's L2 escalates to prov-b's L3 and back: delivery, answers, deadlines, the trace."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from celery import Celery
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.exchange.models import Exchange, ExchangeEvent
from sgsc.shared_apps.exchange.services import Answer, exchange_payload, payload_digest
from sgsc.shared_apps.exchange.tasks import deliver, relay_answers
from sgsc.tenant_apps.tickets.models import Contact, JournalEntry, Ticket
from sgsc.tenant_apps.tickets.services import ticket_reply, ticket_transition
from tests.shared_apps.exchange.conftest import Handover, at_level2, escalate_to_b
from tests.tenant_apps.tickets.conftest import VALID_IDNP

pytestmark = pytest.mark.django_db

A = ExchangeEvent.Action


def _sent(callbacks: list[Any]) -> list[tuple[str, dict[str, Any], str]]:
    """Run the on-commit callbacks; what they sent to the broker (name, kwargs, schema)."""
    with mock.patch.object(Celery, "send_task") as send:
        for callback in callbacks:
            callback()
    return [(call.args[0], call.kwargs["kwargs"], call.kwargs["headers"]["_schema_name"])
            for call in send.call_args_list]


def test_round_trip_from_l2_to_another_tenants_l3_and_back(
        handover: Handover, django_capture_on_commit_callbacks: Any) -> None:
    h = handover
    ticket = at_level2(h)
    with django_capture_on_commit_callbacks() as callbacks:
        ticket, exchange = escalate_to_b(h, ticket)
    deadlines = (ticket.level_due_at, ticket.resolution_due_at, ticket.response_due_at)
    assert ticket.level_due_at is not None and ticket.level_due_at == ticket.resolution_due_at
    assert (ticket.status, ticket.level, ticket.team_id) == ("escalated", 3, h.external.pk)
    assert exchange.status == Exchange.Status.REQUESTED
    assert exchange.level_due_at == ticket.level_due_at
    # The delivery is queued after the commit, from prov-a's schema, with the exchange's id.
    assert _sent(callbacks) == [("exchange.deliver", {"exchange_id": str(exchange.pk)},
                                 h.a.schema_name)]
    # Minimised: what L3 needs, never the requester's IDNP, e-mail or phone.
    payload = exchange_payload(exchange)
    assert exchange.payload_sha256 == payload_digest(payload)
    sent = repr(payload)
    assert VALID_IDNP not in sent and "ion.popescu" not in sent and "69123456" not in sent
    assert payload["requester"] == {"kind": "citizen", "name": "Ion Popescu", "idno": ""}

    with schema_context(h.a.schema_name):
        number = deliver(exchange_id=str(exchange.pk))
        assert deliver(exchange_id=str(exchange.pk)) == ""  # idempotent: run twice, one ticket
        source_journal = list(Ticket.objects.get(pk=ticket.pk).journal.order_by("seq"))
    assert source_journal[-1].reason == (
        f"Transmisă nivelului 3 (Prestatorul B de test): solicitarea nr. {number}")
    assert source_journal[-1].actor_id is None
    exchange.refresh_from_db()
    assert (exchange.status, exchange.target_ticket_number) == ("delivered", number)

    with schema_context(h.b.schema_name):
        received = Ticket.objects.get(number=number)
        assert Ticket.objects.filter(subject__startswith="Primită de la").count() == 1
        assert received.subject == "Primită de la Prestatorul A de test"
        assert (received.status, received.level, received.team_id) == ("escalated", 3,
                                                                       h.l3_team_b.pk)
        # The originating level's deadline, fixed; round robin gave it to the L3 on shift.
        assert received.deadline_fixed and received.resolution_due_at == deadlines[0]
        assert received.level_due_at == deadlines[0]
        assert received.assignee_id == h.l3_b.user.pk
        contact = Contact.objects.get(pk=received.contact_id)
        assert (contact.name, contact.idnp, contact.email, contact.phone) == (
            "Ion Popescu", "", "", "")
        journal = list(received.journal.order_by("seq"))
        assert journal[0].reason == f"Primită de la Prestatorul A de test, solicitarea nr. " \
                                    f"{ticket.number}"
        assert journal[1].body == "Eroare în sistemul informațional al B"
        assert all(entry.actor_id is None for entry in journal)

        # prov-b's L3 answers publicly: relayed after the commit, from prov-b's schema.
        with django_capture_on_commit_callbacks() as callbacks:
            ticket_reply(access=h.l3_b, ticket_id=received.pk, public=True,
                         body="Am corectat înregistrarea; încercați din nou.")
        assert _sent(callbacks) == [("exchange.relay_answers",
                                     {"exchange_id": str(exchange.pk)}, h.b.schema_name)]
        ticket_reply(access=h.l3_b, ticket_id=received.pk, public=False,
                     body="Notă internă a B: tabela X reindexată.")
        assert relay_answers(exchange_id=str(exchange.pk)) == 1
        assert relay_answers(exchange_id=str(exchange.pk)) == 0
        exchange.refresh_from_db()
        assert exchange.status == Exchange.Status.ANSWERED

        ticket_transition(access=h.l3_b, ticket_id=received.pk, action="resolve",
                          reason="Înregistrarea a fost corectată în registru.")
        assert relay_answers(exchange_id=str(exchange.pk)) == 1
        reply_entry = received.journal.get(kind=JournalEntry.Kind.REPLY)

    with schema_context(h.a.schema_name):
        source = Ticket.objects.get(pk=ticket.pk)
        entries = list(source.journal.order_by("seq"))
    # The source keeps its deadlines; the L3's answers are in its journal, internal notes of
    # prov-b are not; with the resolution the ticket is back with the L2 team that sent it.
    assert (source.level_due_at, source.resolution_due_at, source.response_due_at) == deadlines
    assert (source.status, source.level, source.team_id, source.queue_id) == (
        "escalated", 2, h.l2_team.pk, h.l2_queue.pk)
    answered, resolved = entries[-2], entries[-1]
    assert answered.reason == "Răspuns de la nivelul 3 (Prestatorul B de test)"
    assert answered.body == "Am corectat înregistrarea; încercați din nou."
    assert answered.visibility == JournalEntry.Visibility.INTERNAL and answered.changes == {}
    assert resolved.reason == "Soluționată de nivelul 3 (Prestatorul B de test)"
    assert resolved.body == "Înregistrarea a fost corectată în registru."
    assert resolved.changes["level"] == [3, 2]
    assert not any("reindexată" in entry.body for entry in entries)

    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.RESOLVED
    events = list(exchange.events.all())
    assert [(e.action, e.direction) for e in events] == [
        (A.REQUESTED, "to_target"), (A.DELIVERED, "to_target"), (A.REPLY, "to_source"),
        (A.RESOLVED, "to_source")]
    assert events[0].actor_id == h.l2.user.pk and events[1].actor_label == "schimb de date"
    assert events[2].actor_id == h.l3_b.user.pk
    # Each hash proves what crossed: the request's payload, the answer as relayed.
    assert events[0].payload_sha256 == events[1].payload_sha256 == exchange.payload_sha256
    answer = Answer(action=A.REPLY, text=reply_entry.body, at=reply_entry.at,
                    seq=reply_entry.seq, actor_id=h.l3_b.user.pk, actor_label="")
    assert events[2].payload_sha256 == payload_digest(answer.payload(exchange))

    # On both tenants' audit chains.
    for tenant in (h.a, h.b):
        actions = set(AuditEvent.objects.filter(chain=tenant.schema_name,
                                                object_id=str(exchange.pk))
                      .values_list("action", flat=True))
        assert {"exchange.deliver", "exchange.answer"} <= actions
    assert AuditEvent.objects.filter(chain=h.b.schema_name, action="ticket.receive",
                                     actor_label="schimb de date").count() == 1


def test_a_return_by_the_target_gives_the_ticket_back_to_the_source_l2(
        handover: Handover) -> None:
    h = handover
    ticket, exchange = escalate_to_b(h, at_level2(h))
    with schema_context(h.a.schema_name):
        number = deliver(exchange_id=str(exchange.pk))
    with schema_context(h.b.schema_name):
        received = Ticket.objects.get(number=number)
        ticket_transition(access=h.l3_b, ticket_id=received.pk, action="return",
                          reason="Nu ține de sistemul nostru.")
        assert relay_answers(exchange_id=str(exchange.pk)) == 1
    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.RETURNED
    with schema_context(h.a.schema_name):
        source = Ticket.objects.get(pk=ticket.pk)
        last = source.journal.order_by("seq").last()
        assert last is not None
        assert (source.level, source.team_id, source.level_due_at) == (
            2, h.l2_team.pk, ticket.level_due_at)
        assert last.reason == "Returnată de nivelul 3 (Prestatorul B de test)"
        assert last.body == "Nu ține de sistemul nostru."
        # Back at L2, the ticket can go to prov-b again: a new exchange.
        _ticket, again = escalate_to_b(h, source)
    assert again.pk != exchange.pk and again.status == Exchange.Status.REQUESTED


def test_the_trace_is_append_only(handover: Handover) -> None:
    h = handover
    _ticket, exchange = escalate_to_b(h, at_level2(h))
    assert exchange.events.count() == 1
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of the inserts above would block TRUNCATE on their own.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for statement in ("UPDATE exchange_exchangeevent SET summary = 'x'",
                      "DELETE FROM exchange_exchangeevent",
                      "TRUNCATE exchange_exchangeevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(statement)
    assert exchange.events.get().summary.startswith("Escaladare la nivelul 3 către")


def test_a_company_is_sent_with_its_idno_and_a_contact_only_requester_by_provenance(
        handover: Handover) -> None:
    from sgsc.tenant_apps.tickets.contacts import Requester
    from tests.factories import _valid_idno

    h = handover
    company_idno = _valid_idno(4242)
    _t, company = escalate_to_b(h, at_level2(h, requester=Requester(
        name="SRL Exemplu", idno=company_idno, email="office@exemplu.md")))
    _t, anonymous = escalate_to_b(h, at_level2(h, requester=Requester(phone="069000111")))
    assert (company.requester_kind, company.requester_idno) == ("company", company_idno)
    assert (anonymous.requester_kind, anonymous.requester_name) == ("other", "")
    with schema_context(h.a.schema_name):
        numbers = [deliver(exchange_id=str(company.pk)), deliver(exchange_id=str(anonymous.pk))]
    with schema_context(h.b.schema_name):
        contacts = [Ticket.objects.select_related("contact").get(number=number).contact
                    for number in numbers]
    assert (contacts[0].idno, contacts[0].email) == (company_idno, "")
    assert (contacts[1].name, contacts[1].phone) == (
        "Solicitant al prestatorului Prestatorul A de test", "")
