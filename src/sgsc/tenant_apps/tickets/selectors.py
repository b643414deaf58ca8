"""Reads of tickets through the reader's access (hub scoping, invariant 1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sgsc.platform.errors import NotFound
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.journal import replay
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket, TicketSettings

LIST_RELATED = ("contact", "priority", "service", "assignee", "queue", "team", "institution",
                "category")


def tickets_visible(*, access: TicketAccess) -> QuerySet[Ticket]:
    """Every ticket the person may see: all of the tenant's, or only their institutions'."""
    tickets = Ticket.objects.all()
    if access.institution_scope is not None:
        tickets = tickets.filter(institution_id__in=access.institution_scope)
    return tickets


def ticket_get(*, access: TicketAccess, ticket_id: int | None = None, number: str = "",
               for_update: bool = False) -> Ticket:
    """One visible ticket, by id or number. A ticket outside the person's scope is the same
    404 as a missing one, and the attempt is recorded (invariant 3)."""
    lookup = Q(pk=ticket_id) if ticket_id is not None else Q(number=number.strip().upper())
    tickets = Ticket.objects.select_related(*LIST_RELATED)
    if for_update:
        tickets = tickets.select_for_update(of=("self",))
    ticket = tickets.filter(lookup).first()
    if ticket is not None and (access.institution_scope is None
                               or ticket.institution_id in access.institution_scope):
        return ticket
    if ticket is not None:
        audit_record(action="access.denied", outcome=AuditEvent.Outcome.FAILURE,
                     actor=access.user, object_type="ticket", object_id=ticket.pk,
                     details={"reason": "institution_not_served"})
    raise NotFound(_("Solicitarea nu a fost găsită."), code="ticket_not_found")


def ticket_journal(*, ticket: Ticket, include_internal: bool = True) -> QuerySet[JournalEntry]:
    entries = ticket.journal.select_related("annuls").prefetch_related("annulled_by")
    if not include_internal:
        entries = entries.filter(visibility=JournalEntry.Visibility.PUBLIC)
    return entries.order_by("seq")


def ticket_as_of(*, ticket: Ticket, moment: datetime | None) -> dict[str, Any]:
    """The ticket's tracked fields as recorded at ``moment`` (R4 §24): empty before it was
    registered."""
    entries = list(ticket.journal.order_by("seq"))
    if moment is not None and (not entries or entries[0].at > moment):
        return {}
    return replay(entries, until=moment)


def ticket_settings_get() -> TicketSettings | None:
    return TicketSettings.objects.filter(pk=TicketSettings.SINGLETON_ID).first()
