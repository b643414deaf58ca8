"""The lifecycle's system steps: resolved tickets close by themselves after the tenant's period,
closed ones are archived after theirs; each with a journal entry without actor and an audit
event of the system; idempotent; a backlog drains in one run."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.tenant_apps.sla.tasks import housekeeping
from sgsc.tenant_apps.tickets.housekeeping import Housekeeping, tickets_housekeep
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket, TicketSettings
from sgsc.tenant_apps.tickets.selectors import ticket_as_of
from sgsc.tenant_apps.tickets.services import ticket_transition
from tests.tenant_apps.notifications import fixtures
from tests.tenant_apps.notifications.fixtures import Crew, ticket_at

# The fixtures of prov-a's people (their conftest is in another folder).
crew = fixtures.crew

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Chisinau"))
DAY = timedelta(days=1)
S = Ticket.Status


def resolved(crew: Crew, when: datetime) -> Ticket:
    ticket = ticket_at(crew.operator, when)
    return ticket_transition(access=crew.operator, ticket_id=ticket.pk, action="resolve",
                             reason="Certificatul a fost reemis", now=when)


def test_a_resolved_ticket_closes_after_the_tenants_period(crew: Crew) -> None:
    TicketSettings.objects.update_or_create(pk=TicketSettings.SINGLETON_ID,
                                            defaults={"number_prefix": "PROVA",
                                                      "close_after_days": 5})
    old, recent = resolved(crew, T0), resolved(crew, T0 + 2 * DAY)
    now = T0 + 5 * DAY + timedelta(minutes=1)
    assert tickets_housekeep(tenant=crew.tenant, now=now) == Housekeeping(closed=(old.pk,),
                                                                          archived=())
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.closed_at, old.updated_at) == (S.CLOSED, now, now)
    assert recent.status == S.RESOLVED
    entry = old.journal.order_by("seq").last()
    assert entry is not None and old.journal_length == entry.seq
    assert (entry.kind, entry.actor, entry.actor_label, entry.reason, entry.changes) == (
        JournalEntry.Kind.STATUS, None, "", "Închidere automată",
        {"status": [S.RESOLVED, S.CLOSED]})
    assert ticket_as_of(ticket=old, moment=None)["status"] == S.CLOSED
    event = AuditEvent.objects.get(action="ticket.close", object_id=str(old.pk))
    assert (event.actor_id, event.actor_label, event.chain) == (None, "sistem",
                                                                crew.tenant.schema_name)
    assert event.details == {"from": "resolved", "to": "closed", "automatic": True}
    # Nothing left to do: the second run changes nothing.
    assert tickets_housekeep(tenant=crew.tenant, now=now) == Housekeeping(closed=(),
                                                                          archived=())
    assert old.journal.count() == entry.seq


def test_a_closed_ticket_is_archived_after_the_tenants_period(crew: Crew) -> None:
    ticket = resolved(crew, T0)
    # The defaults until the tenant saves its settings: 5 days to close, 90 to archive.
    closed_at = T0 + 5 * DAY
    assert tickets_housekeep(tenant=crew.tenant, now=closed_at).closed == (ticket.pk,)
    assert tickets_housekeep(tenant=crew.tenant,
                             now=closed_at + 90 * DAY - timedelta(seconds=1)).archived == ()
    run = tickets_housekeep(tenant=crew.tenant, now=closed_at + 90 * DAY)
    assert run == Housekeeping(closed=(), archived=(ticket.pk,))
    ticket.refresh_from_db()
    assert (ticket.status, ticket.archived_at) == (S.ARCHIVED, closed_at + 90 * DAY)
    kinds = list(ticket.journal.order_by("seq").values_list("reason", flat=True))
    assert kinds[-2:] == ["Închidere automată", "Arhivare automată"]


def test_a_reopened_ticket_is_left_alone(crew: Crew) -> None:
    ticket = resolved(crew, T0)
    ticket_transition(access=crew.operator, ticket_id=ticket.pk, action="reopen",
                      reason="Solicitantul revine", now=T0 + DAY)
    assert tickets_housekeep(tenant=crew.tenant, now=T0 + 30 * DAY).closed == ()


def test_a_backlog_drains_in_one_run(crew: Crew) -> None:
    tickets = [resolved(crew, T0 + minutes * timedelta(minutes=1)) for minutes in range(3)]
    run = tickets_housekeep(tenant=crew.tenant, now=T0 + 10 * DAY, batch=2)
    assert run.closed == tuple(ticket.pk for ticket in tickets)  # oldest first


def test_the_task_runs_in_an_active_tenant_only(crew: Crew) -> None:
    with schema_context("public"):
        assert housekeeping.apply().get() == {}
    with schema_context(crew.tenant.schema_name):
        assert housekeeping.apply().get() == {"closed": 0, "archived": 0}
