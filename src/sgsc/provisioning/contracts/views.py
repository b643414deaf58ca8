"""AGE console pages for contracts and for the standard contract's versions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sgsc.platform.access import capability_required
from sgsc.platform.api.permissions import request_capabilities
from sgsc.platform.errors import ApplicationError
from sgsc.provisioning.contracts import selectors
from sgsc.provisioning.contracts.forms import (
    ContractCancelForm,
    ContractDraftForm,
    ContractSignForm,
    ContractTemplateForm,
)
from sgsc.provisioning.contracts.models import Contract, ContractTemplate
from sgsc.provisioning.contracts.pdf import contract_pdf_bytes
from sgsc.provisioning.contracts.selectors import contract_get, contract_handover_clock
from sgsc.provisioning.contracts.services import (
    contract_cancel_draft,
    contract_record_handover,
    contract_sign,
    contract_template_create_version,
    contract_template_current,
    contract_update_draft,
)
from sgsc.provisioning.requests.models import Channel
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.workdays.selectors import work_calendar

PROVISIONING_PANEL = "onboarding/provisioning_panel.html"


def _get(pk: int) -> Contract:
    try:
        return contract_get(pk=pk)
    except Contract.DoesNotExist as error:
        raise Http404 from error


def _has_provisioning_panel() -> bool:
    """The onboarding app's fragment is shown only when it is installed."""
    try:
        select_template([PROVISIONING_PANEL])
    except TemplateDoesNotExist:
        return False
    return True


@capability_required(Capability.ONBOARDING_REVIEW)
@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("stare", "")
    contracts = selectors.contract_list(search=search, status=status)
    page = Paginator(contracts, 25).get_page(request.GET.get("pagina"))
    calendar = work_calendar()
    rows = [(contract, contract_handover_clock(contract=contract, calendar=calendar))
            for contract in page.object_list]
    query = "&".join(f"{key}={value}" for key, value in (("q", search), ("stare", status))
                     if value)
    return render(request, "contracts/list.html", {
        "page": page, "rows": rows, "search": search, "status": status, "query": query,
        "statuses": Contract.Status.choices,
    })


def _detail(request: HttpRequest, contract: Contract, *, draft_form: ContractDraftForm | None = None,
            sign_form: ContractSignForm | None = None,
            cancel_form: ContractCancelForm | None = None, status: int = 200) -> HttpResponse:
    is_draft = contract.status == Contract.Status.DRAFT
    labels = dict(Channel.choices)
    context: dict[str, Any] = {
        "contract": contract,
        "clock": contract_handover_clock(contract=contract),
        "signatures": list(contract.signatures.all()),
        "channel_labels": [labels.get(code, code) for code in contract.channels],
        "draft_form": (draft_form or ContractDraftForm.for_contract(contract)) if is_draft
        else None,
        "sign_form": (sign_form or ContractSignForm()) if is_draft else None,
        "sign_form_open": bool(sign_form is not None and sign_form.errors),
        "cancel_form": (cancel_form or ContractCancelForm()) if is_draft else None,
        "cancel_form_open": bool(cancel_form is not None and cancel_form.errors),
        "can_hand_over": (contract.status == Contract.Status.ACTIVE
                          and contract.handed_over_at is None),
        "provisioning_panel": _has_provisioning_panel(),
        "provisioning_panel_template": PROVISIONING_PANEL,
    }
    return render(request, "contracts/detail.html", context, status=status)


@capability_required(Capability.ONBOARDING_REVIEW)
@require_GET
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(pk))


def _errors_onto_form(form: forms.Form, error: ApplicationError) -> None:
    """A service's refusal shown next to the fields it names, and above the form."""
    for field, errors in error.fields.items():
        if field in form.fields:
            for message in errors:
                form.add_error(field, message)
    form.add_error(None, error.message)


@capability_required(Capability.ONBOARDING_REVIEW)
@require_POST
def contract_update(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get(pk)
    form = ContractDraftForm.for_contract(contract, request.POST)
    if not form.is_valid():
        return _detail(request, contract, draft_form=form, status=400)
    try:
        contract_update_draft(contract=contract, actor=request.user,  # type: ignore[arg-type]
                              **form.cleaned_data)
    except ApplicationError as error:
        _errors_onto_form(form, error)
        return _detail(request, _get(pk), draft_form=form, status=error.status_code)
    messages.success(request, _("Proiectul contractului a fost salvat."))
    return redirect("contract-detail", pk=pk)


@capability_required(Capability.ONBOARDING_REVIEW)
@require_POST
def contract_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get(pk)
    form = ContractSignForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, contract, sign_form=form, status=400)
    try:
        contract_sign(contract=contract, actor=request.user,  # type: ignore[arg-type]
                      **form.cleaned_data)
    except ApplicationError as error:
        _errors_onto_form(form, error)
        return _detail(request, _get(pk), sign_form=form, status=error.status_code)
    messages.success(request, _("Contractul a fost semnat; configurarea spațiului a început."))
    return redirect("contract-detail", pk=pk)


@capability_required(Capability.ONBOARDING_REVIEW)
@require_POST
def contract_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a draft (after the confirmation dialog); its request is closed with it."""
    contract = _get(pk)
    form = ContractCancelForm(request.POST)
    if not form.is_valid():
        return _detail(request, contract, cancel_form=form, status=400)
    try:
        contract_cancel_draft(contract=contract, actor=request.user,  # type: ignore[arg-type]
                              reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        _errors_onto_form(form, error)
        current = _get(pk)
        if current.status != Contract.Status.DRAFT:
            # No dialog on a contract that is no longer a draft: the reason goes above.
            messages.error(request, error.message)
        return _detail(request, current, cancel_form=form, status=error.status_code)
    messages.success(request, _("Proiectul de contract a fost anulat, iar cererea a fost "
                                "închisă."))
    return redirect("contract-detail", pk=pk)


@capability_required(Capability.ONBOARDING_REVIEW)
@require_POST
def contract_handover(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get(pk)
    try:
        contract_record_handover(contract=contract, actor=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        messages.error(request, error.message)
        return _detail(request, _get(pk), status=error.status_code)
    messages.success(request, _("Predarea accesului a fost înregistrată."))
    return redirect("contract-detail", pk=pk)


@capability_required(Capability.ONBOARDING_REVIEW)
@require_GET
def contract_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get(pk)
    response = HttpResponse(contract_pdf_bytes(contract=contract),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{contract.number}.pdf"'
    return response


@capability_required(Capability.ONBOARDING_REVIEW)
@require_GET
def contract_signed_document(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get(pk)
    signature = next(iter(contract.signatures.all()), None)
    if signature is None or not signature.document:
        raise Http404
    audit_record(action="contract.document.download", tenant=None, object_type="contract",
                 object_id=contract.pk, details={"sha256": signature.sha256})
    with signature.document.open("rb") as stored:  # at most 10 MB
        response = HttpResponse(stored.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{contract.number}-semnat.pdf"'
    return response


@capability_required(Capability.ONBOARDING_REVIEW)
def contract_template_list(request: HttpRequest) -> HttpResponse:
    can_create = Capability.TENANTS_MANAGE in request_capabilities(request)
    form: ContractTemplateForm | None = None
    status = 200
    if can_create:
        current = contract_template_current()
        form = ContractTemplateForm(request.POST or None, initial={
            "title": current.title if current else "", "body": current.body if current else "",
        })
    if request.method == "POST":
        if form is None:
            return capability_required(Capability.TENANTS_MANAGE)(contract_template_list)(
                request)
        if form.is_valid():
            try:
                template = contract_template_create_version(actor=request.user,  # type: ignore[arg-type]
                                                            **form.cleaned_data)
            except ApplicationError as error:
                for field, errors in error.fields.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
                status = error.status_code
            else:
                messages.success(request, _("Versiunea %(version)s a fost creată.")
                                 % {"version": template.version})
                return redirect("contract-template-list")
        else:
            status = 400
    page = Paginator(selectors.contract_template_list(), 20).get_page(request.GET.get("pagina"))
    return render(request, "contracts/templates.html", {
        "page": page, "form": form, "current": contract_template_current(),
    }, status=status)


@capability_required(Capability.ONBOARDING_REVIEW)
@require_GET
def contract_template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        template = selectors.contract_template_list().get(pk=pk)
    except ContractTemplate.DoesNotExist as error:
        raise Http404 from error
    return render(request, "contracts/template_detail.html", {"template": template})
