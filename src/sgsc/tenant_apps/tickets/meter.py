"""The ``tickets_handled`` meter: the tickets resolved during a day, read from the journal.

A ticket counts once a day however many times it was resolved that day (a reopened and
resolved-again ticket counts again on a later day: it was handled again). The journal is the
record (invariant 2), so a day can be metered again later with the same result. The source
keeps the tickets counted and, for a hub's allocation by tickets, their count per institution.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from sgsc.billing.usage.meters import Reading, day_bounds
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket
from sgsc.tenants.models import Tenant


def meter_tickets_handled(tenant: Tenant, day: date) -> Reading:
    start, end = day_bounds(day)
    rows = sorted(set(
        JournalEntry.objects.filter(at__gte=start, at__lt=end, changes__status__1=str(
            Ticket.Status.RESOLVED)).values_list("ticket_id", "ticket__institution_id")))
    source: dict[str, object] = {"tickets": [ticket_id for ticket_id, _institution in rows],
                                 "rule": "resolved during the day (journal)"}
    if tenant.kind == Tenant.Kind.HUB:
        per_institution = Counter(institution for _ticket, institution in rows
                                  if institution is not None)
        source["by_institution"] = {str(institution): count
                                    for institution, count in sorted(per_institution.items())}
    return Reading(quantity=Decimal(len(rows)), source=source)
