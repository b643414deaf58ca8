"""Filling and draining the MLog outbox.

Filling: ``audit_record`` calls ``mlog_outbox_add`` inside its transaction. With ``MLOG_URL``
empty the adapter is off and no rows are written (the audit log itself stays complete; a
platform not registered with MLog would otherwise pile up rows that no one ships).

Draining (``mlog_outbox_drain``, the ``mlog.drain`` task): due rows, oldest first, locked with
``SKIP LOCKED`` so that concurrent runs take different rows, go out in batches whose body
stays under ``MLOG_BATCH_MAX_BYTES``; one batch per transaction. Delivery is at least once:
a crash between MLog's answer and our commit sends the batch again (``event_id`` tells the
copies apart). Rows are never deleted.

Failures:
- MLog unreachable, 5xx, 429 (``unavailable``), or 401/403/404/TLS (``configuration``, logged
  as an error: a certificate or URL to fix): the batch's rows wait with exponential backoff
  and jitter (capped by ``MLOG_RETRY_MAX_SECONDS``) and the whole outbox pauses until the
  earliest of them is due; the run stops. The next success releases every waiting row.
- 413 or 400: the batch is halved until the one event MLog refuses is alone; it waits with
  backoff (``rejected``, logged as an error) while the others go on.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from sgsc.integrations.mlog.client import (
    MLogClient,
    MLogConfigurationError,
    MLogError,
    MLogPayloadTooLarge,
    MLogRejected,
    MLogUnavailable,
)
from sgsc.integrations.mlog.events import (
    batch_body,
    batches_split,
    event_encode,
    mlog_event_for,
)
from sgsc.integrations.mlog.models import MLogOutboxEntry
from sgsc.shared_apps.audit.models import AuditEvent

logger = logging.getLogger(__name__)

DRAIN_TASK = "mlog.drain"
KICK_CACHE_KEY = "mlog:drain-kick"
KICK_DEBOUNCE_SECONDS = 2.0
# Rows read (and locked) for one batch: more than a 256 KB batch of small events holds.
FETCH_ROWS = 1000
RETRY_BASE_SECONDS = 30
ErrorKind = MLogOutboxEntry.ErrorKind
PAUSING_ERRORS = (ErrorKind.UNAVAILABLE, ErrorKind.CONFIGURATION)


_OUTBOX_INSERT = (
    f"INSERT INTO {connection.ops.quote_name(MLogOutboxEntry._meta.db_table)} "  # noqa: S608
    "(event_id, created_at, next_attempt_at) VALUES (%s, %s, %s)")


def mlog_enabled() -> bool:
    return bool(settings.MLOG_URL)


def mlog_outbox_add(*, event: AuditEvent) -> None:
    """Queue ``event`` for MLog in the caller's transaction, and a drain after the commit."""
    if not mlog_enabled():
        return
    # A plain INSERT (the other columns have database defaults): every audited action pays
    # for it, and it costs half of Model.objects.create.
    with connection.cursor() as cursor:
        cursor.execute(_OUTBOX_INSERT, [event.pk, event.occurred_at, event.occurred_at])
    transaction.on_commit(_drain_kick, robust=True)


class _Kick:
    covered_until = 0.0  # monotonic time until which a drain this process asked for is due


def _drain_kick() -> None:
    """Ask for one drain per short window rather than one per event.

    The first commit of a window sends the task with a countdown of the window's length, so
    it runs after every commit of the window. A cache key tells the other processes that a
    drain is coming; within this process a clock spares the round trip to the cache. Missing
    a kick costs at most the beat's 30 s.
    """
    now = time.monotonic()
    if now < _Kick.covered_until:
        return
    if not cache.add(KICK_CACHE_KEY, 1, timeout=KICK_DEBOUNCE_SECONDS):
        return
    _Kick.covered_until = now + KICK_DEBOUNCE_SECONDS
    # Imported here: the audit service (and so this module) is imported before Celery is.
    from sgsc.platform.celery import app

    app.send_task(DRAIN_TASK, countdown=KICK_DEBOUNCE_SECONDS,
                  headers={"_schema_name": settings.PUBLIC_SCHEMA_NAME})


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... up to ``MLOG_RETRY_MAX_SECONDS``; a random point in the upper
    half of that, so that rows and workers do not all come back at the same moment."""
    ceiling = min(float(settings.MLOG_RETRY_MAX_SECONDS),
                  RETRY_BASE_SECONDS * 2.0 ** min(max(attempts - 1, 0), 20))
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311


def mlog_outbox_paused_until(*, now: datetime) -> datetime | None:
    """While MLog is down (or refuses us), nothing is sent before the earliest retry."""
    earliest = (MLogOutboxEntry.objects
                .filter(sent_at__isnull=True, error_kind__in=PAUSING_ERRORS)
                .aggregate(earliest=Min("next_attempt_at"))["earliest"])
    return earliest if earliest is not None and earliest > now else None


@dataclass
class DrainReport:
    sent: int = 0
    requests: int = 0
    rejected: int = 0
    # Why the run ended: empty, paused, unavailable, configuration, max_batches, time_budget,
    # disabled.
    stopped: str = ""
    paused_until: datetime | None = None


Encoded = tuple[MLogOutboxEntry, bytes]


@dataclass
class _Outcome:
    sent: list[tuple[list[MLogOutboxEntry], str]] = field(default_factory=list)
    rejected: list[tuple[MLogOutboxEntry, MLogError]] = field(default_factory=list)
    unsent: list[MLogOutboxEntry] = field(default_factory=list)
    failure: MLogError | None = None
    requests: int = 0


def _send(client: MLogClient, batch: list[Encoded], outcome: _Outcome) -> None:
    """Post ``batch``; on 413/400 halve it until the refused event is alone."""
    rows = [row for row, _data in batch]
    if outcome.failure is not None:
        outcome.unsent.extend(rows)
        return
    outcome.requests += 1
    try:
        uid = client.register(batch_body(data for _row, data in batch))
    except (MLogPayloadTooLarge, MLogRejected) as exc:
        if len(batch) == 1:
            outcome.rejected.append((rows[0], exc))
            return
        middle = len(batch) // 2
        _send(client, batch[:middle], outcome)
        _send(client, batch[middle:], outcome)
        return
    except (MLogUnavailable, MLogConfigurationError) as exc:
        outcome.failure = exc
        outcome.unsent.extend(rows)
        return
    outcome.sent.append((rows, uid))


def _record(outcome: _Outcome, *, now: datetime) -> None:
    for rows, uid in outcome.sent:
        MLogOutboxEntry.objects.filter(pk__in=[row.pk for row in rows]).update(
            sent_at=now, mlog_id=uid[:64], error_kind=ErrorKind.NONE, last_error="")
    waiting = [(row, exc, ErrorKind.REJECTED) for row, exc in outcome.rejected]
    if outcome.failure is not None:
        kind = (ErrorKind.UNAVAILABLE if isinstance(outcome.failure, MLogUnavailable)
                else ErrorKind.CONFIGURATION)
        waiting += [(row, outcome.failure, kind) for row in outcome.unsent]
    for row, exc, kind in waiting:
        row.attempts += 1
        row.next_attempt_at = now + retry_delay(row.attempts)
        row.error_kind = kind
        row.last_error = str(exc)
    MLogOutboxEntry.objects.bulk_update(
        [row for row, _exc, _kind in waiting],
        ["attempts", "next_attempt_at", "error_kind", "last_error"])
    for row, exc, _kind in waiting[:len(outcome.rejected)]:
        logger.error("MLog refused audit event %s (outbox row %s): %s", row.event_id, row.pk,
                     exc)
    if isinstance(outcome.failure, MLogUnavailable):
        logger.warning("MLog unavailable, %d events wait: %s", len(outcome.unsent),
                       outcome.failure)
    elif outcome.failure is not None:
        logger.error("MLog refuses our client (check MLOG_URL, MLOG_CERT_FILE, MLOG_KEY_FILE, "
                     "MLOG_CA_FILE and the registration with MLog), %d events wait: %s",
                     len(outcome.unsent), outcome.failure)


def _drain_batch(*, client: MLogClient, report: DrainReport) -> str:
    """Send one batch in one transaction; return why to stop, or "" to go on."""
    max_bytes = settings.MLOG_BATCH_MAX_BYTES
    platform_idno = settings.MLOG_LEGAL_ENTITY_IDNO
    with transaction.atomic():
        now = timezone.now()
        report.paused_until = mlog_outbox_paused_until(now=now)
        if report.paused_until is not None:
            return "paused"
        rows = list(MLogOutboxEntry.objects
                    .select_for_update(skip_locked=True, of=("self",))
                    .filter(sent_at__isnull=True, next_attempt_at__lte=now)
                    .select_related("event__actor", "event__tenant__institution")
                    .order_by("id")[:FETCH_ROWS])
        encoded = ((row, event_encode(mlog_event_for(row.event, platform_idno=platform_idno),
                                      max_bytes=max_bytes)) for row in rows)
        batch = next(batches_split(encoded, size=lambda item: len(item[1]),
                                   max_bytes=max_bytes), None)
        if batch is None:
            return "empty"
        outcome = _Outcome()
        _send(client, batch, outcome)
        _record(outcome, now=now)
        if outcome.sent and report.sent == 0:
            # MLog answers again: whatever waited for it is due now.
            MLogOutboxEntry.objects.filter(
                sent_at__isnull=True, error_kind__in=PAUSING_ERRORS, next_attempt_at__gt=now,
            ).update(next_attempt_at=now)
    report.requests += outcome.requests
    report.sent += sum(len(rows) for rows, _uid in outcome.sent)
    report.rejected += len(outcome.rejected)
    if isinstance(outcome.failure, MLogUnavailable):
        return "unavailable"
    return "configuration" if outcome.failure is not None else ""


def mlog_outbox_drain(*, max_batches: int = 20, time_budget: float = 120.0,
                      client: MLogClient | None = None) -> DrainReport:
    """Ship due outbox rows to MLog until none is left, MLog fails, or a limit is reached."""
    report = DrainReport()
    if not mlog_enabled():
        report.stopped = "disabled"
        return report
    own_client = client is None
    client = client or MLogClient.from_settings()
    deadline = time.monotonic() + time_budget
    try:
        for _batch in range(max_batches):
            if time.monotonic() > deadline:
                report.stopped = "time_budget"
                break
            report.stopped = _drain_batch(client=client, report=report)
            if report.stopped:
                break
        else:
            report.stopped = "max_batches"
    finally:
        if own_client:
            client.close()
    return report


def mlog_outbox_retry_now() -> int:
    """Make every unsent row due now (after a fix: MLog is back, a new certificate)."""
    return MLogOutboxEntry.objects.filter(sent_at__isnull=True).update(
        next_attempt_at=timezone.now())
