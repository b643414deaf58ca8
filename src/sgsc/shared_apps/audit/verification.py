"""Checking the audit chains: recompute every link and name the first broken one."""

from __future__ import annotations

from dataclasses import dataclass

from sgsc.shared_apps.audit.hashing import event_digest
from sgsc.shared_apps.audit.models import AuditChainHead, AuditEvent


@dataclass(frozen=True)
class ChainReport:
    chain: str
    events_checked: int
    broken_event_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def chain_verify(*, chain: str, batch_size: int = 2000) -> ChainReport:
    """Walk one chain in sequence order; stop at the first event that does not check out."""
    expected_previous = ""
    expected_sequence = 1
    checked = 0
    events = AuditEvent.objects.filter(chain=chain).order_by("sequence")
    for event in events.iterator(chunk_size=batch_size):
        if event.sequence != expected_sequence:
            return ChainReport(chain, checked, event.pk,
                               f"sequence gap: expected {expected_sequence}, found {event.sequence}")
        if event.previous_hash != expected_previous:
            return ChainReport(chain, checked, event.pk, "previous hash does not match")
        digest = event_digest(
            chain=event.chain,
            sequence=event.sequence,
            occurred_at=event.occurred_at,
            tenant_id=event.tenant_id,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            outcome=event.outcome,
            ip=event.ip,
            request_id=event.request_id,
            details=event.details,
            previous_hash=event.previous_hash,
        )
        if digest != event.hash:
            return ChainReport(chain, checked, event.pk, "content does not match its hash")
        expected_previous = event.hash
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head is not None and (head.last_sequence != checked or head.last_hash != expected_previous):
        return ChainReport(chain, checked, None,
                           f"chain head expects {head.last_sequence} events, found {checked}")
    return ChainReport(chain, checked)


def chains_verify(*, chains: list[str] | None = None) -> list[ChainReport]:
    names = chains or sorted(
        set(AuditChainHead.objects.values_list("chain", flat=True))
        | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    )
    return [chain_verify(chain=name) for name in names]
