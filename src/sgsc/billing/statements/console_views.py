"""The State Chancellery's console "Utilizare și costuri" (public host, ``tariffs.review``):
usage and amounts across providers by month and component, with charts; drill-down from a
total to a provider and its usage records; a what-if with another approved tariff version."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sgsc.billing.statements.calculation import COMPONENT_ORDER, totals_of
from sgsc.billing.statements.charts import bar_chart
from sgsc.billing.statements.documents import COMPONENT_LABELS
from sgsc.billing.statements.forms import WhatIfForm
from sgsc.billing.statements.models import Statement
from sgsc.billing.statements.selectors import (
    console_month,
    console_trend,
    contracts_billable,
    statement_list,
)
from sgsc.billing.statements.services import statement_compute
from sgsc.billing.usage.models import MONTH_TOTAL_LABELS, Metric
from sgsc.billing.usage.selectors import parse_month, previous_month, usage_records
from sgsc.platform.access import capability_required
from sgsc.platform.csv_export import csv_response
from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.workdays.selectors import local_date
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_list_real

REVIEW = Capability.TARIFFS_REVIEW


def _month(request: HttpRequest) -> date:
    return parse_month(request.GET.get("luna", "")) or previous_month(local_date(timezone.now()))


def _tenant(slug: str) -> Tenant:
    tenant = tenant_list_real().filter(slug=slug).first()
    if tenant is None:
        raise Http404
    return tenant


def _csv_export(month: date, header: list[object], rows: list[list[object]], *,
                name: str) -> HttpResponse:
    audit_record(action="billing.console.export", tenant=None, object_type="month",
                 object_id=month.strftime("%Y-%m"), details={"export": name})
    return csv_response(f"{name}-{month:%Y-%m}.csv", header, rows)


@capability_required(REVIEW)
@require_GET
def console_usage(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    overview = console_month(month=month)
    components = [kind for kind in COMPONENT_ORDER if kind in overview.component_totals]
    metrics = list(MONTH_TOTAL_LABELS.items())
    if request.GET.get("format") == "csv":
        header: list[object] = [_("Prestator"), *[COMPONENT_LABELS[c] for c in components],
                                _("Total"), *[label for _m, label in metrics]]
        rows: list[list[object]] = [[row.tenant.name, *[row.amounts.get(c, "") for c in components], row.total,
                 *[row.usage.get(m, "") for m, _label in metrics]] for row in overview.rows]
        return _csv_export(month, header, rows, name="utilizare-si-costuri")
    query = f"?luna={month:%Y-%m}"
    by_provider = bar_chart(title=_("Total pe prestatori (MDL)"), items=[
        (row.tenant.name, row.total,
         reverse("billing-console-provider", args=[row.tenant.slug]) + query)
        for row in overview.rows if row.total])
    by_component = bar_chart(title=_("Total pe componente (MDL)"), items=[
        (str(COMPONENT_LABELS[c]), overview.component_totals[c], "") for c in components])
    trend = bar_chart(title=_("Ultimele 12 luni (MDL)"), items=[
        (first.strftime("%m.%Y"), total,
         reverse("billing-console") + f"?luna={first:%Y-%m}")
        for first, total in console_trend(until=month)])
    return render(request, "statements/console.html", {
        "month": month, "overview": overview, "metrics": metrics,
        "components": [(c, COMPONENT_LABELS[c]) for c in components],
        "charts": [by_provider, by_component, trend],
    })


@capability_required(REVIEW)
@require_GET
def console_provider(request: HttpRequest, slug: str) -> HttpResponse:
    """A provider's month: its statements with their lines, then the usage records."""
    tenant = _tenant(slug)
    month = _month(request)
    metric = request.GET.get("indicator", "")
    records = usage_records(month=month, tenant=tenant, metric=metric)
    if request.GET.get("format") == "csv":
        header: list[object] = [_("Ziua"), _("Indicator"), _("Cantitate"), _("Tip"),
                                _("Corectează"), _("Motivul"), _("Calculat la"), "id"]
        rows: list[list[object]] = [[r.day, r.metric, r.quantity, r.kind, r.adjusts_id or "",
                                     r.reason, r.computed_at.isoformat(), r.pk] for r in records]
        return _csv_export(month, header, rows, name=f"utilizare-{tenant.slug}")
    statements = (statement_list(tenant=tenant, month=month, issued_only=True)
                  .prefetch_related("lines__version__schedule", "allocations__institution"))
    page = Paginator(records, 50).get_page(request.GET.get("pagina"))
    return render(request, "statements/console_provider.html", {
        "tenant": tenant, "month": month, "statements": statements, "page": page,
        "metric": metric, "metrics": Metric.choices, "labels": COMPONENT_LABELS,
        "query": f"luna={month:%Y-%m}" + (f"&indicator={metric}" if metric else ""),
        "highlight": request.GET.get("linie", ""),
    })


@capability_required(REVIEW)
@require_GET
def console_what_if(request: HttpRequest, slug: str) -> HttpResponse:
    """The provider's month recomputed with another approved version (nothing is stored),
    next to what was issued."""
    tenant = _tenant(slug)
    # The console's "Simulare" link names only the month: that prefills the form, it is not
    # a request to compute (which would greet the reader with "field required").
    bound = "version" in request.GET
    form = WhatIfForm(request.GET if bound else None,
                      initial={"month": request.GET.get("month", "")})
    context: dict[str, object] = {"tenant": tenant, "form": form, "labels": COMPONENT_LABELS}
    if form.is_bound and form.is_valid():
        month, version = form.cleaned_data["month"], form.cleaned_data["version"]
        contracts = contracts_billable(month=month).filter(tenant=tenant)
        # One query each, not one per contract: the version's components (every contract
        # applies it) and the issued statements (at most one per contract and month).
        prefetch_related_objects([version], "components")
        issued_by_contract = {statement.contract_id: statement for statement in statement_list(
            tenant=tenant, month=month, status=Statement.Status.ISSUED,
            kind=Statement.Kind.STATEMENT)}
        results = []
        for contract in contracts:
            try:
                _days, lines, _usage = statement_compute(contract=contract, month=month,
                                                         version=version)
            except ApplicationError as error:
                results.append({"contract": contract, "error": error.message})
                continue
            issued = issued_by_contract.get(contract.pk)
            totals = totals_of(lines)
            results.append({"contract": contract, "lines": lines, "totals": totals,
                            "issued": issued,
                            "difference": totals.total - issued.total if issued else None})
        context.update({"month": month, "version": version, "results": results})
    elif form.is_bound:
        return render(request, "statements/console_what_if.html", context, status=400)
    return render(request, "statements/console_what_if.html", context)
