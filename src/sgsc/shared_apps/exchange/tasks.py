"""The two legs of a cross-tenant hand-over, each run in the schema of the tenant that sent it
(the header tenant-schemas-celery carries): the delivery in the source's, the answers in the
target's. Both are idempotent and refuse an exchange that is not their tenant's. A sweep in
the public schema sends a delivery again when its task was lost."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.platform.celery import app
from sgsc.shared_apps.exchange.selectors import exchanges_stalled
from sgsc.shared_apps.exchange.services import (
    DELIVER_TASK,
    RELAY_TASK,
    exchange_deliver,
    exchange_relay_answers,
)

logger = logging.getLogger(__name__)
# Longer than a delivery with its retries normally takes; a sweep sends at most this many.
STALLED_AFTER = timedelta(minutes=10)
RESEND_BATCH = 500


@app.task(name=DELIVER_TASK, time_limit=120, soft_time_limit=100,
          autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def deliver(exchange_id: str) -> str:
    """Register the exchange's ticket in the target tenant (the target ticket's number)."""
    return exchange_deliver(exchange_id=exchange_id)


@app.task(name=RELAY_TASK, time_limit=120, soft_time_limit=100,
          autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def relay_answers(exchange_id: str) -> int:
    """Bring the target's new answers back to the source ticket (how many crossed)."""
    return exchange_relay_answers(exchange_id=exchange_id)


@app.task(name="exchange.resend_stalled", time_limit=120, soft_time_limit=100)
def resend_stalled() -> int:
    """Send the delivery again for every exchange still ``requested`` after
    ``STALLED_AFTER`` (a lost broker message, retries exhausted), from its source's schema.
    Delivery is idempotent, so a delivery that was only slow is not done twice."""
    stalled = list(exchanges_stalled(before=timezone.now() - STALLED_AFTER)[:RESEND_BATCH])
    for exchange in stalled:
        with schema_context(exchange.source_tenant.schema_name):
            app.send_task(DELIVER_TASK, kwargs={"exchange_id": str(exchange.pk)})
    if stalled:
        logger.warning("exchange deliveries sent again: %d", len(stalled))
    return len(stalled)
