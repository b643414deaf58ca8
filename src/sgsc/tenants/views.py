"""Answers for hosts that do not lead to a working tenant, and AGE's tenant pages: the list,
one tenant (status, contract, provisioning, hub members, lifecycle dialogs) and its export."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from sgsc.platform.access import capability_required
from sgsc.platform.errors import ApplicationError
from sgsc.platform.views import error_response
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.institutions.models import HubMembership
from sgsc.shared_apps.workdays.calendar import WorkCalendar
from sgsc.shared_apps.workdays.selectors import work_calendar, working_days_left
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_get_by_slug, tenant_list_real
from sgsc.tenants.services import tenant_export, tenant_set_status

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
    """AGE's list of provider and hub tenants, searchable and paginated, with the hand-over
    deadline of each one's contract."""
    from sgsc.provisioning.onboarding.selectors import contracts_for_tenants

    search = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("stare", "")
    tenants = tenant_list_real().prefetch_related("domains")
    if search:
        tenants = tenants.filter(Q(name__icontains=search) | Q(slug__icontains=search))
    if status in Tenant.Status.values:
        tenants = tenants.filter(status=status)
    page = Paginator(tenants.order_by("name"), 25).get_page(request.GET.get("pagina"))
    contracts = contracts_for_tenants(list(page.object_list))
    calendar = work_calendar() if contracts else None  # one query for the whole page
    rows = []
    for tenant in page.object_list:
        contract = contracts.get(tenant.pk)
        rows.append({"tenant": tenant, "contract": contract,
                     "days_left": _handover_days_left(contract, calendar)})
    query = "&".join(f"{key}={value}" for key, value in (("q", search), ("stare", status))
                     if value)
    return render(request, "tenants/list.html", {
        "page": page, "rows": rows, "search": search, "status": status,
        "statuses": Tenant.Status.choices, "query": query,
    })


def _handover_days_left(contract: Any, calendar: WorkCalendar | None = None) -> int | None:
    if contract is None or contract.handover_deadline is None or contract.handed_over_at:
        return None
    return working_days_left(deadline=contract.handover_deadline, calendar=calendar)


def _tenant_or_404(slug: str) -> Tenant:
    try:
        return tenant_get_by_slug(slug=slug)
    except Tenant.DoesNotExist as error:
        raise Http404 from error


def _contract_url(contract: Any) -> str:
    try:
        return reverse("contract-detail", args=[contract.pk])
    except NoReverseMatch:  # the contracts console is not installed
        return ""


def _member_choices(members: Iterable[HubMembership]) -> list[tuple[str, str]]:
    """A hub's current members as the amendment form's choices: (IDNO, "name (IDNO)")."""
    return [(m.institution.idno, f"{m.institution.name} ({m.institution.idno})")
            for m in members]


def _detail_context(request: HttpRequest, tenant: Tenant, **extra: Any) -> dict[str, Any]:
    from sgsc.provisioning.onboarding.forms import HubAmendmentForm, TenantStatusForm
    from sgsc.provisioning.onboarding.hubs import (
        hub_agreement_get,
        hub_amendments,
        hub_member_history,
        hub_members_current,
    )
    from sgsc.provisioning.onboarding.selectors import contract_for_tenant

    contract = contract_for_tenant(tenant=tenant)
    days_left = _handover_days_left(contract)
    context: dict[str, Any] = {
        "tenant": tenant,
        "host": next((d.domain for d in tenant.domains.all() if d.is_primary), ""),
        "contract": contract,
        "contract_url": _contract_url(contract) if contract else "",
        "days_left": days_left,
        "days_late": -days_left if days_left is not None and days_left < 0 else 0,
        "status_form": extra.pop("status_form", None) or TenantStatusForm(),
        "open_dialog": extra.pop("open_dialog", ""),
        "can_suspend": tenant.status == Tenant.Status.ACTIVE,
        "can_reactivate": tenant.status == Tenant.Status.SUSPENDED,
        "can_terminate": tenant.status != Tenant.Status.TERMINATED,
    }
    if tenant.kind == Tenant.Kind.HUB:
        current = list(hub_members_current(tenant))
        context.update({
            "hub_agreement": hub_agreement_get(tenant),
            "hub_members": current,
            "hub_history": list(hub_member_history(tenant)),
            "hub_amendments": list(hub_amendments(tenant)),
            "amend_form": extra.pop("amend_form", None) or HubAmendmentForm(
                members=_member_choices(current)),
        })
    context.update(extra)
    return context


@capability_required(Capability.TENANTS_MANAGE)
@require_GET
def tenant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = _tenant_or_404(slug)
    return render(request, "tenants/detail.html", _detail_context(request, tenant))


@capability_required(Capability.TENANTS_MANAGE)
@require_POST
def tenant_status_change(request: HttpRequest, slug: str) -> HttpResponse:
    from sgsc.provisioning.onboarding.forms import TenantStatusForm

    tenant = _tenant_or_404(slug)
    form = TenantStatusForm(request.POST)
    if form.is_valid():
        target = form.cleaned_data["status"]
        try:
            tenant_set_status(tenant=tenant, status=target,
                              reason=form.cleaned_data["reason"],
                              legal_basis=form.cleaned_data["legal_basis"],
                              actor=request.user)  # type: ignore[arg-type]
        except ApplicationError as error:
            for field, errors in error.fields.items():
                if field in form.fields:
                    for message in errors:
                        form.add_error(field, message)
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Starea spațiului a fost schimbată."))
            return redirect("tenant-detail", slug=tenant.slug)
    return render(request, "tenants/detail.html",
                  _detail_context(request, tenant, status_form=form,
                                  open_dialog=request.POST.get("status", "")),
                  status=400)


@capability_required(Capability.TENANTS_MANAGE)
@require_POST
def tenant_hub_amend(request: HttpRequest, slug: str) -> HttpResponse:
    from sgsc.provisioning.onboarding.forms import HubAmendmentForm
    from sgsc.provisioning.onboarding.hubs import hub_amend, hub_members_current

    tenant = _tenant_or_404(slug)
    if tenant.kind != Tenant.Kind.HUB:
        raise Http404
    form = HubAmendmentForm(request.POST, members=_member_choices(hub_members_current(tenant)))
    if form.is_valid():
        try:
            hub_amend(hub=tenant, number=form.cleaned_data["number"],
                      signed_on=form.cleaned_data["signed_on"],
                      add_idnos=form.cleaned_data["add_idnos"],
                      remove_idnos=form.cleaned_data["remove_idnos"],
                      note=form.cleaned_data["note"],
                      actor=request.user)  # type: ignore[arg-type]
        except ApplicationError as error:
            form.add_error(None, f"{error.message} [{error.code}]")
        else:
            messages.success(request, _("Amendamentul a fost înregistrat."))
            return redirect("tenant-detail", slug=tenant.slug)
    return render(request, "tenants/detail.html",
                  _detail_context(request, tenant, amend_form=form), status=400)


@capability_required(Capability.TENANTS_MANAGE)
@require_GET
def tenant_export_download(request: HttpRequest, slug: str) -> HttpResponse:
    """The tenant's data as a ZIP of JSON files (read only; audited by the service)."""
    tenant = _tenant_or_404(slug)
    name, content = tenant_export(tenant=tenant, actor=request.user)  # type: ignore[arg-type]
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
