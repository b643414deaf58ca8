"""Capability checks for HTML views; denials are audited (invariant 3)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from sgsc.platform.api.permissions import request_capabilities
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.roles import Capability

View = Callable[..., HttpResponse]


def capability_required(capability: Capability) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if capability not in request_capabilities(request):
                audit_record(action="access.denied", outcome=AuditEvent.Outcome.FAILURE,
                             object_type="url", object_id=request.path[:100],
                             details={"capability": capability.value,
                                      "method": request.method})
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
