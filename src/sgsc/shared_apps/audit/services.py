"""The one way to write the audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sgsc.integrations.mlog.services import mlog_outbox_add
from sgsc.platform import context
from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.audit.hashing import event_digest
from sgsc.shared_apps.audit.models import PLATFORM_CHAIN, AuditChainHead, AuditEvent
from sgsc.shared_apps.identity.models import User
from sgsc.tenants.models import Tenant

Outcome = AuditEvent.Outcome


class _CurrentTenant:
    """Marker: the chain of the tenant the connection is in (the platform's on public)."""


CURRENT_TENANT = _CurrentTenant()


def _current_tenant() -> Tenant | None:
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant) and not tenant.is_public and tenant.pk:
        return tenant
    return None


def _lock_chain_head(chain: str) -> AuditChainHead:
    """Lock the chain's head row (creating it on the chain's first event)."""
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is None:
        AuditChainHead.objects.get_or_create(chain=chain)  # a concurrent creator may win
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
    return head


def chain_name_for(tenant: Tenant | None) -> str:
    return tenant.schema_name if tenant is not None else PLATFORM_CHAIN


def audit_record(
    *,
    action: str,
    outcome: str = Outcome.SUCCESS,
    actor: User | None = None,
    actor_label: str = "",
    tenant: Tenant | _CurrentTenant | None = CURRENT_TENANT,
    object_type: str = "",
    object_id: str | int = "",
    details: dict[str, Any] | None = None,
    ip: str | None = None,
    request_id: str | None = None,
) -> AuditEvent:
    """Append one event to the chain of ``tenant``; ``None`` is the platform's chain, and by
    default it is the tenant the connection is in.

    Runs in the caller's transaction, so the event commits or rolls back with the change it
    records. Record failures outside a transaction that is about to roll back.
    """
    ctx = context.current()
    if isinstance(tenant, _CurrentTenant):
        tenant = _current_tenant()
    # The request context already names the signed-in person: no query for them.
    actor_id = actor.pk if actor is not None else ctx.user_id
    label = actor_label or (actor.email if actor is not None else ctx.user_label)
    # Round-trip through JSON so the stored details hash exactly as they are read back.
    clean_details: dict[str, Any] = json.loads(json.dumps(details or {}, default=str))
    chain = chain_name_for(tenant)
    with transaction.atomic():
        head = _lock_chain_head(chain)
        sequence = head.last_sequence + 1
        occurred_at = timezone.now()
        event = AuditEvent(
            chain=chain,
            sequence=sequence,
            occurred_at=occurred_at,
            tenant=tenant,
            actor_id=actor_id,
            actor_label=label,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            outcome=str(outcome),
            ip=ip if ip is not None else ctx.ip,
            request_id=request_id if request_id is not None else ctx.request_id,
            details=clean_details,
            previous_hash=head.last_hash,
        )
        event.hash = event_digest(
            chain=chain,
            sequence=sequence,
            occurred_at=occurred_at,
            tenant_id=tenant.pk if tenant is not None else None,
            actor_id=actor_id,
            actor_label=label,
            action=action,
            object_type=object_type,
            object_id=event.object_id,
            outcome=event.outcome,
            ip=event.ip,
            request_id=event.request_id,
            details=clean_details,
            previous_hash=head.last_hash,
        )
        event.save(force_insert=True)
        mlog_outbox_add(event=event)  # shipped to MLog if, and only if, this commits
        head.last_sequence = sequence
        head.last_hash = event.hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return event


@contextmanager
def audited_refusal(*, action: str, actor: User | None,
                    tenant: Tenant | _CurrentTenant | None = CURRENT_TENANT, object_type: str,
                    object_id: str | int = "", details: dict[str, Any] | None = None,
                    with_fields: bool = False) -> Iterator[None]:
    """Record a refused change (invariant 3) and let the error go on.

    Wrap the whole change, transaction included: the ``ApplicationError`` leaves the
    transaction first, so the failure event is written after the rollback and stays in the
    log. The event's details are ``details`` plus the error's ``code`` (and, with
    ``with_fields``, the names of the fields it blames).
    """
    try:
        yield
    except ApplicationError as error:
        recorded: dict[str, Any] = {"code": error.code, **(details or {})}
        if with_fields:
            recorded["fields"] = sorted(error.fields)
        audit_record(action=action, outcome=Outcome.FAILURE, actor=actor, tenant=tenant,
                     object_type=object_type, object_id=object_id, details=recorded)
        raise
