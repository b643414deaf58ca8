"""Reads of the phone channel. Calls are seen through the same institution scope as tickets
(invariant 1): an operator limited to some hub institutions sees only their lines' calls."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sgsc.platform.errors import NotFound
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.models import Membership
from sgsc.tenant_apps.catalog.config_selectors import current_tenant, member_candidates
from sgsc.tenant_apps.telephony.models import MISSED_DISPOSITIONS, Call, Extension
from sgsc.tenant_apps.tickets.access import TicketAccess

CALL_RELATED = ("line", "agent", "ticket", "institution")


def calls_visible(*, access: TicketAccess) -> QuerySet[Call]:
    calls = Call.objects.all()
    if access.institution_scope is not None:
        calls = calls.filter(institution_id__in=access.institution_scope)
    return calls


def calls_missed(*, access: TicketAccess, open_only: bool = True) -> QuerySet[Call]:
    """Inbound calls nobody answered; ``open_only``: not yet called back."""
    calls = calls_visible(access=access).filter(
        direction=Call.Direction.INBOUND, state=Call.State.ENDED,
        disposition__in=MISSED_DISPOSITIONS)
    return calls.filter(called_back_at__isnull=True) if open_only else calls


def calls_search(*, access: TicketAccess, number: str = "", disposition: str = "",
                 start: datetime | None = None, end: datetime | None = None) -> QuerySet[Call]:
    """The visible calls, newest first, narrowed by a part of a number, a result and a time
    range (half-open)."""
    calls = calls_visible(access=access).select_related(*CALL_RELATED)
    digits = "".join(char for char in number if char.isdigit())
    if digits:
        calls = calls.filter(Q(caller__contains=digits) | Q(callee__contains=digits))
    if disposition:
        calls = calls.filter(disposition=disposition)
    if start is not None:
        calls = calls.filter(started_at__gte=start)
    if end is not None:
        calls = calls.filter(started_at__lt=end)
    return calls.order_by("-started_at", "-pk")


def call_get(*, access: TicketAccess, call_id: int, for_update: bool = False) -> Call:
    """One visible call; outside the person's scope it is the same 404 as a missing one, and
    the attempt is recorded."""
    calls = Call.objects.select_related(*CALL_RELATED)
    if for_update:
        calls = calls.select_for_update(of=("self",))
    call = calls.filter(pk=call_id).first()
    if call is not None and (access.institution_scope is None
                             or call.institution_id in access.institution_scope):
        return call
    if call is not None:
        audit_record(action="access.denied", outcome=AuditEvent.Outcome.FAILURE,
                     actor=access.user, object_type="telephony.call", object_id=call.pk,
                     details={"reason": "institution_not_served"})
    raise NotFound(_("Apelul nu a fost găsit."), code="call_not_found")


def call_current(*, access: TicketAccess) -> Call | None:
    """The call the person is talking on now (answered at their extension, not ended)."""
    return (calls_visible(access=access).select_related("line", "ticket")
            .filter(agent=access.user, state=Call.State.ANSWERED)
            .order_by("-answered_at").first())


def extension_candidates() -> QuerySet[Membership]:
    """The people who may have an extension: those who work tickets here."""
    return member_candidates(level=1, tenant=current_tenant())


def extension_of(*, user_id: int) -> Extension | None:
    return Extension.objects.filter(user_id=user_id).first()
