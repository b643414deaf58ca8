"""Moving tickets between the institutions' teams: the confirmation step, the journal entry of
each move, the operator released, refusals per ticket and refusals of the whole request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sgsc.platform.errors import AccessDenied, InvalidInput
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.tenant_apps.catalog.models import Queue, Team
from sgsc.tenant_apps.hub.services import hub_tickets_move
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket
from sgsc.tenant_apps.tickets.services import Escalation, ticket_assign, ticket_transition
from sgsc.tenants.models import Tenant
from tests.tenant_apps.hub.conftest import HubWorld, local, ticket_new

pytestmark = pytest.mark.django_db


@pytest.fixture
def x_tickets(hub_world: HubWorld) -> list[Ticket]:
    """Three active tickets of X in X's queue; the first assigned to X's operator."""
    access = hub_world.access()
    tickets = [ticket_new(access, at=local(2, 9 + n), service=hub_world.service_x)
               for n in range(3)]
    ticket_assign(access=access, ticket_id=tickets[0].pk, assignee=hub_world.operator_x,
                  now=local(2, 12))
    return [Ticket.objects.get(pk=ticket.pk) for ticket in tickets]


def test_reassign_in_three_steps(hub_world: HubWorld, x_tickets: list[Ticket],
                                 client_for: Callable[[Tenant | None], Client]):
    client = client_for(hub_world.hub)
    client.force_login(hub_world.coordinator)
    source = f"/hub/redistribuire/?institutie={hub_world.x.pk}&coada={hub_world.queue_x.pk}"
    html = client.get(source).content.decode()
    assert all(ticket.number in html for ticket in x_tickets)
    move = {"all_unassigned": "on", "queue": hub_world.queue_y.pk,
            "reason": "Echipa X este supraîncărcată"}
    response = client.post(source, move)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirmați mutarea" in html and "Coada Y" in html
    # The confirmation freezes the two unassigned tickets; nothing has moved yet.
    assert html.count('name="tickets"') == 2
    assert not Ticket.objects.filter(queue=hub_world.queue_y).exists()
    frozen = [x_tickets[1].pk, x_tickets[2].pk]
    response = client.post(source, {"tickets": frozen, "queue": hub_world.queue_y.pk,
                                    "institution": "", "reason": move["reason"],
                                    "confirmare": "1"})
    assert response.status_code == 200
    assert "Au fost mutate 2 solicitări." in response.content.decode()
    moved = Ticket.objects.filter(pk__in=frozen)
    assert {(t.queue_id, t.team_id) for t in moved} == {(hub_world.queue_y.pk,
                                                         hub_world.team_y.pk)}
    entries = JournalEntry.objects.filter(ticket_id__in=frozen, kind="updated")
    assert entries.count() == 2
    assert all(entry.reason == move["reason"] and entry.actor_id == hub_world.coordinator.pk
               and "queue_id" in entry.changes for entry in entries)
    summary = AuditEvent.objects.get(action="hub.tickets.move",
                                     outcome=AuditEvent.Outcome.SUCCESS)
    assert sorted(summary.details["moved"]) == frozen
    assert AuditEvent.objects.filter(action="ticket.update", object_id__in=[
        str(pk) for pk in frozen]).count() == 2
    assert Ticket.objects.get(pk=x_tickets[0].pk).queue_id == hub_world.queue_x.pk


def test_an_operator_not_in_the_new_team_lets_the_ticket_go(hub_world: HubWorld,
                                                            x_tickets: list[Ticket]):
    result = hub_tickets_move(access=hub_world.access(), tenant=hub_world.hub,
                              ticket_ids=[x_tickets[0].pk], queue_id=hub_world.queue_y.pk,
                              reason="Echipa X este în concediu", now=local(3, 9))
    assert [t.pk for t in result.moved] == [x_tickets[0].pk] and not result.refused
    ticket = Ticket.objects.get(pk=x_tickets[0].pk)
    assert ticket.assignee_id is None and ticket.queue_id == hub_world.queue_y.pk
    kinds = list(ticket.journal.order_by("seq").values_list("kind", flat=True))
    assert kinds[-2:] == ["updated", "assigned"]


def test_a_misrouted_ticket_gets_its_institution(hub_world: HubWorld, x_tickets: list[Ticket]):
    ticket = x_tickets[1]
    result = hub_tickets_move(access=hub_world.access(), tenant=hub_world.hub,
                              ticket_ids=[ticket.pk, ticket.pk], institution_id=hub_world.y.pk,
                              queue_id=hub_world.queue_y.pk, reason="Ține de Biroul Y")
    assert len(result.moved) == 1
    ticket.refresh_from_db()
    assert (ticket.institution_id, ticket.queue_id) == (hub_world.y.pk, hub_world.queue_y.pk)
    entry = ticket.journal.filter(kind="updated").get()
    assert set(entry.changes) >= {"institution_id", "queue_id", "team_id"}
    # Moving it again changes nothing and writes nothing.
    again = hub_tickets_move(access=hub_world.access(), tenant=hub_world.hub,
                             ticket_ids=[ticket.pk], institution_id=hub_world.y.pk,
                             reason="Din nou")
    assert [t.pk for t in again.unchanged] == [ticket.pk] and not again.moved
    assert ticket.journal.filter(kind="updated").count() == 1


def test_refusals_are_per_ticket_and_audited(hub_world: HubWorld, x_tickets: list[Ticket]):
    access = hub_world.access()
    escalated = x_tickets[2]
    ticket_transition(access=access, ticket_id=escalated.pk, action="escalate",
                      reason="Necesită specialist", escalation=Escalation(level=2),
                      now=local(2, 14))
    closed = x_tickets[1]
    ticket_transition(access=access, ticket_id=closed.pk, action="resolve", reason="Gata",
                      now=local(2, 15))
    result = hub_tickets_move(access=access, tenant=hub_world.hub,
                              ticket_ids=[x_tickets[0].pk, escalated.pk, closed.pk, 99_999_999],
                              queue_id=hub_world.queue_y.pk, reason="Redistribuire")
    assert [t.pk for t in result.moved] == [x_tickets[0].pk]
    refused = {item.ticket_id: (item.number, item.code) for item in result.refused}
    assert refused == {escalated.pk: (escalated.number, "team_level_mismatch"),
                       closed.pk: (closed.number, "ticket_not_active"),
                       99_999_999: ("", "ticket_not_found")}
    failures = AuditEvent.objects.filter(action="hub.ticket.move",
                                         outcome=AuditEvent.Outcome.FAILURE)
    assert {(event.object_id, event.details["code"]) for event in failures} == {
        (str(escalated.pk), "team_level_mismatch"), (str(closed.pk), "ticket_not_active"),
        ("99999999", "ticket_not_found")}
    assert Ticket.objects.get(pk=escalated.pk).queue_id != hub_world.queue_y.pk


@pytest.mark.parametrize(("arguments", "code"), [
    ({"queue_id": None}, "move_target_required"),
    ({"reason": "  "}, "reason_required"),
    ({"ticket_ids": []}, "tickets_required"),
    ({"ticket_ids": list(range(1, 502))}, "too_many_tickets"),
    ({"queue_id": 99_999_999}, "unknown_queue"),
    ({"institution_id": 99_999_999}, "institution_not_in_hub"),
])
def test_a_bad_request_moves_nothing(hub_world: HubWorld, x_tickets: list[Ticket],
                                     arguments: dict, code: str):
    call = {"ticket_ids": [t.pk for t in x_tickets], "queue_id": hub_world.queue_y.pk,
            "reason": "Redistribuire", **arguments}
    with pytest.raises(InvalidInput) as refused:
        hub_tickets_move(access=hub_world.access(), tenant=hub_world.hub, **call)
    assert refused.value.code == code
    assert not Ticket.objects.filter(queue=hub_world.queue_y).exists()
    assert AuditEvent.objects.filter(action="hub.tickets.move", details__code=code,
                                     outcome=AuditEvent.Outcome.FAILURE).exists()


def test_only_a_coordinator_moves_and_not_to_an_external_team(hub_world: HubWorld,
                                                              x_tickets: list[Ticket]):
    operator = hub_world.access(hub_world.operator_x)
    with pytest.raises(AccessDenied):
        hub_tickets_move(access=operator, tenant=hub_world.hub, ticket_ids=[x_tickets[0].pk],
                         queue_id=hub_world.queue_y.pk, reason="x")
    external = Team.objects.create(name="STISC L3", level=3,
                                   external_tenant=Tenant.objects.get(slug="prov-b"))
    queue = Queue.objects.create(name="Coada STISC", team=external)
    with pytest.raises(InvalidInput) as refused:
        hub_tickets_move(access=hub_world.access(), tenant=hub_world.hub,
                         ticket_ids=[x_tickets[0].pk], queue_id=queue.pk, reason="x")
    assert refused.value.code == "unknown_queue"


def test_the_page_refuses_an_incomplete_move(hub_world: HubWorld, x_tickets: list[Ticket],
                                             client_for: Callable[[Tenant | None], Client]):
    client = client_for(hub_world.hub)
    client.force_login(hub_world.coordinator)
    source = f"/hub/redistribuire/?institutie={hub_world.x.pk}"
    response = client.post(source, {"tickets": [x_tickets[1].pk], "reason": "x"})
    assert response.status_code == 400
    assert "Alegeți coada sau instituția către care se mută." in response.content.decode()
    response = client.post(source, {"tickets": [x_tickets[1].pk], "queue": 99_999_999,
                                    "reason": "x"})
    assert response.status_code == 400
    assert "Coada aleasă nu există sau nu o puteți folosi." in response.content.decode()
    huge = str(2**63)  # no row has such an id: refused by the form, not by the database
    response = client.post(source, {"tickets": [huge], "queue": hub_world.queue_y.pk,
                                    "reason": "x"})
    assert response.status_code == 400
    assert client.get(f"/hub/redistribuire/?institutie={huge}").status_code == 200


def _limited(access: TicketAccess, *institution_ids: int) -> TicketAccess:
    return TicketAccess(user=access.user, capabilities=access.capabilities,
                        institution_scope=frozenset(institution_ids))


def test_a_person_limited_to_x_cannot_move_y_tickets(hub_world: HubWorld):
    y_ticket = ticket_new(hub_world.access(), at=local(2, 9), service=hub_world.service_y)
    limited = _limited(hub_world.access(), hub_world.x.pk)
    result = hub_tickets_move(access=limited, tenant=hub_world.hub, ticket_ids=[y_ticket.pk],
                              queue_id=hub_world.queue_x.pk, reason="x")
    assert [(item.number, item.code) for item in result.refused] == [("", "ticket_not_found")]
    with pytest.raises(InvalidInput) as refused:
        hub_tickets_move(access=limited, tenant=hub_world.hub, ticket_ids=[y_ticket.pk],
                         queue_id=hub_world.queue_y.pk, reason="x")
    assert refused.value.code == "unknown_queue"  # Y's team is not theirs
    assert Ticket.objects.get(pk=y_ticket.pk).queue_id == hub_world.queue_y.pk
