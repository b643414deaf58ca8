"""Throttling of connection-request submissions per client address.

The public form and the API share the counters (in the Django cache, Redis), so a bot cannot
double its quota by switching between them. Every window of
``CONNECTION_REQUEST_SUBMIT_RATES`` applies ("5/hour", "20/day"); a refused submission stores
nothing and is audited.

DRF's ``ScopedRateThrottle`` takes one rate per view, from ``DEFAULT_THROTTLE_RATES``; here
several windows apply to one view and to an HTML form, so each window is a
``SimpleRateThrottle`` (the same cache history and arithmetic) built from the setting.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

from sgsc.platform.errors import ApplicationError
from sgsc.platform.middleware import client_ip
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record


class TooManyRequests(ApplicationError):
    status_code = 429
    default_code = "too_many_requests"

    @property
    def retry_after(self) -> int:
        return int(self.details.get("retry_after", 0))


class SubmissionWindow(SimpleRateThrottle):
    """One window ("N/period") counted per client address, signed in or not."""

    def __init__(self, rate: str) -> None:
        self.rate = rate
        # The rate is part of the key: changing the setting starts fresh counters.
        self.scope = "connection_request_submit_" + rate.replace("/", "_")
        super().__init__()

    def get_cache_key(self, request: Any, view: Any) -> str:
        # The same client address as the audit log and the rest of the platform.
        return self.cache_format % {"scope": self.scope,
                                    "ident": client_ip(request) or "unknown"}


def submission_windows() -> list[SubmissionWindow]:
    return [SubmissionWindow(rate) for rate in settings.CONNECTION_REQUEST_SUBMIT_RATES]


def submission_refuse(*, wait: float | None, channel: str) -> TooManyRequests:
    """Audit a refused submission and return the error to raise (no row is written)."""
    seconds = max(1, math.ceil(wait or 0))
    audit_record(action="connection_request.submit", outcome=AuditEvent.Outcome.FAILURE,
                 tenant=None, object_type="connection_request", object_id="",
                 details={"code": TooManyRequests.default_code, "channel": channel,
                          "retry_after": seconds})
    return TooManyRequests(
        _("Prea multe cereri de conectare trimise de la această adresă. Reîncercați peste "
          "%(minutes)d minute.") % {"minutes": max(1, math.ceil(seconds / 60))},
        details={"retry_after": seconds})


def submission_throttle_check(request: HttpRequest, *, channel: str) -> None:
    """Count this submission in every window; raise ``TooManyRequests`` if one is full."""
    # DRF's throttles read only the address headers, which a plain HttpRequest has too.
    waits = [window.wait() for window in submission_windows()
             if not window.allow_request(request, None)]  # type: ignore[arg-type]
    if waits:
        raise submission_refuse(wait=max((w or 0) for w in waits), channel=channel)
