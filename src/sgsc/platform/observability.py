"""Sentry, when a DSN is configured. Tags (tenant, request id) are set per request/task."""

from __future__ import annotations

from typing import Any

import sentry_sdk
from django.conf import settings
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from sgsc.platform import context


def _add_context(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Tag every event from the request (or task) context, the one source of these values."""
    ctx = context.current()
    tags = event.setdefault("tags", {})
    tags["tenant"] = ctx.tenant or "-"
    tags["request_id"] = ctx.request_id or "-"
    if ctx.user_id is not None:
        event["user"] = {"id": str(ctx.user_id)}  # the id only: no personal data
    return event


def init_sentry() -> bool:
    if not settings.SENTRY_DSN:
        return False
    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.SENTRY_ENVIRONMENT,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        traces_sample_rate=0.0,  # no personal data is sent: the default keeps PII out
        before_send=_add_context,  # type: ignore[arg-type]
    )
    return True
