"""Signal wiring: sign-in events to the audit log; task context for logs and Sentry."""

from __future__ import annotations

from typing import Any

from celery.signals import task_postrun, task_prerun
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from sgsc.platform import context
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.selectors import host_tenant
from sgsc.shared_apps.identity.services import sign_in_session_close, sign_in_session_register
from sgsc.tenants.schemas import current_schema_name

SESSION_TENANT_KEY = "sgsc_tenant"
# A sign-in view other than the password form (MPass) names itself on the request.
SIGN_IN_METHOD_ATTR = "sgsc_sign_in_method"


def _on_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    context.bind(user_id=user.pk, user_label=user.email)
    tenant = getattr(request, "tenant", None)
    method = getattr(request, SIGN_IN_METHOD_ATTR, "password")
    if tenant is not None and hasattr(request, "session"):
        # A session is valid only on the host where it was opened.
        request.session[SESSION_TENANT_KEY] = tenant.schema_name
        if request.session.session_key:
            sign_in_session_register(
                session_key=request.session.session_key, user=user,
                tenant=host_tenant(request), method=method, ip=context.current().ip,
                user_agent=request.headers.get("User-Agent", ""))
    audit_record(action="auth.login", actor=user, object_type="user", object_id=user.pk,
                 details={"method": method})


def _on_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        sign_in_session_close(session_key=session_key, reason="logout")
    if user is not None:
        audit_record(action="auth.logout", actor=user, object_type="user", object_id=user.pk)


def _on_login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                     **kwargs: Any) -> None:
    # Never store the password; the identifier tried is what the register needs (Annex 2 §43).
    tried = str(credentials.get("username") or credentials.get("email") or "")[:255]
    # django-axes marks the request when the username+address pair is locked out.
    reason = "account_locked" if getattr(request, "axes_locked_out", False) else kwargs.get(
        "reason", "invalid_credentials")
    audit_record(action="auth.login", outcome=AuditEvent.Outcome.FAILURE, actor_label=tried,
                 details={"method": "password", "reason": reason})


def _on_task_prerun(task_id: str, task: Any, **kwargs: Any) -> None:
    context.bind(request_id=task_id, tenant=current_schema_name())


def _on_task_postrun(**kwargs: Any) -> None:
    context.reset()


def connect() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="sgsc_audit_login")
    user_logged_out.connect(_on_logout, dispatch_uid="sgsc_audit_logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="sgsc_audit_login_failed")
    task_prerun.connect(_on_task_prerun, dispatch_uid="sgsc_task_context", weak=False)
    task_postrun.connect(_on_task_postrun, dispatch_uid="sgsc_task_context_reset", weak=False)
