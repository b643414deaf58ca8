"""Statement pages: AGE's list, detail and actions (public host, ``billing.manage``); the
provider admin's own usage and issued statements with their downloads (tenant host,
``billing.view``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sgsc.billing.statements import selectors
from sgsc.billing.statements.documents import (
    COMPONENT_LABELS,
    statement_csv_header,
    statement_csv_rows,
    statement_pdf_bytes,
)
from sgsc.billing.statements.forms import (
    AllocationKeyForm,
    ConfirmForm,
    StatementGenerateForm,
    VoidForm,
)
from sgsc.billing.statements.models import Statement
from sgsc.billing.statements.services import (
    hub_allocation_key,
    hub_allocation_key_set,
    statement_generate,
    statement_issue,
    statement_void,
)
from sgsc.billing.usage.models import MONTH_TOTAL_LABELS
from sgsc.billing.usage.selectors import (
    parse_month,
    previous_month,
    usage_month_totals,
    usage_records,
)
from sgsc.platform.access import capability_required
from sgsc.platform.csv_export import csv_response
from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.audit.services import CURRENT_TENANT, audit_record
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.institutions.models import HubAgreement
from sgsc.shared_apps.workdays.selectors import local_date
from sgsc.tenants.models import Tenant


def _own_tenant(request: HttpRequest) -> Tenant | None:
    """On a tenant host: that tenant (a provider sees only its own); on the public host: none."""
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    return None if tenant.is_public else tenant


@capability_required(Capability.BILLING_MANAGE)
def statement_list(request: HttpRequest) -> HttpResponse:
    month = parse_month(request.GET.get("luna", "")) or previous_month(
        local_date(timezone.now()))
    status = request.GET.get("stare", "")
    form = StatementGenerateForm(request.POST or None, month=month,
                                 initial={"month": month.strftime("%Y-%m")})
    code = 200
    if request.method == "POST" and form.is_valid():
        try:
            statement = statement_generate(contract=form.cleaned_data["contract"],
                                           month=form.cleaned_data["month"],
                                           actor=request.user)  # type: ignore[arg-type]
        except ApplicationError as error:
            form.add_error(None, error.message)
            code = error.status_code
        else:
            messages.success(request, _("Proiectul decontului a fost calculat."))
            return redirect("statement-detail", pk=statement.pk)
    elif request.method == "POST":
        code = 400
    statements = selectors.statement_list(month=month, status=status)
    page = Paginator(statements, 25).get_page(request.GET.get("pagina"))
    return render(request, "statements/list.html", {
        "page": page, "form": form, "month": month, "status": status,
        "statuses": Statement.Status.choices,
        "query": f"luna={month:%Y-%m}" + (f"&stare={status}" if status else ""),
    }, status=code)


def _detail(request: HttpRequest, statement: Statement, *, void_form: VoidForm | None = None,
            issue_form: ConfirmForm | None = None, status: int = 200) -> HttpResponse:
    agreement = None
    key_form = None
    if statement.tenant.kind == Tenant.Kind.HUB:
        agreement = HubAgreement.objects.filter(hub=statement.tenant).first()
        key_form = AllocationKeyForm(initial={"key": hub_allocation_key(tenant=statement.tenant)})
    return render(request, "statements/detail.html", {
        "statement": statement,
        "lines": statement.lines.select_related("version__schedule"),
        "allocations": statement.allocations.select_related("institution"),
        "void_form": void_form or VoidForm(), "issue_form": issue_form or ConfirmForm(),
        "agreement": agreement, "key_form": key_form, "labels": COMPONENT_LABELS,
    }, status=status)


@capability_required(Capability.BILLING_MANAGE)
@require_GET
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.statement_get(pk=pk))


@capability_required(Capability.BILLING_MANAGE)
@require_POST
def statement_issue_view(request: HttpRequest, pk: int) -> HttpResponse:
    statement = selectors.statement_get(pk=pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _detail(request, statement, issue_form=form, status=400)
    try:
        issued = statement_issue(statement=statement, actor=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        messages.error(request, error.message)
        return _detail(request, selectors.statement_get(pk=pk), status=error.status_code)
    messages.success(request, _("Decontul %(number)s a fost emis.") % {"number": issued.number})
    return redirect("statement-detail", pk=pk)


@capability_required(Capability.BILLING_MANAGE)
@require_POST
def statement_void_view(request: HttpRequest, pk: int) -> HttpResponse:
    statement = selectors.statement_get(pk=pk)
    form = VoidForm(request.POST)
    if not form.is_valid():
        return _detail(request, statement, void_form=form, status=400)
    try:
        note = statement_void(statement=statement, reason=form.cleaned_data["reason"],
                              actor=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        messages.error(request, error.message)
        return _detail(request, selectors.statement_get(pk=pk), status=error.status_code)
    messages.success(request, _("Decontul a fost anulat prin nota de credit %(number)s.")
                     % {"number": note.number})
    return redirect("statement-detail", pk=note.pk)


@capability_required(Capability.BILLING_MANAGE)
@require_POST
def hub_allocation_key_view(request: HttpRequest, pk: int) -> HttpResponse:
    statement = selectors.statement_get(pk=pk)
    form = AllocationKeyForm(request.POST)
    agreement = HubAgreement.objects.filter(hub=statement.tenant).first()
    if not form.is_valid() or agreement is None:
        messages.error(request, _("Cheia de repartizare nu a putut fi salvată."))
        return _detail(request, statement, status=400)
    hub_allocation_key_set(agreement=agreement, key=form.cleaned_data["key"],
                           actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Cheia de repartizare a fost salvată; se aplică deconturilor "
                                "calculate de acum înainte."))
    return redirect("statement-detail", pk=pk)


def _download(request: HttpRequest, pk: int, *, fmt: str) -> HttpResponse:
    tenant = _own_tenant(request)
    statement = selectors.statement_get(pk=pk, tenant=tenant, issued_only=tenant is not None)
    audit_record(action="statement.document.download",
                 tenant=CURRENT_TENANT if tenant is not None else None,
                 object_type="statement", object_id=statement.pk,
                 details={"format": fmt, "number": statement.number})
    name = statement.number or f"decont-proiect-{statement.pk}"
    if fmt == "pdf":
        response = HttpResponse(statement_pdf_bytes(statement=statement),
                                content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    else:
        response = csv_response(f"{name}.csv", statement_csv_header(),
                                statement_csv_rows(statement=statement))
    return response


# ``fmt`` ("pdf" or "csv") comes from the URL pattern's extra kwargs.
@capability_required(Capability.BILLING_MANAGE)
@require_GET
def statement_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    return _download(request, pk, fmt=fmt)


@capability_required(Capability.BILLING_VIEW)
@require_GET
def own_statement_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    return _download(request, pk, fmt=fmt)


@capability_required(Capability.BILLING_VIEW)
@require_GET
def own_billing(request: HttpRequest) -> HttpResponse:
    """The provider's own month of usage and its statements (never a draft)."""
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    month = parse_month(request.GET.get("luna", "")) or previous_month(
        local_date(timezone.now()))
    totals = usage_month_totals(month=month, tenant=tenant).get(tenant.pk, {})
    page = Paginator(usage_records(month=month, tenant=tenant), 62).get_page(
        request.GET.get("pagina"))
    return render(request, "statements/own.html", {
        "month": month, "totals": [(label, totals.get(metric)) for metric, label in MONTH_TOTAL_LABELS.items()],
        "page": page, "query": f"luna={month:%Y-%m}",
        "statements": selectors.statement_list(tenant=tenant, issued_only=True)[:36],
    })
