"""Pages of provisioning: the live steps panel and "Reia" (public host), and the provider
admin's activation page (tenant host)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sgsc.platform.access import capability_required
from sgsc.platform.errors import ApplicationError
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.onboarding.forms import ActivationForm
from sgsc.provisioning.onboarding.services import (
    activation_link_check,
    activation_link_use,
    activation_refusal_record,
    provisioning_job_resume,
)
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenants.models import Tenant

PANEL_TEMPLATE = "onboarding/provisioning_panel.html"


@capability_required(Capability.ONBOARDING_REVIEW)
@require_GET
def provisioning_steps(request: HttpRequest, contract_pk: int) -> HttpResponse:
    """The steps panel alone: htmx polls it every 2 s while the job runs."""
    contract = get_object_or_404(Contract.objects.select_related("tenant"), pk=contract_pk)
    return render(request, PANEL_TEMPLATE, {"contract": contract})


@capability_required(Capability.ONBOARDING_REVIEW)
@require_POST
def provisioning_resume(request: HttpRequest, contract_pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract, pk=contract_pk)
    error_message = ""
    try:
        provisioning_job_resume(contract=contract, actor=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        error_message = error.message
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, PANEL_TEMPLATE,
                      {"contract": contract, "panel_error": error_message})
    if error_message:
        messages.error(request, error_message)
    else:
        messages.success(request, _("Configurarea a fost reluată."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = f"/contracte/{contract.pk}/"
    return redirect(target)


def _no_referrer(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: never leak it to another site, never cache the page.
    # "same-origin", not "no-referrer": with the latter browsers post the form with
    # ``Origin: null`` and the CSRF check refuses it.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def account_activate(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link from the access package: set a password, then be signed in here."""
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    try:
        link = activation_link_check(token=token, tenant=tenant)
    except ApplicationError as error:
        activation_refusal_record(token=token, tenant=tenant, code=error.code)
        return _no_referrer(render(
            request, "onboarding/activation_unavailable.html",
            {"message": error.message, "code": error.code, "status": error.status_code},
            status=error.status_code))
    form = ActivationForm(link.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = activation_link_use(token=token, tenant=tenant,
                                       password=form.cleaned_data["new_password1"])
        except ApplicationError as error:
            activation_refusal_record(token=token, tenant=tenant, code=error.code)
            form.add_error(None, error.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Contul a fost activat. Bine ați venit în SGSC!"))
            return redirect("home")
    return _no_referrer(render(request, "onboarding/activation.html",
                               {"form": form, "person": link.user, "tenant": tenant}))
