"""Reads of the phone channel. Calls are seen through the same institution scope as tickets
(invariant 1): an operator limited to some hub institutions sees only their lines' calls."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.platform.errors import NotFound
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.models import Membership
from sgsc.tenant_apps.catalog.config_selectors import current_tenant, matching, member_candidates
from sgsc.tenant_apps.telephony.models import (
    MISSED_DISPOSITIONS,
    Call,
    CallEvent,
    Connector,
    Extension,
    PhoneLine,
)
from sgsc.tenant_apps.tickets.access import TicketAccess

CALL_RELATED = ("line", "agent", "ticket", "institution")
# Longer than any real conversation on a support line.
CURRENT_CALL_LIMIT = timedelta(hours=4)


def number_part(typed: str) -> str:
    """A typed part of a number in the stored numbers' form: its digits, without a leading
    trunk or international zero ("022 12" looks for "2212", "00373 22" for "37322")."""
    return "".join(char for char in typed if char.isascii() and char.isdigit()).lstrip("0")


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
                 start: datetime | None = None, end: datetime | None = None,
                 missed: bool = False, called_back: bool | None = None) -> QuerySet[Call]:
    """The visible calls, newest first, narrowed by a part of a number (in any form), a
    result, a time range (half-open) and, among the missed calls, whether they were called
    back."""
    calls = (calls_missed(access=access, open_only=False) if missed
             else calls_visible(access=access)).select_related(*CALL_RELATED)
    digits = number_part(number)
    if digits:
        calls = calls.filter(Q(caller__contains=digits) | Q(callee__contains=digits))
    if disposition:
        calls = calls.filter(disposition=disposition)
    if start is not None:
        calls = calls.filter(started_at__gte=start)
    if end is not None:
        calls = calls.filter(started_at__lt=end)
    if missed and called_back is not None:
        calls = calls.filter(called_back_at__isnull=not called_back)
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


def call_events(*, call: Call) -> QuerySet[CallEvent]:
    """The events received for a call, in the order they happened."""
    return CallEvent.objects.filter(call=call).order_by("at", "pk")


def call_current(*, access: TicketAccess, now: datetime | None = None) -> Call | None:
    """The call the person is talking on now (answered at their extension, not ended). A
    call answered more than ``CURRENT_CALL_LIMIT`` ago whose end the PBX never reported is
    not shown: it would stay on the screen for ever."""
    since = (now or timezone.now()) - CURRENT_CALL_LIMIT
    return (calls_visible(access=access).select_related("line", "ticket")
            .filter(agent=access.user, state=Call.State.ANSWERED, answered_at__gte=since)
            .order_by("-answered_at").first())


def extension_candidates() -> QuerySet[Membership]:
    """The people who may have an extension: those who work tickets here."""
    return member_candidates(level=1, tenant=current_tenant())


def extension_of(*, user_id: int) -> Extension | None:
    return Extension.objects.filter(user_id=user_id).first()


def phone_line_list(search: str = "") -> QuerySet[PhoneLine]:
    """The lines, searched by name or institution, or by a part of the number (typed in
    any form: "022 12" finds +373 22 12…)."""
    lines = PhoneLine.objects.select_related("institution", "service").order_by("number", "pk")
    if search and not any(char.isalpha() for char in search):
        digits = number_part(search)
        return lines.filter(number__contains=digits) if digits else lines
    return matching(lines, search, "name", "institution__name")


def extension_list(search: str = "") -> QuerySet[Extension]:
    return matching(Extension.objects.select_related("user"), search, "number", "user__email",
                    "user__first_name", "user__last_name").order_by("number", "pk")


def connector_list() -> QuerySet[Connector]:
    return Connector.objects.select_related("created_by").order_by("-created_at", "-pk")
