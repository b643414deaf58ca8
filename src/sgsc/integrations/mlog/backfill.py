"""Backfilling the outbox (``sgsc mlog backfill``).

With ``MLOG_URL`` empty, ``audit_record`` writes no outbox rows; once the adapter is on, this
queues the events recorded meanwhile. Idempotent: the row's event is unique, so an event
that already has a row (shipped or not) is never queued twice. A separate module from
``services``: it records its own audit event, and the audit service imports ``services``.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.integrations.mlog.models import MLogOutboxEntry
from sgsc.integrations.mlog.services import mlog_enabled
from sgsc.platform.errors import Conflict, InvalidInput
from sgsc.shared_apps.audit.models import AuditChainHead, AuditEvent
from sgsc.shared_apps.audit.services import audit_record

BATCH_SIZE = 5000
_EVENTS = connection.ops.quote_name(AuditEvent._meta.db_table)
_OUTBOX = connection.ops.quote_name(MLogOutboxEntry._meta.db_table)
# One statement per batch: the next events (by id) without a row get one; it returns the last
# event id looked at and how many rows were written. ON CONFLICT: an event that got its row
# meanwhile (audit_record, a concurrent backfill) is skipped, not an error. The other columns
# have database defaults (due now).
_BATCH = (
    f"WITH batch AS (SELECT e.id FROM {_EVENTS} e "  # noqa: S608
    "WHERE e.id > %(after)s "
    "AND (%(since)s::timestamptz IS NULL OR e.occurred_at >= %(since)s::timestamptz) "
    "AND (%(chain)s::text = '' OR e.chain = %(chain)s::text) "
    f"AND NOT EXISTS (SELECT 1 FROM {_OUTBOX} o WHERE o.event_id = e.id) "
    "ORDER BY e.id LIMIT %(size)s), "
    f"added AS (INSERT INTO {_OUTBOX} (event_id) SELECT id FROM batch ORDER BY id "
    "ON CONFLICT (event_id) DO NOTHING RETURNING 1) "
    "SELECT (SELECT max(id) FROM batch), (SELECT count(*) FROM added)")


def mlog_outbox_backfill(*, actor_label: str, since: date | None = None, chain: str = "",
                         batch_size: int = BATCH_SIZE) -> int:
    """Queue every audit event (from the day ``since``, of ``chain``) that has no outbox row;
    return how many were queued. One transaction per batch: no long lock, and a backfill
    that is interrupted goes on where it stopped when run again."""
    details = {"since": since.isoformat() if since else "", "chain": chain}
    refusal: Conflict | InvalidInput | None = None
    if not mlog_enabled():
        refusal = Conflict(_("MLOG_URL este gol: adaptorul MLog este oprit, iar evenimentele "
                             "puse la coadă nu ar fi trimise."), code="mlog_disabled")
    elif chain and not AuditChainHead.objects.filter(chain=chain).exists():
        refusal = InvalidInput(_("Lanțul de audit „%(chain)s” nu există.") % {"chain": chain},
                               code="unknown_chain")
    if refusal is not None:
        audit_record(action="mlog.backfill", outcome=AuditEvent.Outcome.FAILURE, tenant=None,
                     actor_label=actor_label, details={**details, "reason": refusal.code})
        raise refusal
    # The start of that day where the platform is (TIME_ZONE), not in UTC.
    start = timezone.make_aware(datetime.combine(since, time.min)) if since else None
    queued, after = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_BATCH, {"after": after, "since": start, "chain": chain,
                                    "size": batch_size})
            last_id, added = cursor.fetchone()
        if last_id is None:
            break
        queued, after = queued + added, last_id
    # This event gets its own row (the adapter is on), whose commit also kicks a drain.
    audit_record(action="mlog.backfill", tenant=None, actor_label=actor_label,
                 details={**details, "queued": queued})
    return queued
