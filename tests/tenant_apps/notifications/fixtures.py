"""People, teams and SLA policies of prov-a for the notification, SLA monitor and housekeeping
tests (imported by their modules: the tickets' conftest is not in their folders)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.catalog.models import Priority, Team, TeamMember
from sgsc.tenant_apps.sla.models import SlaPolicy
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.services import TicketInput, ticket_create
from sgsc.tenants.models import Tenant
from tests.tenant_apps.tickets import conftest as tickets_fixtures

# The fixtures ``crew`` needs (from the tickets' conftest, in another folder).
access_as, in_prov_a = tickets_fixtures.access_as, tickets_fixtures.in_prov_a


@dataclass(frozen=True)
class Crew:
    tenant: Tenant
    operator: TicketAccess  # L1, in team_l1
    colleague: TicketAccess  # L1, in team_l1
    specialist: TicketAccess  # L2, in team_l2
    supervisor: TicketAccess
    team_l1: Team
    team_l2: Team


@pytest.fixture
def crew(access_as: Callable[[str], TicketAccess], in_prov_a: Any) -> Iterator[Crew]:
    """Inside prov-a as a request sees it (the real tenant on the connection, which
    ``ticket_assign`` needs: ``schema_context`` gives only the schema's name)."""
    with tenant_context(in_prov_a.prov_a):
        yield _crew(access_as, in_prov_a.prov_a)


def _crew(access_as: Callable[[str], TicketAccess], tenant: Tenant) -> Crew:
    operator, colleague = access_as(TenantRole.L1_OPERATOR), access_as(TenantRole.L1_OPERATOR)
    specialist = access_as(TenantRole.L2_SPECIALIST)
    supervisor = access_as(TenantRole.SUPERVISOR)
    team_l1 = Team.objects.create(name="Centrul de contact", level=1)
    team_l2 = Team.objects.create(name="Registre", level=2)
    for team, access in ((team_l1, operator), (team_l1, colleague), (team_l2, specialist)):
        TeamMember.objects.create(team=team, user=access.user, on_shift=True)
    return Crew(tenant=tenant, operator=operator, colleague=colleague,
                specialist=specialist, supervisor=supervisor, team_l1=team_l1,
                team_l2=team_l2)


def policy_for_medium(*, resolution_minutes: int, response_minutes: int = 60) -> SlaPolicy:
    """Targets of every ticket of priority p3 (impact 2 x urgency 2, the default)."""
    return SlaPolicy.objects.create(priority=Priority.objects.get(code="p3"),
                                    first_response_minutes=response_minutes,
                                    resolution_minutes=resolution_minutes)


def ticket_at(access: TicketAccess, now: datetime, **fields: Any) -> Ticket:
    data: dict[str, Any] = {"channel": "phone", "title": "Nu pot accesa certificatul",
                            "requester": Requester(name="Ion Popescu", phone="069123456")}
    data.update(fields)
    return ticket_create(access=access, data=TicketInput(**data), now=now)
