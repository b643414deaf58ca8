"""A hub with two member institutions, their services, teams, queues and routing, and a small
set of tickets of February 2026 whose figures are worked out by hand in the tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.institutions.models import HubMembership, Institution
from sgsc.tenant_apps.catalog.models import Queue, RoutingRule, Service, Team, TeamMember
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for_user
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.services import TicketInput, ticket_create, ticket_transition
from sgsc.tenants.models import Tenant
from tests.conftest import Tenants
from tests.factories import InstitutionFactory

CHISINAU = ZoneInfo("Europe/Chisinau")


def local(day: int, hour: int, minute: int = 0, month: int = 2) -> datetime:
    """A moment of 2026 in Chisinau (February: EET, UTC+2)."""
    return datetime(2026, month, day, hour, minute, tzinfo=CHISINAU)


@dataclass
class HubWorld:
    hub: Tenant
    x: Institution
    y: Institution
    service_x: Service
    service_y: Service
    team_x: Team
    team_y: Team
    queue_x: Queue
    queue_y: Queue
    coordinator: User
    operator_x: User
    tickets: dict[str, Ticket] = field(default_factory=dict)

    def access(self, user: User | None = None) -> TicketAccess:
        return ticket_access_for_user(user=user or self.coordinator, tenant=self.hub)


def ticket_new(access: TicketAccess, *, at: datetime, service: Service | None = None,
               institution: Institution | None = None, channel: str = "phone",
               title: str = "Nu pot accesa serviciul") -> Ticket:
    return ticket_create(access=access, now=at, data=TicketInput(
        channel=channel, title=title, requester=Requester(name="Ion Popescu", phone="069123456"),
        service_id=service.pk if service else None,
        institution_id=institution.pk if institution else None))


def ticket_resolve(access: TicketAccess, ticket: Ticket, *, at: datetime) -> Ticket:
    return ticket_transition(access=access, ticket_id=ticket.pk, action="resolve",
                             reason="Răspuns oferit", now=at)


@pytest.fixture
def in_hub(tenants: Tenants) -> Iterator[Tenants]:
    # The hub itself, not ``schema_context``'s stand-in: ticket services that look at
    # ``connection.tenant`` (assigning checks the assignee's membership) need the real row.
    connection.set_tenant(tenants.hub)
    yield tenants
    connection.set_schema_to_public()


@pytest.fixture
def hub_world(in_hub: Tenants, user_with_role: Callable[..., User]) -> HubWorld:
    """Institution X: service SX (8 working hours), team and queue X, one operator on shift.
    Institution Y: service SY (16 working hours), team and queue Y. Routing: X's
    institution and SY's service each to their queue."""
    hub = in_hub.hub
    x = InstitutionFactory(name="Agenția X")
    y = InstitutionFactory(name="Biroul Y")
    for institution in (x, y):
        HubMembership.objects.create(hub=hub, institution=institution)
    service_x = Service.objects.create(code="SX", name="Certificat X", institution=x,
                                       resolution_hours=8)
    service_y = Service.objects.create(code="SY", name="Aviz Y", institution=y,
                                       resolution_hours=16)
    team_x = Team.objects.create(name="Echipa X", level=1, institution=x)
    team_y = Team.objects.create(name="Echipa Y", level=1, institution=y)
    queue_x = Queue.objects.create(name="Coada X", team=team_x)
    queue_y = Queue.objects.create(name="Coada Y", team=team_y)
    RoutingRule.objects.create(position=1, name="Tot ce ține de X", institution=x, queue=queue_x)
    RoutingRule.objects.create(position=2, name="Avizele Y", service=service_y, queue=queue_y)
    operator_x = user_with_role("l1_operator", hub, first_name="Ana", last_name="Operatoarea")
    TeamMember.objects.create(team=team_x, user=operator_x, on_shift=True)
    coordinator = user_with_role("coordinator", hub, first_name="Cora", last_name="Coordonatoarea")
    return HubWorld(hub=hub, x=x, y=y, service_x=service_x, service_y=service_y,
                    team_x=team_x, team_y=team_y, queue_x=queue_x, queue_y=queue_y,
                    coordinator=coordinator, operator_x=operator_x)


@pytest.fixture
def february(hub_world: HubWorld) -> HubWorld:
    """Tickets of February 2026 (business hours Mon-Fri 8-12 and 13-17; 2 Feb is a Monday).

    X (SX, due 8 working hours after registration):
      x_fast  phone  Mon 2 09:00, resolved 11:00     120 min, due Tue 09:00: in time
      x_late  phone  Mon 2 09:00, resolved Wed 4 09:00  960 min: late
      x_open  phone  Tue 3 10:00, still open (due Wed 4 10:00)
      x_mail  email  Mon 2 08:00, resolved 08:30       30 min: in time
    Y (SY, due 16 working hours after registration):
      y_in    phone  Mon 2 14:00, resolved Tue 3 10:00  300 min: in time
      y_old   phone  Fri 30 Jan 10:00, resolved Mon 2 10:00  480 min: in time (registered
              before the period, resolved in it)
    """
    access = hub_world.access()
    made: dict[str, Any] = {}
    for name, at, service, channel in (
            ("x_fast", local(2, 9), hub_world.service_x, "phone"),
            ("x_late", local(2, 9), hub_world.service_x, "phone"),
            ("x_open", local(3, 10), hub_world.service_x, "phone"),
            ("x_mail", local(2, 8), hub_world.service_x, "email"),
            ("y_in", local(2, 14), hub_world.service_y, "phone"),
            ("y_old", local(30, 10, month=1), hub_world.service_y, "phone")):
        made[name] = ticket_new(access, at=at, service=service, channel=channel)
    for name, at in (("x_fast", local(2, 11)), ("x_late", local(4, 9)),
                     ("x_mail", local(2, 8, 30)), ("y_in", local(3, 10)),
                     ("y_old", local(2, 10))):
        made[name] = ticket_resolve(access, made[name], at=at)
    hub_world.tickets.update(made)
    return hub_world
