"""Periodic ticket jobs (beat entries in sgsc.platform.celery, fanned out per tenant)."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError

from sgsc.platform.celery import app
from sgsc.tenant_apps.tickets.attachments import attachments_rescan
from sgsc.tenants.schemas import current_schema_name
from sgsc.tenants.selectors import tenant_list_real

logger = logging.getLogger(__name__)


@app.task(name="tickets.attachments_rescan", time_limit=600, soft_time_limit=540,
          autoretry_for=(OperationalError, InterfaceError), retry_backoff=30, max_retries=3)
def attachments_rescan_task() -> int:
    """Every 5 minutes, in each tenant's schema: scan again the attachments waiting in
    quarantine (idempotent: each is locked and re-checked before its verdict is applied)."""
    schema = current_schema_name()
    if not tenant_list_real().filter(schema_name=schema).exists():
        logger.warning("tickets.attachments_rescan ignored in schema %s", schema)
        return 0
    return attachments_rescan()
