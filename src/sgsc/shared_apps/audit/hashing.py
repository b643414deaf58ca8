"""The canonical form of an audit event and its SHA-256 link to the previous one."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any


def event_digest(
    *,
    chain: str,
    sequence: int,
    occurred_at: datetime,
    tenant_id: int | None,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    outcome: str,
    ip: str | None,
    request_id: str,
    details: dict[str, Any],
    previous_hash: str,
) -> str:
    payload = {
        "chain": chain,
        "sequence": sequence,
        "occurred_at": occurred_at.isoformat(timespec="microseconds"),
        "tenant_id": tenant_id,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "outcome": outcome,
        "ip": ip,
        "request_id": request_id,
        "details": details,
        "previous_hash": previous_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
