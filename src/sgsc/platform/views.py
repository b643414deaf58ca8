"""Pages every host has: home, and the Romanian error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from sgsc.platform.errors import error_body
from sgsc.shared_apps.identity.roles import ROLE_LABELS
from sgsc.shared_apps.identity.selectors import user_roles_on


@login_required
def home(request: HttpRequest) -> HttpResponse:
    tenant = getattr(request, "tenant", None)
    roles = user_roles_on(user=request.user, tenant=tenant)  # type: ignore[arg-type]
    return render(request, "platform/home.html",
                  {"role_labels": [ROLE_LABELS.get(role, role) for role in roles]})


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


_ERRORS = {
    400: ("bad_request", _("Cererea nu este validă.")),
    403: ("permission_denied", _("Nu aveți dreptul să accesați această pagină.")),
    404: ("not_found", _("Pagina căutată nu există.")),
    500: ("server_error", _("A apărut o eroare internă. Echipa tehnică a fost anunțată.")),
}


def error_response(request: HttpRequest, *, status: int, code: str, message: str) -> HttpResponse:
    """The error as JSON for API clients, else the Romanian error page."""
    if wants_json(request):
        return JsonResponse(error_body(code, message), status=status)
    return render(request, "errors/page.html",
                  {"status": status, "message": message, "code": code}, status=status)


def _error_page(request: HttpRequest, status: int) -> HttpResponse:
    code, message = _ERRORS[status]
    return error_response(request, status=status, code=code, message=str(message))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page(request, 500)
