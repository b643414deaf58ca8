"""The two legs of a cross-tenant hand-over, each run in the schema of the tenant that sent it
(the header tenant-schemas-celery carries): the delivery in the source's, the answers in the
target's. Both are idempotent and refuse an exchange that is not their tenant's."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

from sgsc.platform.celery import app
from sgsc.shared_apps.exchange.services import (
    DELIVER_TASK,
    RELAY_TASK,
    exchange_deliver,
    exchange_relay_answers,
)


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
