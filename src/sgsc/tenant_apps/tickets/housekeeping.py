"""The lifecycle's system steps (amended pt. 33): a resolved ticket closes by itself after the
tenant's ``close_after_days``, a closed one is archived after ``archive_after_days``.

The platform acts, not a person: no ``TicketAccess``, the journal entry has no actor and the
audit event names the system. Otherwise the discipline of ``services``: the ticket locked,
its tracked fields diffed into the journal, the transition the state machine allows
(``lifecycle.TRANSITIONS``). Idempotent: each ticket is locked (``skip_locked``) and
re-checked under the lock, a batch of short transactions at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sgsc.shared_apps.audit.services import audit_record
from sgsc.tenant_apps.tickets.journal import diff, journal_append, snapshot
from sgsc.tenant_apps.tickets.lifecycle import TRANSITIONS, Action
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket, TicketSettings
from sgsc.tenant_apps.tickets.selectors import ticket_settings_get
from sgsc.tenants.models import Tenant

BATCH = 500
# How the audit log names the platform when it acts by itself.
SYSTEM_LABEL = "sistem"


@dataclass(frozen=True)
class Housekeeping:
    closed: tuple[int, ...]
    archived: tuple[int, ...]

    def counts(self) -> dict[str, int]:
        return {"closed": len(self.closed), "archived": len(self.archived)}


def tickets_housekeep(*, tenant: Tenant, now: datetime | None = None,
                      batch: int = BATCH) -> Housekeeping:
    """Close the resolved tickets, then archive the closed ones, whose period has passed
    (call inside the tenant's schema)."""
    now = now or timezone.now()
    periods = ticket_settings_get() or TicketSettings()  # the defaults until one is saved
    # The journal is the record: written in the platform's language whoever reads it.
    with translation.override(settings.LANGUAGE_CODE):
        closed = _sweep(tenant=tenant, action=Action.CLOSE, now=now, batch=batch,
                        since="resolved_at", days=periods.close_after_days,
                        reason=_("Închidere automată"))
        archived = _sweep(tenant=tenant, action=Action.ARCHIVE, now=now, batch=batch,
                          since="closed_at", days=periods.archive_after_days,
                          reason=_("Arhivare automată"))
    return Housekeeping(closed=closed, archived=archived)


def _sweep(*, tenant: Tenant, action: Action, now: datetime, batch: int, since: str,
           days: int, reason: str) -> tuple[int, ...]:
    """``action`` for every ticket it applies to whose ``since`` moment is ``days`` old, a
    batch at a time (a day's backlog drains in one run)."""
    due = Q(status__in=TRANSITIONS[action].sources,
            **{f"{since}__lte": now - timedelta(days=days)})
    done: list[int] = []
    while True:
        handled = tickets_each_locked(
            due=due, order=since, batch=batch,
            handle=lambda ticket: _transition(tenant=tenant, ticket=ticket, action=action,
                                              now=now, reason=reason))
        done.extend(handled)
        if len(handled) < batch:  # all done, or the rest is locked until the next run
            return tuple(done)


def tickets_each_locked(*, due: Q, order: str, batch: int, handle: Callable[[Ticket], None],
                        related: tuple[str, ...] = ()) -> tuple[int, ...]:
    """The periodic jobs' walk over tickets: ``handle`` each of the first ``batch`` tickets
    matching ``due`` (by ``order``), each in its own short transaction holding the ticket's
    lock, re-checked under it. A ticket locked by someone else (an operator saving it,
    another run) is left for the next run. Returns the ids handled."""
    ids = list(Ticket.objects.filter(due).order_by(order, "pk")
               .values_list("pk", flat=True)[:batch])
    done = []
    for pk in ids:
        with transaction.atomic():
            ticket = (Ticket.objects.select_for_update(skip_locked=True, of=("self",))
                      .select_related(*related).filter(due, pk=pk).first())
            if ticket is None:
                continue  # held by someone else this moment, or no longer due
            handle(ticket)
            done.append(pk)
    return tuple(done)


def _transition(*, tenant: Tenant, ticket: Ticket, action: Action, now: datetime,
                reason: str) -> None:
    before = snapshot(ticket)
    ticket.status = TRANSITIONS[action].target
    if action is Action.CLOSE:
        ticket.closed_at = now
    else:
        ticket.archived_at = now
    journal_append(ticket=ticket, kind=JournalEntry.Kind.STATUS, actor=None, at=now,
                   changes=diff(before, snapshot(ticket)), reason=reason)
    ticket.updated_at = now
    ticket.save()
    audit_record(action=f"ticket.{action.value}", actor=None, actor_label=SYSTEM_LABEL,
                 tenant=tenant, object_type="ticket", object_id=ticket.pk,
                 details={"from": before["status"], "to": ticket.status, "automatic": True})
