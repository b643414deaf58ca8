"""Request-level middleware: health probes, request context, CSP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from sgsc.platform import context
from sgsc.platform.api.permissions import request_capabilities
from sgsc.platform.errors import ApplicationError
from sgsc.platform.health import healthz, readyz
from sgsc.platform.signals import SESSION_TENANT_KEY
from sgsc.platform.views import error_response
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.services import sign_in_session_close

Handler = Callable[[HttpRequest], HttpResponse]
REQUEST_ID_HEADER = "X-Request-ID"


def client_ip(request: HttpRequest) -> str | None:
    # The ingress sets X-Forwarded-For; its first entry is the client.
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR")


class HealthCheckMiddleware:
    """Answer /healthz and /readyz on every host, before tenant routing.

    Probes reach pods by address, not by a tenant's host name, so they must not depend on it.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return healthz(request)
        if request.path == "/readyz":
            return readyz(request)
        return self.get_response(request)


class RequestContextMiddleware:
    """Give every request an id (kept from the proxy if sane) and bind it for logs and audit.

    Runs before tenant routing so refusals carry the id too; routing binds the tenant."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else ""
        request_id = request_id or context.new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        context.bind(request_id=request_id, ip=client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            context.reset()
        response[REQUEST_ID_HEADER] = request_id
        return response


class UserContextMiddleware:
    """After authentication: a session counts only on the host where it was opened and only
    while its holder still has access there (revocation, expiry and suspension take effect on
    the very next request); then the user joins the context (logs, audit, Sentry)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            refusal = self._refusal(request)
            if refusal is None:
                context.bind(user_id=user.pk, user_label=user.email)
            else:
                audit_record(action=refusal, outcome=AuditEvent.Outcome.FAILURE, actor=user,
                             details={"session_tenant": request.session.get(SESSION_TENANT_KEY)})
                sign_in_session_close(session_key=request.session.session_key or "",
                                      reason=refusal)
                request.session.flush()
                request.user = AnonymousUser()
        return self.get_response(request)

    @staticmethod
    def _refusal(request: HttpRequest) -> str | None:
        tenant = getattr(request, "tenant", None)
        session_tenant = request.session.get(SESSION_TENANT_KEY)
        if session_tenant is not None and tenant is not None and \
                session_tenant != tenant.schema_name:
            return "auth.session.foreign_host"
        capabilities = request_capabilities(request)
        return None if capabilities else "auth.session.no_access"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


def _has_nul(request: HttpRequest) -> bool:
    """PostgreSQL stores no NUL character: one in the path or a query parameter would reach a
    query and fail there (a 500). Form and JSON fields refuse it in their own validation."""
    return "\x00" in request.path or any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists())


class ApplicationErrorMiddleware:
    """An ``ApplicationError`` escaping an HTML view becomes its own status and message; a
    request no view can read (a NUL character) is refused before it reaches one."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Handler, args: Any,
                     kwargs: Any) -> HttpResponse | None:
        # Here, not in __call__: the host's URLconf is set by now (the error page links to it).
        if _has_nul(request):
            return error_response(request, status=400, code="malformed_request",
                                  message=_("Cererea conține caractere nepermise."))
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        return error_response(request, status=exception.status_code, code=exception.code,
                              message=exception.message)
