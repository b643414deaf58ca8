"""The periodic jobs over tickets, one task per tenant in its own schema (beat entries in
``sgsc.platform.celery`` send them through ``tenants.fan_out``): the SLA monitor every minute
and the lifecycle's housekeeping once a day.

Both take no arguments and act on the schema they run in; sent to a schema that is not an
active tenant's (public, the template, a suspended tenant) they do nothing.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError

from sgsc.platform.celery import app
from sgsc.tenant_apps.sla.monitor import sla_monitor_run
from sgsc.tenant_apps.tickets.housekeeping import tickets_housekeep
from sgsc.tenants.models import Tenant
from sgsc.tenants.schemas import current_schema_name
from sgsc.tenants.selectors import tenant_list_active

logger = logging.getLogger(__name__)


def _active_tenant_here(task: str) -> Tenant | None:
    schema = current_schema_name()
    tenant = tenant_list_active().filter(schema_name=schema).first()
    if tenant is None:
        logger.warning("%s ignored in schema %s (not an active tenant)", task, schema)
    return tenant


@app.task(name="sla.monitor", time_limit=120, soft_time_limit=100,
          autoretry_for=(OperationalError, InterfaceError), retry_backoff=10, max_retries=3)
def monitor() -> dict[str, int]:
    """Raise the SLA warnings and breaches that have come due in this tenant (idempotent;
    at most ``monitor.BATCH`` of each kind per run)."""
    tenant = _active_tenant_here("sla.monitor")
    if tenant is None:
        return {}
    return sla_monitor_run(tenant=tenant).counts()


@app.task(name="tickets.housekeeping", time_limit=600, soft_time_limit=540,
          autoretry_for=(OperationalError, InterfaceError), retry_backoff=60, max_retries=3)
def housekeeping() -> dict[str, int]:
    """Close the resolved tickets and archive the closed ones whose period has passed in this
    tenant (idempotent; a batch of short transactions at a time)."""
    tenant = _active_tenant_here("tickets.housekeeping")
    if tenant is None:
        return {}
    return tickets_housekeep(tenant=tenant).counts()
