"""Answers for hosts that do not lead to a working tenant, and AGE's list of tenants."""

from __future__ import annotations

import logging

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from sgsc.platform.access import capability_required
from sgsc.platform.views import error_response
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_list_real

logger = logging.getLogger(__name__)


class UnknownHostView(View):
    """No tenant answers to this host name: 404, in Romanian, JSON under /api/."""

    def get(self, request: HttpRequest) -> HttpResponse:
        # Not an access to anyone's data, so a log line rather than an audit event.
        logger.warning("request for unknown host %s", request.get_host())
        return error_response(request, status=404, code="unknown_host",
                              message=_("Nu există niciun spațiu SGSC la această adresă."))

    post = put = patch = delete = head = options = get


_UNAVAILABLE_MESSAGES = {
    "tenant_suspended": gettext_lazy("Accesul la acest spațiu este suspendat. Contactați AGE."),
    "tenant_terminated": gettext_lazy(
        "Contractul acestui spațiu a încetat; accesul nu mai este posibil."),
    "tenant_provisioning": gettext_lazy(
        "Acest spațiu este în curs de configurare și nu este încă disponibil."),
}


def tenant_unavailable_response(request: HttpRequest, *, tenant: Tenant, code: str) -> HttpResponse:
    """Refuse a request to a tenant that is not active; the attempt is audited."""
    audit_record(action="access.refused", outcome=AuditEvent.Outcome.FAILURE, tenant=tenant,
                 object_type="url", object_id=request.path[:100],
                 details={"code": code, "method": request.method})
    return error_response(request, status=403, code=code,
                          message=f"{tenant.name}: {_UNAVAILABLE_MESSAGES[code]}")


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
