"""AGE's metering page (public host, ``billing.manage``): run a day, correct a record, browse
the records."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.billing.usage.forms import AdjustForm, MeterForm
from sgsc.billing.usage.selectors import parse_month, previous_month, usage_records
from sgsc.billing.usage.services import usage_adjust, usage_meter_request
from sgsc.platform.access import capability_required
from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.workdays.selectors import local_date


@capability_required(Capability.BILLING_MANAGE)
def billing_usage(request: HttpRequest) -> HttpResponse:
    month = parse_month(request.GET.get("luna", "")) or previous_month(
        local_date(timezone.now()))
    meter_form = MeterForm(request.POST if request.POST.get("action") == "meter" else None)
    # Both forms have "day" and "tenant": their own ids, or the labels point to the wrong one.
    adjust_form = AdjustForm(request.POST if request.POST.get("action") == "adjust" else None,
                             auto_id="adjust_%s")
    code = 200
    if meter_form.is_bound:
        if meter_form.is_valid():
            data = meter_form.cleaned_data
            try:
                created = usage_meter_request(day=data["day"], tenant=data["tenant"],
                                              actor=request.user)  # type: ignore[arg-type]
            except ApplicationError as error:
                meter_form.add_error(None, error.message)
                code = error.status_code
            else:
                messages.success(request, _("Înregistrări noi: %(n)d.") % {"n": created}
                                 if data["tenant"] else
                                 _("Măsurarea zilei a fost pornită pentru toți prestatorii."))
                return redirect("billing-usage")
        else:
            code = 400
    if adjust_form.is_bound:
        if adjust_form.is_valid():
            data = adjust_form.cleaned_data
            try:
                usage_adjust(tenant=data["tenant"], day=data["day"], metric=data["metric"],
                             quantity=data["quantity"], reason=data["reason"],
                             actor=request.user)  # type: ignore[arg-type]
            except ApplicationError as error:
                adjust_form.add_error(None, error.message)
                code = error.status_code
            else:
                messages.success(request, _("Corecția a fost înregistrată."))
                return redirect("billing-usage")
        else:
            code = 400
    tenant_slug = request.GET.get("prestator", "")
    records = usage_records(month=month).filter(**({"tenant__slug": tenant_slug}
                                                    if tenant_slug else {}))
    page = Paginator(records, 50).get_page(request.GET.get("pagina"))
    return render(request, "usage/manage.html", {
        "meter_form": meter_form, "adjust_form": adjust_form, "page": page, "month": month,
        "tenant_slug": tenant_slug,
        "query": f"luna={month:%Y-%m}" + (f"&prestator={tenant_slug}" if tenant_slug else ""),
    }, status=code)
