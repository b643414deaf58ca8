"""Exchanges made directly, for the checks that need one without the whole escalation."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sgsc.shared_apps.exchange.models import Exchange
from sgsc.tenants.models import Tenant


def exchange_make(*, source: Tenant, target: Tenant, **fields: Any) -> Exchange:
    now = timezone.now()
    values: dict[str, Any] = {
        "source_ticket_id": 1, "source_ticket_number": "TEST-2026-000001", "channel": "phone",
        "title": "Schimb de test", "reason": "Verificare", "requester_kind": "other",
        "requester_name": "Solicitant", "impact": 2, "urgency": 2, "payload_sha256": "0" * 64,
        "created_at": now, "updated_at": now, **fields}
    return Exchange.objects.create(source_tenant=source, target_tenant=target, **values)
