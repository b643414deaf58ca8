"""Answers for hosts that do not lead to a working tenant."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from sgsc.platform.access import capability_required
from sgsc.platform.errors import error_body
from sgsc.platform.views import wants_json
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_list_real


class UnknownHostView(View):
    """No tenant answers to this host name: 404, in Romanian, JSON under /api/."""

    def get(self, request: HttpRequest) -> HttpResponse:
        message = _("Nu există niciun spațiu SGSC la această adresă.")
        if wants_json(request):
            return JsonResponse(error_body("unknown_host", message), status=404)
        hint = _("Verificați adresa introdusă sau adresați-vă instituției care v-a transmis "
                 "legătura.")
        return render(request, "errors/page.html",
                      {"status": 404, "message": message, "hint": hint}, status=404)

    post = put = patch = delete = head = options = get


_UNAVAILABLE_MESSAGES = {
    "tenant_suspended": gettext_lazy("Accesul la acest spațiu este suspendat. Contactați AGE."),
    "tenant_terminated": gettext_lazy(
        "Contractul acestui spațiu a încetat; accesul nu mai este posibil."),
    "tenant_provisioning": gettext_lazy(
        "Acest spațiu este în curs de configurare și nu este încă disponibil."),
}


def tenant_unavailable_response(request: HttpRequest, *, tenant: Tenant, code: str) -> HttpResponse:
    message = str(_UNAVAILABLE_MESSAGES[code])
    if wants_json(request):
        return JsonResponse(error_body(code, message), status=403)
    return render(request, "errors/page.html",
                  {"status": 403, "heading": tenant.name, "message": message, "code": code},
                  status=403)


@capability_required(Capability.TENANTS_MANAGE)
def tenant_list(request: HttpRequest) -> HttpResponse:
    """AGE's list of provider and hub tenants, searchable and paginated."""
    search = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("stare", "")
    tenants = tenant_list_real().prefetch_related("domains")
    if search:
        tenants = tenants.filter(Q(name__icontains=search) | Q(slug__icontains=search))
    if status in Tenant.Status.values:
        tenants = tenants.filter(status=status)
    page = Paginator(tenants.order_by("name"), 25).get_page(request.GET.get("pagina"))
    return render(request, "tenants/list.html", {
        "page": page, "search": search, "status": status, "statuses": Tenant.Status.choices,
    })
