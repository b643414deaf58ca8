"""The audit viewer (auditors and AGE administrators)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sgsc.platform.access import capability_required
from sgsc.shared_apps.audit.forms import AuditFilterForm
from sgsc.shared_apps.audit.selectors import audit_event_list
from sgsc.shared_apps.identity.roles import Capability

PAGE_SIZE = 50


@capability_required(Capability.AUDIT_VIEW)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_event_list(tenant=getattr(request, "tenant", None), **filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "audit/list.html",
                  {"form": form, "page": page, "query": query.urlencode()})
