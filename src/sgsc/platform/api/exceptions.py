"""The one DRF exception handler: every error is ``{"error": {code, message, fields}}``."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response

from sgsc.platform.errors import ApplicationError, error_body
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record

logger = logging.getLogger(__name__)

_DRF_CODES: dict[type[drf_exceptions.APIException], str] = {
    drf_exceptions.ValidationError: "invalid_input",
    drf_exceptions.ParseError: "malformed_request",
    drf_exceptions.NotAuthenticated: "not_authenticated",
    drf_exceptions.AuthenticationFailed: "authentication_failed",
    drf_exceptions.PermissionDenied: "permission_denied",
    drf_exceptions.NotFound: "not_found",
    drf_exceptions.MethodNotAllowed: "method_not_allowed",
    drf_exceptions.NotAcceptable: "not_acceptable",
    drf_exceptions.UnsupportedMediaType: "unsupported_media_type",
    drf_exceptions.Throttled: "throttled",
}
_MESSAGES = {
    "invalid_input": _("Datele trimise nu sunt valide."),
    "malformed_request": _("Cererea nu poate fi citită."),
    "not_authenticated": _("Autentificarea este necesară."),
    "authentication_failed": _("Autentificarea a eșuat."),
    "permission_denied": _("Nu aveți dreptul să efectuați această acțiune."),
    "not_found": _("Resursa nu a fost găsită."),
    "method_not_allowed": _("Metoda nu este permisă."),
    "not_acceptable": _("Formatul cerut nu este disponibil."),
    "unsupported_media_type": _("Tipul conținutului nu este acceptat."),
    "throttled": _("Prea multe cereri. Reîncercați mai târziu."),
}


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        fields: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub_key, sub_value in _flatten(value).items():
                    fields[f"{key}.{sub_key}"] = sub_value
            elif isinstance(value, list):
                fields[str(key)] = [str(item) for item in value]
            else:
                fields[str(key)] = [str(value)]
        return fields
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in detail]}
    return {"non_field_errors": [str(detail)]}


_AUDITED_CODES = frozenset({"not_authenticated", "authentication_failed", "permission_denied"})


def _audit_denial(request: Any, code: str) -> None:
    """Refused API access is recorded like any other access attempt (invariant 3)."""
    path = getattr(request, "path", "")
    audit_record(action="access.denied", outcome=AuditEvent.Outcome.FAILURE,
                 object_type="url", object_id=path[:100],
                 details={"code": code, "method": getattr(request, "method", "")})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = (
            {key: [str(m) for m in messages] for key, messages in exc.message_dict.items()}
            if hasattr(exc, "error_dict") else {"non_field_errors": [str(m) for m in exc.messages]}
        )
        return Response(error_body("invalid_input", str(_MESSAGES["invalid_input"]), fields),
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    if not isinstance(exc, drf_exceptions.APIException):
        return None  # a real bug: Django's 500 handling and Sentry take it
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    if code in _AUDITED_CODES:
        _audit_denial(context.get("request"), code)
    invalid_fields = (_flatten(exc.detail) if isinstance(exc, drf_exceptions.ValidationError)
                      else None)
    known = _MESSAGES.get(code)
    message = str(known) if known is not None else str(exc.detail)
    headers: dict[str, str] = {}
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = str(auth_header)
    wait = getattr(exc, "wait", None)
    if wait is not None:
        headers["Retry-After"] = str(int(wait))
    return Response(error_body(code, message, invalid_fields), status=exc.status_code,
                    headers=headers)
