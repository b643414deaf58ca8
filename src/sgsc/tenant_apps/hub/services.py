"""Writes of the hub coordinator's view: moving tickets between the institutions' teams and
queues, and giving a misrouted ticket its right institution.

Every ticket moves through the ticket services (``ticket_update``, and ``ticket_assign`` to
release it), so each move is a journal entry and an audit event of its own (invariants 2, 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.platform.errors import AccessDenied, ApplicationError, InvalidInput
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.institutions.models import Institution
from sgsc.tenant_apps.catalog.models import Queue, TeamMember
from sgsc.tenant_apps.hub.selectors import hub_institutions, hub_queues
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for_user
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.selectors import ticket_get, tickets_visible
from sgsc.tenant_apps.tickets.services import ticket_assign, ticket_update
from sgsc.tenants.models import Tenant

# One batch is moved while the coordinator waits for the page: beyond this, in several goes.
MAX_MOVE = 500
MAX_REASON = 500


@dataclass(frozen=True)
class MoveRefusal:
    ticket_id: int
    number: str  # empty for a ticket the person cannot see
    code: str
    message: str


@dataclass(frozen=True)
class MoveResult:
    moved: list[Ticket]
    unchanged: list[Ticket]  # already in that queue and institution
    refused: list[MoveRefusal]


@dataclass(frozen=True)
class MoveTarget:
    queue: Queue | None
    institution: Institution | None
    reason: str


def hub_tickets_move(*, access: TicketAccess, tenant: Tenant, ticket_ids: Sequence[int],
                     queue_id: int | None = None, institution_id: int | None = None,
                     reason: str, now: datetime | None = None) -> MoveResult:
    """Move tickets to another queue (its team follows), give them another member institution,
    or both. A ticket that leaves for a team its operator is not in, or for an institution its
    operator does not serve, is released for the new team to take.

    Each ticket moves in a transaction of its own: row locks and the tenant's audit chain are
    not held across the batch, and one ticket's refusal (reported and audited) does not undo
    the others. A bad request (no target, no reason, a queue or institution the person cannot
    use) moves nothing."""
    ids = list(dict.fromkeys(ticket_ids))
    summary: dict[str, Any] = {"tickets": len(ids), "queue": queue_id,
                               "institution": institution_id}
    target = hub_move_check(access=access, tenant=tenant, ticket_ids=ids, queue_id=queue_id,
                            institution_id=institution_id, reason=reason)
    now = now or timezone.now()
    numbers = dict(tickets_visible(access=access).filter(pk__in=ids)
                   .values_list("pk", "number"))
    moved: list[Ticket] = []
    unchanged: list[Ticket] = []
    refused: list[MoveRefusal] = []
    for ticket_id in ids:
        try:
            with audited_refusal(action="hub.ticket.move", actor=access.user,
                                 object_type="ticket", object_id=ticket_id,
                                 details={"queue": queue_id, "institution": institution_id}), \
                    transaction.atomic():
                ticket, changed = _move_one(access=access, tenant=tenant, ticket_id=ticket_id,
                                            target=target, now=now)
        except ApplicationError as error:
            refused.append(MoveRefusal(ticket_id=ticket_id, number=numbers.get(ticket_id, ""),
                                       code=error.code, message=str(error.message)))
            continue
        (moved if changed else unchanged).append(ticket)
    audit_record(action="hub.tickets.move", actor=access.user, object_type="ticket",
                 details={**summary, "moved": [ticket.pk for ticket in moved],
                          "unchanged": len(unchanged),
                          "refused": {str(item.ticket_id): item.code for item in refused}})
    return MoveResult(moved=moved, unchanged=unchanged, refused=refused)


def hub_move_check(*, access: TicketAccess, tenant: Tenant, ticket_ids: Sequence[int],
                   queue_id: int | None, institution_id: int | None,
                   reason: str) -> MoveTarget:
    """The move's target, or the refusal of the whole request (audited); the confirmation
    step shows what it returns."""
    with audited_refusal(action="hub.tickets.move", actor=access.user, object_type="ticket",
                         details={"tickets": len(ticket_ids), "queue": queue_id,
                                  "institution": institution_id}, with_fields=True):
        return _target(access=access, tenant=tenant, ticket_ids=ticket_ids, queue_id=queue_id,
                       institution_id=institution_id, reason=reason)


def _target(*, access: TicketAccess, tenant: Tenant, ticket_ids: Sequence[int],
            queue_id: int | None, institution_id: int | None, reason: str) -> MoveTarget:
    if not access.can(Capability.HUB_COORDINATE):
        raise AccessDenied(_("Nu aveți dreptul să efectuați această acțiune."),
                           code="permission_denied")
    if not ticket_ids:
        raise InvalidInput(_("Alegeți cel puțin o solicitare."), code="tickets_required",
                           fields={"tickets": [_("Nicio solicitare aleasă.")]})
    if len(ticket_ids) > MAX_MOVE:
        raise InvalidInput(_("Se pot muta cel mult %(max)d solicitări odată.")
                           % {"max": MAX_MOVE}, code="too_many_tickets",
                           fields={"tickets": [_("Prea multe solicitări.")]})
    if queue_id is None and institution_id is None:
        raise InvalidInput(_("Alegeți coada sau instituția către care se mută."),
                           code="move_target_required",
                           fields={"queue": [_("Alegeți o coadă sau o instituție.")]})
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Indicați motivul mutării."), code="reason_required",
                           fields={"reason": [_("Câmp obligatoriu.")]})
    if len(reason) > MAX_REASON:
        raise InvalidInput(_("Textul este prea lung."), code="too_long",
                           fields={"reason": [_("Cel mult %(limit)d caractere.")
                                              % {"limit": MAX_REASON}]})
    queue = None
    if queue_id is not None:
        queue = hub_queues(access=access).filter(pk=queue_id).first()
        if queue is None:
            raise InvalidInput(_("Coada aleasă nu există sau nu o puteți folosi."),
                               code="unknown_queue", fields={"queue": [_("Coadă necunoscută.")]})
    institution = None
    if institution_id is not None:
        institution = next((member for member in hub_institutions(access=access, tenant=tenant)
                            if member.pk == institution_id), None)
        if institution is None:
            raise InvalidInput(_("Instituția aleasă nu este o instituție membră a hubului pe "
                                 "care o deserviți."), code="institution_not_in_hub",
                               fields={"institution": [_("Instituție necunoscută.")]})
    return MoveTarget(queue=queue, institution=institution, reason=reason)


def _move_one(*, access: TicketAccess, tenant: Tenant, ticket_id: int, target: MoveTarget,
              now: datetime) -> tuple[Ticket, bool]:
    ticket = ticket_get(access=access, ticket_id=ticket_id, for_update=True)
    changes: dict[str, Any] = {}
    if target.queue is not None and ticket.queue_id != target.queue.pk:
        if target.queue.team.level != ticket.level:
            raise InvalidInput(_("Solicitarea este la nivelul %(level)d; echipa cozii lucrează "
                                 "la nivelul %(team)d.") % {"level": ticket.level,
                                                           "team": target.queue.team.level},
                               code="team_level_mismatch")
        changes["queue_id"] = target.queue.pk
    if target.institution is not None and ticket.institution_id != target.institution.pk:
        changes["institution_id"] = target.institution.pk
    if not changes:
        return ticket, False
    ticket = ticket_update(access=access, ticket_id=ticket.pk, changes=changes,
                           reason=target.reason, now=now)
    if ticket.assignee is not None and not _still_eligible(ticket, tenant, changes):
        ticket = ticket_assign(access=access, ticket_id=ticket.pk, assignee=None, now=now)
    return ticket, True


def _still_eligible(ticket: Ticket, tenant: Tenant, changes: dict[str, Any]) -> bool:
    """Whether the operator may keep the moved ticket: they are in the new queue's team, and
    they serve its new institution."""
    assignee = ticket.assignee
    assert assignee is not None  # noqa: S101 (narrowing for mypy)
    team_id = ticket.team_id
    if "queue_id" in changes and (team_id is None or not TeamMember.objects.filter(
            team_id=team_id, user_id=assignee.pk).exists()):
        return False
    if "institution_id" in changes:
        scope = ticket_access_for_user(user=assignee, tenant=tenant).institution_scope
        return scope is None or ticket.institution_id in scope
    return True
