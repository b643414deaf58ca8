"""Reads of the audit log, always scoped: a tenant host sees only its own chain."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.tenants.models import Tenant


def audit_event_list(
    *,
    tenant: Tenant | None,
    action: str = "",
    outcome: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Events newest first. ``tenant=None`` (public host) means every chain."""
    events = AuditEvent.objects.select_related("tenant")
    if tenant is not None and not tenant.is_public:
        events = events.filter(tenant=tenant)
    if action:
        events = events.filter(action__startswith=action)
    if outcome:
        events = events.filter(outcome=outcome)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if date_from:
        events = events.filter(occurred_at__date__gte=date_from)
    if date_to:
        events = events.filter(occurred_at__date__lte=date_to)
    return events.order_by("-occurred_at", "-id")
