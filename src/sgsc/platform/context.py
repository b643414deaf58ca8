"""Per-request (or per-task) context: request id, tenant, user and client address.

Set by middleware and by the Celery signals; read by logging, Sentry and the audit service.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    tenant: str = ""  # schema name, "public" on the public host
    user_id: int | None = None
    user_label: str = ""
    ip: str | None = None


_EMPTY = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("sgsc_request_context", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current() -> RequestContext:
    return _current.get() or _EMPTY


def bind(**changes: object) -> None:
    _current.set(replace(current(), **changes))  # type: ignore[arg-type]


def reset() -> None:
    _current.set(None)
