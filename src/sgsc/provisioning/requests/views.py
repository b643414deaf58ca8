"""Pages of connection requests: the public form (anonymous, Romanian) and AGE's console."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from sgsc.platform.access import capability_required
from sgsc.platform.errors import ApplicationError, Conflict
from sgsc.platform.views import error_response
from sgsc.provisioning.requests import services
from sgsc.provisioning.requests.forms import (
    ApproveForm,
    AskInfoForm,
    ConnectionRequestForm,
    InfoAnswerForm,
    InfoProvidedForm,
    RejectForm,
    StartReviewForm,
    WithdrawForm,
    apply_service_error,
)
from sgsc.provisioning.requests.models import ConnectionRequest, RequestDocument
from sgsc.provisioning.requests.selectors import (
    DeadlineState,
    connection_request_contract,
    connection_request_document_get,
    connection_request_get,
    connection_request_list,
    connection_requests_with_days_left,
)
from sgsc.provisioning.requests.throttling import TooManyRequests, submission_throttle_check
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import Capability

SESSION_KEY = "connection_requests_submitted"  # numbers this browser submitted


def _actor(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


# -- public form ---------------------------------------------------------------------------

def request_submit(request: HttpRequest) -> HttpResponse:
    """The public connection request form (anonymous). Nothing is stored unless it is valid."""
    posted = request.method == "POST"
    if posted:
        try:
            submission_throttle_check(request, channel="form")
        except TooManyRequests as error:
            refused = error_response(request, status=error.status_code, code=error.code,
                                     message=error.message)
            refused["Retry-After"] = str(error.retry_after)
            return refused
    form = ConnectionRequestForm(request.POST if posted else None,
                                 request.FILES if posted else None)
    if posted:
        if form.is_valid():
            try:
                created = services.connection_request_submit(**form.service_arguments(),
                                                             actor=_actor(request))
            except ApplicationError as error:
                apply_service_error(form, error)
            else:
                # Only this browser may see the confirmation: the number alone is not enough.
                submitted = [*request.session.get(SESSION_KEY, [])[-19:], created.number]
                request.session[SESSION_KEY] = submitted
                return redirect("connection-request-submitted", number=created.number)
        return render(request, "connection_requests/submit.html", {"form": form}, status=400)
    return render(request, "connection_requests/submit.html", {"form": form})


def request_submitted(request: HttpRequest, number: str) -> HttpResponse:
    if number not in request.session.get(SESSION_KEY, []):
        raise Http404
    try:
        created = ConnectionRequest.objects.select_related("institution").get(number=number)
    except ConnectionRequest.DoesNotExist as error:
        raise Http404 from error
    return render(request, "connection_requests/submitted.html", {"created": created})


# -- the applicant's answer to a request for information -----------------------------------

def _private(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: never leak it to another site, never cache the page.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def request_info_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The public page of the one-time link e-mailed when AGE asks for more information."""
    try:
        link = services.info_link_check(token=token)
    except ApplicationError as error:
        services.info_link_refusal_record(token=token, code=error.code)
        return _private(render(request, "connection_requests/answer_unavailable.html",
                               {"message": error.message, "code": error.code,
                                "status": error.status_code}, status=error.status_code))
    posted = request.method == "POST"
    form = InfoAnswerForm(request.POST if posted else None, request.FILES if posted else None)
    status = 200
    if posted:
        status = 400
        if form.is_valid():
            documents = [(RequestDocument.Kind.OTHER, upload)
                         for upload in form.cleaned_data["document_other"]]
            try:
                services.connection_request_answer(token=token, note=form.cleaned_data["note"],
                                                   documents=documents)
            except ApplicationError as error:
                apply_service_error(form, error)
                status = error.status_code
            else:
                return _private(render(request, "connection_requests/answer_sent.html",
                                       {"cr": link.request}))
    return _private(render(request, "connection_requests/answer.html",
                           {"form": form, "link": link, "cr": link.request}, status=status))


# -- AGE console ---------------------------------------------------------------------------

_TIMING_CHOICES = [
    (DeadlineState.AT_RISK.value, _("În risc (cel mult 2 zile lucrătoare)")),
    (DeadlineState.LATE.value, _("Termen depășit")),
]


@capability_required(Capability.ONBOARDING_REVIEW)
def request_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "stare": request.GET.get("stare", ""),
        "mod": request.GET.get("mod", ""),
        "termen": request.GET.get("termen", ""),
        "q": request.GET.get("q", "").strip()[:100],
    }
    rows = connection_request_list(status=filters["stare"], mode=filters["mod"],
                                   timing=filters["termen"], search=filters["q"])
    page = Paginator(rows, 25).get_page(request.GET.get("pagina"))
    page.object_list = connection_requests_with_days_left(page.object_list)
    return render(request, "connection_requests/list.html", {
        "page": page, "filters": filters,
        "query": urlencode({key: value for key, value in filters.items() if value}),
        "statuses": ConnectionRequest.Status.choices, "modes": ConnectionRequest.Mode.choices,
        "timings": _TIMING_CHOICES,
    })


_ACTION_FORMS: dict[str, type[forms.Form]] = {
    "start_review": StartReviewForm,
    "ask_info": AskInfoForm,
    "info_provided": InfoProvidedForm,
    "approve": ApproveForm,
    "reject": RejectForm,
    "withdraw": WithdrawForm,
}
_ACTION_LABELS = {
    "start_review": _("Începe examinarea"),
    "ask_info": _("Solicită informații"),
    "info_provided": _("Înregistrează informațiile primite"),
    "approve": _("Aprobă"),
    "reject": _("Respinge"),
    "withdraw": _("Retragere"),
}
_ACTION_DONE = {
    "start_review": _("Examinarea a început."),
    "ask_info": _("Informațiile au fost solicitate; termenul este suspendat."),
    "info_provided": _("Informațiile au fost înregistrate; termenul s-a reluat."),
    "approve": _("Cererea a fost aprobată; proiectul de contract a fost întocmit."),
    "reject": _("Cererea a fost respinsă."),
    "withdraw": _("Retragerea cererii a fost înregistrată."),
}


def _get_or_404(pk: int) -> ConnectionRequest:
    try:
        return connection_request_get(pk=pk)
    except ConnectionRequest.DoesNotExist as error:
        raise Http404 from error


def _panel_context(request: HttpRequest, connection_request: ConnectionRequest,
                   bound: tuple[str, forms.Form] | None = None) -> dict[str, Any]:
    actions = []
    for action in services.connection_request_actions(status=connection_request.status):
        if bound is not None and bound[0] == action:
            form = bound[1]
        else:
            form = _ACTION_FORMS[action](prefix=action)
        actions.append({"name": action, "slug": action.replace("_", "-"),
                        "label": _ACTION_LABELS[action], "form": form,
                        "open": bound is not None and bound[0] == action,
                        "multipart": form.is_multipart()})
    error = ""
    if bound is not None and not any(item["name"] == bound[0] for item in actions):
        # The action is no longer offered (the request moved on): say why above the page.
        error = " ".join(str(message) for message in bound[1].non_field_errors())
    return {
        "cr": connection_request,
        "contract": connection_request_contract(connection_request=connection_request),
        "actions": actions,
        "error": error,
    }


@capability_required(Capability.ONBOARDING_REVIEW)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    connection_request = _get_or_404(pk)
    return render(request, "connection_requests/detail.html",
                  _panel_context(request, connection_request))


@capability_required(Capability.ONBOARDING_REVIEW)
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One action on a request: plain POST (redirect) or htmx (the panel, re-rendered)."""
    name = action.replace("-", "_")
    if name not in _ACTION_FORMS:
        raise Http404
    connection_request = _get_or_404(pk)
    form = _ACTION_FORMS[name](request.POST, request.FILES, prefix=name)
    error_status = 400
    if form.is_valid():
        try:
            _perform(name, connection_request, form, _actor(request))
        except ApplicationError as error:
            apply_service_error(form, error)
            error_status = 409 if isinstance(error, Conflict) else error.status_code
        else:
            if request.htmx:  # type: ignore[attr-defined]
                context = _panel_context(request, _get_or_404(pk))
                context["done"] = _ACTION_DONE[name]
                return render(request, "connection_requests/_panel.html", context)
            messages.success(request, _ACTION_DONE[name])
            return redirect("connection-request-detail", pk=pk)
    context = _panel_context(request, _get_or_404(pk), bound=(name, form))
    if request.htmx:  # type: ignore[attr-defined]
        # htmx swaps only 2xx answers: the errors come back in the panel itself.
        return render(request, "connection_requests/_panel.html", context)
    return render(request, "connection_requests/detail.html", context, status=error_status)


def _perform(name: str, connection_request: ConnectionRequest, form: forms.Form,
             actor: User | None) -> ConnectionRequest:
    data = form.cleaned_data
    if name == "start_review":
        return services.connection_request_start_review(connection_request=connection_request,
                                                        actor=actor)
    if name == "ask_info":
        return services.connection_request_ask_info(connection_request=connection_request,
                                                    message=data["message"], actor=actor)
    if name == "info_provided":
        documents = [(RequestDocument.Kind.OTHER, upload) for upload in data["document_other"]]
        return services.connection_request_info_provided(
            connection_request=connection_request, note=data["note"], documents=documents,
            actor=actor)
    if name == "approve":
        return services.connection_request_approve(connection_request=connection_request,
                                                   actor=actor, note=data["note"])
    if name == "reject":
        return services.connection_request_reject(
            connection_request=connection_request, actor=actor, reasons=data["reasons"],
            legal_basis=data["legal_basis"])
    return services.connection_request_withdraw(connection_request=connection_request,
                                                actor=actor, note=data["note"])


# A streamed file is not an HttpResponse, which is all the decorator's type admits.
@capability_required(Capability.ONBOARDING_REVIEW)  # type: ignore[arg-type]
def request_document(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """A document of a request, for AGE only; each download is audited."""
    try:
        document = connection_request_document_get(request_pk=pk, document_pk=document_pk)
    except RequestDocument.DoesNotExist as error:
        raise Http404 from error
    audit_record(action="connection_request.document.download", tenant=None,
                 object_type="connection_request", object_id=pk,
                 details={"document": document.pk, "sha256": document.sha256})
    return FileResponse(document.file.open("rb"), as_attachment=True,
                        filename=document.original_name, content_type="application/pdf")
