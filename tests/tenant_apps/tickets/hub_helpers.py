"""A hub serving institutions X and Y, a coordinator over both and an operator limited to X,
with one ticket for each institution (queues, search and API tests share it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django_tenants.utils import schema_context

from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.shared_apps.identity.scoping import membership_scope_write
from sgsc.shared_apps.institutions.models import Institution
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for_user
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.services import TicketInput, ticket_create
from sgsc.tenants.models import Tenant
from tests.shared_apps.identity.member_helpers import hub_institutions


@dataclass(frozen=True)
class Hub:
    tenant: Tenant
    x: Institution
    y: Institution
    coordinator: TicketAccess
    limited: TicketAccess  # an L1 operator who serves only X
    ticket_x: Ticket
    ticket_y: Ticket


def hub_with_two_institutions(hub: Tenant, user_with_role: Callable[..., User]) -> Hub:
    """Call in the public schema; the tickets are created in the hub's schema."""
    x, y = hub_institutions(hub, 2)
    coordinator = user_with_role(TenantRole.COORDINATOR, hub)
    operator = user_with_role(TenantRole.L1_OPERATOR, hub)
    membership_scope_write(membership=Membership.objects.get(user=operator, tenant=hub),
                           institution_ids=[x.pk])
    with schema_context(hub.schema_name):
        coordinating = ticket_access_for_user(user=coordinator, tenant=hub)
        limited = ticket_access_for_user(user=operator, tenant=hub)
        tickets = [ticket_create(access=coordinating, data=TicketInput(
            channel="phone", title=f"Zebra la {institution.name}", institution_id=institution.pk,
            requester=Requester(name="Ion Popescu", phone="069123456")))
            for institution in (x, y)]
    return Hub(tenant=hub, x=x, y=y, coordinator=coordinating, limited=limited,
               ticket_x=tickets[0], ticket_y=tickets[1])
