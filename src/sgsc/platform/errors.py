"""The one error hierarchy. Every expected failure carries a stable ``code``.

The API exception handler and ``ApplicationErrorMiddleware`` (HTML pages) turn these into
responses; a user's mistake never becomes a 500.
"""

from __future__ import annotations

from typing import Any


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The JSON error shape shared by the API, the health probes and host routing."""
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


class ApplicationError(Exception):
    """Base of every expected error. ``code`` is stable and documented; ``message`` is for people."""

    status_code = 400
    default_code = "application_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.fields = fields or {}
        self.details = details or {}

    def as_dict(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.fields)


class InvalidInput(ApplicationError):
    status_code = 400
    default_code = "invalid_input"


class NotAuthenticated(ApplicationError):
    status_code = 401
    default_code = "not_authenticated"


class AccessDenied(ApplicationError):
    status_code = 403
    default_code = "permission_denied"


class NotFound(ApplicationError):
    status_code = 404
    default_code = "not_found"


class Conflict(ApplicationError):
    """The request is valid but the current state forbids it (e.g. a wrong transition)."""

    status_code = 409
    default_code = "conflict"
