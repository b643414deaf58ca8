"""Periodic identity jobs (beat entries in sgsc.platform.celery)."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django_tenants.utils import get_public_schema_name, schema_context

from sgsc.platform.celery import app
from sgsc.shared_apps.identity.services import memberships_expire_due


# Routed to the periodic queue by sgsc.platform.celery's task_routes.
@app.task(name="identity.expire_memberships", time_limit=240,
          soft_time_limit=200, autoretry_for=(OperationalError, InterfaceError),
          retry_backoff=30, max_retries=3)
def expire_memberships() -> int:
    """Every 5 minutes: end temporary access whose end date has passed. Idempotent: each
    membership is locked and re-checked, so overlapping runs end it once. (Access already
    stops at its end date on every request; this ends the sessions and tokens too.)"""
    # Memberships live in the public schema, whichever schema the message names.
    with schema_context(get_public_schema_name()):
        return memberships_expire_due()
