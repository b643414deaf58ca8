"""Fan-out: one periodic job becomes one task per active tenant, each in its own schema."""

from __future__ import annotations

import logging

from django_tenants.utils import schema_context

from sgsc.platform.celery import app
from sgsc.tenants.selectors import tenant_list_active, tenant_list_real

logger = logging.getLogger(__name__)


def fan_out_to_tenants(*, task_name: str, include_platform: bool = False,
                       only_active: bool = True) -> list[str]:
    """Send ``task_name`` once per tenant (template excluded), from that tenant's schema.

    The queue comes from ``task_routes``. ``only_active=False`` also reaches suspended and
    terminated tenants (e.g. audit checks, which concern their past too).
    """
    tenants = tenant_list_active() if only_active else tenant_list_real()
    schemas = list(tenants.values_list("schema_name", flat=True))
    for schema in schemas:
        with schema_context(schema):
            app.send_task(task_name)
    if include_platform:
        with schema_context("public"):
            app.send_task(task_name)
        schemas.append("public")
    logger.info("fanned out %s to %d schemas", task_name, len(schemas))
    return schemas


@app.task(name="tenants.fan_out", time_limit=120, soft_time_limit=100,
          autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def fan_out(task_name: str, include_platform: bool = False,
            only_active: bool = True) -> list[str]:
    return fan_out_to_tenants(task_name=task_name, include_platform=include_platform,
                              only_active=only_active)
