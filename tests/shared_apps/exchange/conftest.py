"""A cross-tenant hand-over: prov-a's L1 and L2 with an L3 team that is prov-b's, and
prov-b's L3 on shift in its own L3 team."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django_tenants.utils import schema_context

from sgsc.shared_apps.exchange.models import Exchange
from sgsc.shared_apps.identity.models import User
from sgsc.tenant_apps.catalog.models import Queue, Team, TeamMember
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for_user
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.services import (
    Escalation,
    TicketInput,
    ticket_create,
    ticket_transition,
)
from sgsc.tenants.models import Tenant
from tests.conftest import Tenants
from tests.tenant_apps.tickets.conftest import VALID_IDNP

TITLE = "Certificatul de înregistrare nu se descarcă"
REQUESTER = Requester(name="Ion Popescu", idnp=VALID_IDNP, email="ion.popescu@example.md",
                      phone="069123456")


@dataclass(frozen=True)
class Handover:
    a: Tenant
    b: Tenant
    hub: Tenant
    l1: TicketAccess  # prov-a
    l2: TicketAccess  # prov-a
    l3_b: TicketAccess  # prov-b
    l2_team: Team  # prov-a's
    l2_queue: Queue  # prov-a's
    external: Team  # prov-a's team standing for prov-b's L3
    l3_team_b: Team  # prov-b's own


@pytest.fixture
def handover(tenants: Tenants, user_with_role: Callable[..., User]) -> Handover:
    def access(tenant: Tenant, role: str) -> TicketAccess:
        return ticket_access_for_user(user=user_with_role(role, tenant), tenant=tenant)

    a, b = tenants.prov_a, tenants.prov_b
    l1, l2, l3_b = access(a, "l1_operator"), access(a, "l2_specialist"), access(b, "l3_technical")
    with schema_context(a.schema_name):
        l2_team = Team.objects.create(name="Nivelul 2 (A)", level=2)
        l2_queue = Queue.objects.create(name="Coada nivelului 2 (A)", team=l2_team)
        external = Team.objects.create(name="Administratorul sistemului (B)", level=3,
                                       external_tenant=b)
    with schema_context(b.schema_name):
        l3_team_b = Team.objects.create(name="Administratori tehnici (B)", level=3)
        Queue.objects.create(name="Coada nivelului 3 (B)", team=l3_team_b, auto_assign=True)
        TeamMember.objects.create(team=l3_team_b, user=l3_b.user, on_shift=True)
    return Handover(a=a, b=b, hub=tenants.hub, l1=l1, l2=l2, l3_b=l3_b, l2_team=l2_team,
                    l2_queue=l2_queue, external=external, l3_team_b=l3_team_b)


def at_level2(h: Handover, *, requester: Requester = REQUESTER,
              description: str = "Descărcarea se oprește cu o eroare.") -> Ticket:
    """A ticket of prov-a escalated by its L1 to its L2 team."""
    with schema_context(h.a.schema_name):
        ticket = ticket_create(access=h.l1, data=TicketInput(
            channel="email", title=TITLE, description=description, requester=requester))
        return ticket_transition(access=h.l1, ticket_id=ticket.pk, action="escalate",
                                 reason="Necesită verificarea specialistului",
                                 escalation=Escalation(level=2, team_id=h.l2_team.pk))


def escalate_to_b(h: Handover, ticket: Ticket) -> tuple[Ticket, Exchange]:
    """prov-a's L2 escalates to the L3 team that is prov-b's."""
    with schema_context(h.a.schema_name):
        ticket = ticket_transition(access=h.l2, ticket_id=ticket.pk, action="escalate",
                                   reason="Eroare în sistemul informațional al B",
                                   escalation=Escalation(level=3, team_id=h.external.pk))
    return ticket, Exchange.objects.get(source_tenant=h.a, source_ticket_id=ticket.pk,
                                        status__in=Exchange.OPEN_STATUSES)
