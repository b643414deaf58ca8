"""Reads of the audit log, always scoped: a tenant host sees only its own chain."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sgsc.platform.errors import NotFound
from sgsc.shared_apps.audit.models import AuditChainHead, AuditEvent
from sgsc.tenants.models import Tenant

# An IDNP is 13 digits: such a search term is matched exactly, not as a fragment.
_IDNP_LENGTH = 13
# A name is matched word by word; more words than this only slow the query down.
_MAX_ACTOR_WORDS = 5


@dataclass(frozen=True)
class AuditFilters:
    """What the viewer, the CSV export and the API filter on (all optional).

    ``chain`` is honoured on the public host only: a tenant host always reads its own chain.
    """

    actor: str = ""
    actor_id: int | None = None
    chain: str = ""
    family: str = ""
    action: str = ""
    outcome: str = ""
    since: datetime | None = None
    until: datetime | None = None
    object_type: str = ""
    object_id: str = ""

    def as_details(self) -> dict[str, str]:
        """The filters that are set, as text (what an export's audit event records)."""
        return {key: value.isoformat() if isinstance(value, datetime) else str(value)
                for key, value in asdict(self).items() if value not in ("", None)}


def _scoped(*, tenant: Tenant | None) -> QuerySet[AuditEvent]:
    """``tenant`` is the host's tenant; ``None`` or the platform row (public host) means every
    chain."""
    events = AuditEvent.objects.all()
    if tenant is not None and not tenant.is_public:
        events = events.filter(tenant=tenant)
    return events


def _actor_condition(term: str) -> Q:
    if term.isdigit() and len(term) == _IDNP_LENGTH:
        return Q(actor__idnp=term)
    condition = Q()
    for word in term.split()[:_MAX_ACTOR_WORDS]:
        condition &= (Q(actor_label__icontains=word) | Q(actor__email__icontains=word)
                      | Q(actor__first_name__icontains=word)
                      | Q(actor__last_name__icontains=word))
    return condition


def audit_event_list(
    *,
    tenant: Tenant | None,
    filters: AuditFilters | None = None,
) -> QuerySet[AuditEvent]:
    """Events newest first, with their tenant (one query per page, whatever its length)."""
    filters = filters or AuditFilters()
    events = _scoped(tenant=tenant).select_related("tenant")
    if filters.chain and (tenant is None or tenant.is_public):
        events = events.filter(chain=filters.chain)
    if filters.actor.strip():
        events = events.filter(_actor_condition(filters.actor.strip()))
    if filters.actor_id is not None:
        events = events.filter(actor_id=filters.actor_id)
    if filters.family:
        events = events.filter(action__startswith=f"{filters.family}.")
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.outcome:
        events = events.filter(outcome=filters.outcome)
    if filters.since is not None:
        events = events.filter(occurred_at__gte=filters.since)
    if filters.until is not None:
        events = events.filter(occurred_at__lte=filters.until)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    return events.order_by("-occurred_at", "-id")


def audit_event_get(*, tenant: Tenant | None, pk: int) -> AuditEvent:
    """One event of the host's scope; another tenant's event is simply not found."""
    event = _scoped(tenant=tenant).select_related("tenant", "actor").filter(pk=pk).first()
    if event is None:
        raise NotFound(_("Evenimentul de audit nu a fost găsit."), code="audit_event_not_found")
    return event


@dataclass(frozen=True)
class ChainPosition:
    """Where an event sits in its chain, and whether it links to the event before it."""

    length: int
    previous_id: int | None
    next_id: int | None
    linked: bool


def audit_event_chain_position(*, event: AuditEvent) -> ChainPosition:
    """Two queries: the chain's head and the two neighbours (same chain, so same scope)."""
    head = AuditChainHead.objects.filter(chain=event.chain).first()
    neighbours = {
        row["sequence"]: row
        for row in AuditEvent.objects.filter(
            chain=event.chain, sequence__in=[event.sequence - 1, event.sequence + 1],
        ).values("id", "sequence", "hash")
    }
    before = neighbours.get(event.sequence - 1)
    after = neighbours.get(event.sequence + 1)
    expected_previous = before["hash"] if before is not None else ""
    linked = event.previous_hash == expected_previous and (before is not None
                                                           or event.sequence == 1)
    return ChainPosition(
        length=head.last_sequence if head is not None else event.sequence,
        previous_id=before["id"] if before is not None else None,
        next_id=after["id"] if after is not None else None,
        linked=linked,
    )
