"""Who reads the hub coordinator's pages and API, and on which host."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from sgsc.shared_apps.identity.selectors import host_tenant
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for
from sgsc.tenants.models import Tenant


def hub_access_for(request: Any) -> tuple[TicketAccess, Tenant]:
    """The reader's ticket access and the hub. A provider's host has no member institutions:
    there the pages and the API do not exist (404)."""
    tenant = host_tenant(request)
    if tenant is None or tenant.kind != Tenant.Kind.HUB:
        raise Http404
    return ticket_access_for(request), tenant
