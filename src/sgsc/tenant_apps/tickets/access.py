"""Who is acting on tickets, with what rights and over which institutions (invariant 1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from sgsc.platform.api.permissions import request_capabilities, request_membership
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.identity.scoping import institution_scope_for
from sgsc.shared_apps.identity.selectors import membership_get_active, user_capabilities_on
from sgsc.tenants.models import Tenant
from sgsc.tenants.schemas import current_schema_name


@dataclass(frozen=True)
class TicketAccess:
    user: User
    capabilities: frozenset[Capability]
    # The institutions a person limited inside a hub serves; None: not limited.
    institution_scope: frozenset[int] | None

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities


def ticket_access_for_user(*, user: User, tenant: Tenant | None = None) -> TicketAccess:
    """For tasks, commands and tests; pages and the API use ``ticket_access_for``."""
    if tenant is None:
        # Under ``schema_context`` the connection holds a stand-in, not the tenant row.
        current = getattr(connection, "tenant", None)
        tenant = current if isinstance(current, Tenant) else Tenant.objects.get(
            schema_name=current_schema_name())
    scope = institution_scope_for(membership=membership_get_active(user=user, tenant=tenant))
    return TicketAccess(user=user, capabilities=user_capabilities_on(user=user, tenant=tenant),
                        institution_scope=scope)


def ticket_access_for(request: Any) -> TicketAccess:
    cached: TicketAccess | None = getattr(request, "_sgsc_ticket_access", None)
    if cached is None:
        scope = institution_scope_for(membership=request_membership(request))
        cached = TicketAccess(user=request.user, capabilities=request_capabilities(request),
                              institution_scope=scope)
        request._sgsc_ticket_access = cached
    return cached
