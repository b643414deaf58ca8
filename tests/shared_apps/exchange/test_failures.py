"""A target that cannot take the ticket, and tasks handed exchanges that are not theirs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.platform.errors import Conflict, NotFound
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.exchange import tasks
from sgsc.shared_apps.exchange.models import Exchange, ExchangeEvent
from sgsc.shared_apps.exchange.tasks import deliver, relay_answers
from sgsc.tenant_apps.catalog.models import Priority, PriorityRule
from sgsc.tenant_apps.tickets.models import Ticket, TicketCounter
from sgsc.tenants.models import Tenant
from tests.shared_apps.exchange.conftest import Handover, at_level2, escalate_to_b

pytestmark = pytest.mark.django_db


def _status(tenant: Tenant, status: str) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(status=status)


def test_escalation_to_a_tenant_that_is_not_active_is_refused_and_nothing_is_stored(
        handover: Handover) -> None:
    h = handover
    ticket = at_level2(h)
    _status(h.b, Tenant.Status.SUSPENDED)
    with pytest.raises(Conflict) as refused:
        escalate_to_b(h, ticket)
    assert refused.value.code == "exchange_target_unavailable"
    assert not Exchange.objects.exists()
    with schema_context(h.a.schema_name):
        ticket.refresh_from_db()
        assert (ticket.level, ticket.team_id, ticket.journal_length) == (2, h.l2_team.pk, 2)
    refusal = AuditEvent.objects.get(action="ticket.escalate",
                                     outcome=AuditEvent.Outcome.FAILURE)
    assert refusal.details["code"] == "exchange_target_unavailable"


def test_a_target_suspended_before_delivery_fails_the_exchange_and_l2_gets_it_back(
        handover: Handover) -> None:
    h = handover
    ticket, exchange = escalate_to_b(h, at_level2(h))
    _status(h.b, Tenant.Status.TERMINATED)
    with schema_context(h.a.schema_name):
        assert deliver(exchange_id=str(exchange.pk)) == ""
        source = Ticket.objects.get(pk=ticket.pk)
        last = source.journal.order_by("seq").last()
    with schema_context(h.b.schema_name):
        assert not Ticket.objects.exists()
    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.FAILED
    assert exchange.failure_reason == "prestatorul nu este activ (Încetat)"
    assert [e.action for e in exchange.events.all()] == [ExchangeEvent.Action.REQUESTED,
                                                         ExchangeEvent.Action.FAILED]
    # Still escalated, at level 2 with the team that sent it, the deadline untouched.
    assert (source.status, source.level, source.team_id) == ("escalated", 2, h.l2_team.pk)
    assert source.level_due_at == ticket.level_due_at
    assert last is not None and last.reason == (
        "Transmiterea către Prestatorul B de test a eșuat: prestatorul nu este activ (Încetat)")
    assert AuditEvent.objects.filter(chain=h.a.schema_name, action="exchange.deliver",
                                     outcome=AuditEvent.Outcome.FAILURE).count() == 1


def test_a_target_that_cannot_register_leaves_nothing_half_written_there(
        handover: Handover) -> None:
    h = handover
    _ticket, exchange = escalate_to_b(h, at_level2(h))
    with schema_context(h.b.schema_name):
        PriorityRule.objects.all().delete()
        Priority.objects.all().delete()
    with schema_context(h.a.schema_name):
        assert deliver(exchange_id=str(exchange.pk)) == ""
    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.FAILED
    assert exchange.failure_reason == "Prestatorul nu are priorități configurate."
    with schema_context(h.b.schema_name):
        assert not Ticket.objects.exists() and not TicketCounter.objects.exists()
    assert not AuditEvent.objects.filter(chain=h.b.schema_name, action="ticket.receive").exists()


@pytest.mark.parametrize("schema_of", ["b", "hub"])
def test_delivery_runs_only_in_the_source_tenants_schema(handover: Handover,
                                                         schema_of: str) -> None:
    h = handover
    _ticket, exchange = escalate_to_b(h, at_level2(h))
    elsewhere = h.b if schema_of == "b" else h.hub
    with schema_context(elsewhere.schema_name), pytest.raises(NotFound) as refused:
        deliver(exchange_id=str(exchange.pk))
    assert refused.value.code == "exchange_not_found"
    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.REQUESTED
    with schema_context(h.b.schema_name):
        assert not Ticket.objects.exists()


def test_answers_are_relayed_only_from_the_target_tenants_schema(handover: Handover) -> None:
    h = handover
    _ticket, exchange = escalate_to_b(h, at_level2(h))
    with schema_context(h.a.schema_name):
        deliver(exchange_id=str(exchange.pk))
    for schema in (h.a.schema_name, h.hub.schema_name, "public"):
        with schema_context(schema), pytest.raises(NotFound):
            relay_answers(exchange_id=str(exchange.pk))
    with schema_context(h.a.schema_name), pytest.raises(NotFound):
        deliver(exchange_id="not-a-uuid")


def test_a_lost_delivery_is_sent_again_from_the_source_and_delivered_once(
        handover: Handover, monkeypatch: pytest.MonkeyPatch) -> None:
    h = handover
    _ticket, exchange = escalate_to_b(h, at_level2(h))  # its delivery task never ran
    sent: list[tuple[str, str, dict]] = []
    monkeypatch.setattr(tasks.app, "send_task", lambda name, kwargs: sent.append(
        (name, connection.schema_name, kwargs)))
    assert tasks.resend_stalled() == 0  # requested just now: its task may still come
    Exchange.objects.filter(pk=exchange.pk).update(
        updated_at=timezone.now() - tasks.STALLED_AFTER - timedelta(seconds=1))
    assert tasks.resend_stalled() == 1
    assert sent == [("exchange.deliver", h.a.schema_name, {"exchange_id": str(exchange.pk)})]
    with schema_context(h.a.schema_name):
        number = deliver(exchange_id=str(exchange.pk))
        assert number and deliver(exchange_id=str(exchange.pk)) == ""  # a second run: nothing
    with schema_context(h.b.schema_name):
        assert Ticket.objects.count() == 1
    sent.clear()
    assert tasks.resend_stalled() == 0 and sent == []
    assert tasks.app.conf.beat_schedule["exchange-resend-stalled"]["task"] == \
        "exchange.resend_stalled"
