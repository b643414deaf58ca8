"""The trace of cross-tenant exchanges: on a tenant host the exchanges it sent or received,
on the public host every exchange (AGE). Readers are those of the audit log (``audit.view``):
this is the traceability record R8 asks for, and on the public host it shows what crossed
between tenants, which the wider ``platform.console`` audience (Chancellery, ASP) has no
business seeing."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sgsc.platform.access import capability_required
from sgsc.shared_apps.audit.forms import host_tenant
from sgsc.shared_apps.exchange.forms import ExchangeFilterForm
from sgsc.shared_apps.exchange.selectors import exchange_list
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.tickets.access import ticket_access_for

PAGE_SIZE = 50


@capability_required(Capability.AUDIT_VIEW)
def exchange_list_view(request: HttpRequest) -> HttpResponse:
    host = host_tenant(request)
    form = ExchangeFilterForm(request.GET, host=host)
    page = None
    if form.is_valid():
        exchanges = exchange_list(
            host=host, access=None if host.is_public else ticket_access_for(request),
            filters=form.filters())
        page = Paginator(exchanges, PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "exchange/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "host": host,
    }, status=200 if page is not None else 400)
