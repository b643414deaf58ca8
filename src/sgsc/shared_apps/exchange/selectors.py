"""Reads of exchanges, always scoped: a tenant sees only the exchanges it sent or received,
and of those only the ones whose ticket the reader may see (hub scoping, invariant 1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from sgsc.shared_apps.exchange.models import Exchange
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.selectors import tickets_visible
from sgsc.tenants.models import Tenant

OUTGOING = "out"
INCOMING = "in"


@dataclass(frozen=True)
class ExchangeFilters:
    """``direction`` counts on a tenant host only, ``tenant`` (a slug, either side) on the
    public host only."""

    direction: str = ""
    tenant: str = ""
    status: str = ""
    since: datetime | None = None
    until: datetime | None = None


def exchange_list(*, host: Tenant, access: TicketAccess | None,
                  filters: ExchangeFilters | None = None) -> QuerySet[Exchange]:
    """Newest first, with both tenants and the events (two queries a page).

    ``host`` is the host's tenant: the platform row sees every exchange; a tenant host needs
    the reader's ``access``, whose institution scope limits the exchanges to visible tickets.
    """
    filters = filters or ExchangeFilters()
    exchanges = (Exchange.objects.select_related("source_tenant", "target_tenant")
                 .prefetch_related("events"))
    if host.is_public:
        if filters.tenant:
            exchanges = exchanges.filter(Q(source_tenant__slug=filters.tenant)
                                         | Q(target_tenant__slug=filters.tenant))
    else:
        outgoing, incoming = Q(source_tenant=host), Q(target_tenant=host)
        if access is None:
            return exchanges.none()
        if access.institution_scope is not None:
            visible = tickets_visible(access=access).values("pk")
            outgoing &= Q(source_ticket_id__in=visible)
            incoming &= Q(target_ticket_id__in=visible)
        exchanges = exchanges.filter(outgoing if filters.direction == OUTGOING else
                                     incoming if filters.direction == INCOMING else
                                     outgoing | incoming)
    if filters.status:
        exchanges = exchanges.filter(status=filters.status)
    if filters.since is not None:
        exchanges = exchanges.filter(created_at__gte=filters.since)
    if filters.until is not None:
        exchanges = exchanges.filter(created_at__lte=filters.until)
    return exchanges.order_by("-created_at", "-id")


def exchanges_stalled(*, before: datetime) -> QuerySet[Exchange]:
    """Exchanges still waiting for their delivery since before ``before`` (the task was lost
    or gave up), from a source tenant that is still active, oldest first."""
    return (Exchange.objects.filter(status=Exchange.Status.REQUESTED, updated_at__lt=before,
                                    source_tenant__status=Tenant.Status.ACTIVE)
            .select_related("source_tenant").order_by("updated_at", "pk"))
