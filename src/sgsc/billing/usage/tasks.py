"""The nightly metering: a dispatcher in ``public`` fans out one task per real tenant.

``tenants.fan_out`` sends tasks without arguments; metering needs the day fixed once by the
dispatcher (a task that waited in the queue past midnight must still meter the same day), so
the dispatcher sends the day itself, over the same tenant list (``tenant_list_real``: every
provider and hub, suspended or terminated ones too, never the template).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.billing.usage.services import usage_meter_tenant_day
from sgsc.platform.celery import app
from sgsc.shared_apps.workdays.selectors import local_date
from sgsc.tenants.schemas import current_schema_name
from sgsc.tenants.selectors import tenant_list_real

logger = logging.getLogger(__name__)


def usage_fan_out(*, day: date) -> list[str]:
    """Send ``usage.meter_tenant`` for ``day`` once per real tenant, from its schema."""
    schemas = list(tenant_list_real().order_by("schema_name")
                   .values_list("schema_name", flat=True))
    for schema in schemas:
        with schema_context(schema):
            app.send_task("usage.meter_tenant", kwargs={"day": day.isoformat()})
    logger.info("metering %s fanned out to %d tenants", day, len(schemas))
    return schemas


@app.task(name="usage.meter_dispatch", time_limit=120, soft_time_limit=100,
          autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def meter_dispatch(day: str | None = None) -> list[str]:
    """Nightly (beat, 01:15 Europe/Chisinau): meter the day that has just ended."""
    target = date.fromisoformat(day) if day else local_date(timezone.now()) - timedelta(days=1)
    return usage_fan_out(day=target)


@app.task(name="usage.meter_tenant", time_limit=240, soft_time_limit=200,
          autoretry_for=(OperationalError, InterfaceError), retry_backoff=30, max_retries=3)
def meter_tenant(day: str) -> int:
    """Meter one day of the tenant whose schema this task runs in (idempotent)."""
    schema = current_schema_name()
    tenant = tenant_list_real().filter(schema_name=schema).first()
    if tenant is None:  # sent from public or the template: nothing to meter there
        logger.warning("usage.meter_tenant ignored in schema %s", schema)
        return 0
    return len(usage_meter_tenant_day(tenant=tenant, day=date.fromisoformat(day)))
