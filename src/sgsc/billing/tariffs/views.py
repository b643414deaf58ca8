"""Tariff schedule pages on the public host: AGE drafts and submits, the Chancellery approves
or returns. Reading is open to both; every write names its own capability."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sgsc.billing.tariffs import selectors
from sgsc.billing.tariffs.forms import ApproveForm, ReturnForm, ScheduleForm, VersionForm
from sgsc.billing.tariffs.models import TariffSchedule, TariffScheduleVersion
from sgsc.billing.tariffs.services import (
    tariff_schedule_create,
    tariff_version_approve,
    tariff_version_delete,
    tariff_version_draft,
    tariff_version_new_from,
    tariff_version_return,
    tariff_version_submit,
    tariff_version_update,
)
from sgsc.platform.access import capability_required
from sgsc.platform.api.permissions import request_capabilities
from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.roles import Capability

MANAGE, REVIEW = Capability.TARIFFS_MANAGE, Capability.TARIFFS_REVIEW
View = Callable[..., HttpResponse]


def read_required(view: View) -> View:
    """AGE (manage) and the Chancellery (review) both read schedules; others are refused
    (and audited) by ``capability_required``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        held = request_capabilities(request) if request.user.is_authenticated else frozenset()
        capability = REVIEW if REVIEW in held else MANAGE
        return capability_required(capability)(view)(request, *args, **kwargs)

    return wrapper


# Shared with the API: an unknown schedule or version is a plain 404 on both.
def schedule_or_404(code: str) -> TariffSchedule:
    try:
        return selectors.tariff_schedule_get(code=code)
    except ApplicationError as error:
        raise Http404 from error


def version_or_404(pk: int) -> TariffScheduleVersion:
    try:
        return selectors.tariff_version_get(pk=pk)
    except ApplicationError as error:
        raise Http404 from error


def _errors_onto_form(form: forms.Form, error: ApplicationError) -> None:
    """A service's refusal next to the fields it names, and above the form."""
    for field, errors in error.fields.items():
        target = form.field_for(field) if isinstance(form, VersionForm) else (
            field if field in form.fields else None)
        for message in errors:
            if target is not None:
                form.add_error(target, message)
    form.add_error(None, error.message)


@read_required
def schedule_list(request: HttpRequest) -> HttpResponse:
    can_manage = MANAGE in request_capabilities(request)
    form = ScheduleForm(request.POST or None) if can_manage else None
    status = 200
    if request.method == "POST":
        if form is None:
            return capability_required(MANAGE)(schedule_list)(request)
        if form.is_valid():
            try:
                schedule = tariff_schedule_create(actor=request.user,  # type: ignore[arg-type]
                                                  **form.cleaned_data)
            except ApplicationError as error:
                _errors_onto_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Grila %(code)s a fost creată.")
                                 % {"code": schedule.code})
                return redirect("tariff-schedule-detail", code=schedule.code)
        else:
            status = 400
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.tariff_schedule_list(search=search), 25).get_page(
        request.GET.get("pagina"))
    return render(request, "tariffs/schedule_list.html", {
        "page": page, "search": search, "query": f"q={search}" if search else "",
        "form": form, "pending": selectors.tariff_version_pending().count(),
    }, status=status)


@read_required
@require_GET
def schedule_detail(request: HttpRequest, code: str) -> HttpResponse:
    schedule = schedule_or_404(code)
    page = Paginator(selectors.tariff_version_list(schedule=schedule), 25).get_page(
        request.GET.get("pagina"))
    return render(request, "tariffs/schedule_detail.html", {
        "schedule": schedule, "page": page,
        "can_manage": MANAGE in request_capabilities(request),
    })


@capability_required(MANAGE)
def version_create(request: HttpRequest, code: str) -> HttpResponse:
    schedule = schedule_or_404(code)
    form = VersionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version = tariff_version_draft(schedule=schedule,
                                               actor=request.user,  # type: ignore[arg-type]
                                               **form.service_values())
            except ApplicationError as error:
                _errors_onto_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Versiunea v%(number)s a fost salvată ca proiect.")
                                 % {"number": version.number})
                return redirect("tariff-version-detail", pk=version.pk)
        else:
            status = 400
    return render(request, "tariffs/version_form.html", {"schedule": schedule, "form": form},
                  status=status)


def _detail(request: HttpRequest, version: TariffScheduleVersion, *,
            edit_form: VersionForm | None = None, approve_form: ApproveForm | None = None,
            return_form: ReturnForm | None = None, status: int = 200) -> HttpResponse:
    held = request_capabilities(request)
    can_manage, can_review = MANAGE in held, REVIEW in held
    submitted = version.status == TariffScheduleVersion.Status.SUBMITTED
    return render(request, "tariffs/version_detail.html", {
        "version": version, "schedule": version.schedule,
        "components": list(version.components.all()),
        "returns": list(version.returns.all()),
        "history": list(selectors.tariff_version_history(version=version)),
        "can_manage": can_manage,
        "edit_form": (edit_form or VersionForm.for_version(version))
        if can_manage and version.is_editable else None,
        "approve_form": (approve_form or ApproveForm()) if can_review and submitted else None,
        "return_form": (return_form or ReturnForm()) if can_review and submitted else None,
        # A refused form is shown open, with its errors, instead of as a hidden dialog.
        "approve_open": bool(approve_form is not None and approve_form.errors),
        "return_open": bool(return_form is not None and return_form.errors),
    }, status=status)


@read_required
@require_GET
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, version_or_404(pk))


@capability_required(MANAGE)
@require_POST
def version_update(request: HttpRequest, pk: int) -> HttpResponse:
    version = version_or_404(pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _detail(request, version, edit_form=form, status=400)
    try:
        tariff_version_update(version=version, actor=request.user,  # type: ignore[arg-type]
                              **form.service_values())
    except ApplicationError as error:
        fresh = version_or_404(pk)
        if not fresh.is_editable:  # no editor is shown for it: say why above the page
            messages.error(request, error.message)
        _errors_onto_form(form, error)
        return _detail(request, fresh, edit_form=form, status=error.status_code)
    messages.success(request, _("Versiunea a fost salvată."))
    return redirect("tariff-version-detail", pk=pk)


def _simple_action(request: HttpRequest, pk: int, action: Callable[..., Any],
                   done: str) -> HttpResponse:
    version = version_or_404(pk)
    try:
        result = action(version=version, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return _detail(request, version_or_404(pk), status=error.status_code)
    messages.success(request, done)
    if isinstance(result, TariffScheduleVersion):
        return redirect("tariff-version-detail", pk=result.pk)
    return redirect("tariff-schedule-detail", code=version.schedule.code)


@capability_required(MANAGE)
@require_POST
def version_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple_action(request, pk, tariff_version_submit,
                          _("Versiunea a fost transmisă Cancelariei de Stat spre aprobare."))


@capability_required(MANAGE)
@require_POST
def version_new_from(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple_action(request, pk, tariff_version_new_from,
                          _("A fost creată o versiune nouă (proiect) după cea aprobată."))


@capability_required(MANAGE)
@require_POST
def version_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple_action(request, pk, tariff_version_delete, _("Proiectul a fost șters."))


def _review_action(request: HttpRequest, pk: int, form: ApproveForm | ReturnForm,
                   action: Callable[..., Any], done: str, then: HttpResponse) -> HttpResponse:
    """The Chancellery's decision on a version; refused, the page again with the form open."""

    def refused(version: TariffScheduleVersion, status: int) -> HttpResponse:
        return _detail(request, version, status=status,
                       approve_form=form if isinstance(form, ApproveForm) else None,
                       return_form=form if isinstance(form, ReturnForm) else None)

    version = version_or_404(pk)
    if not form.is_valid():
        return refused(version, 400)
    try:
        action(version=version, actor=request.user, **form.cleaned_data)
    except ApplicationError as error:
        _errors_onto_form(form, error)
        return refused(version_or_404(pk), error.status_code)
    messages.success(request, done)
    return then


@capability_required(REVIEW)
@require_POST
def version_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_action(request, pk, ApproveForm(request.POST, request.FILES),
                          tariff_version_approve,
                          _("Versiunea a fost aprobată; de acum este înghețată."),
                          redirect("tariff-version-detail", pk=pk))


@capability_required(REVIEW)
@require_POST
def version_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_action(request, pk, ReturnForm(request.POST), tariff_version_return,
                          _("Versiunea a fost returnată către AGE cu observațiile date."),
                          redirect("tariff-pending"))


@capability_required(REVIEW)
@require_GET
def pending(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.tariff_version_pending(), 25).get_page(request.GET.get("pagina"))
    return render(request, "tariffs/pending.html", {"page": page})


@read_required
@require_GET
def decision_document(request: HttpRequest, pk: int) -> HttpResponse:
    version = version_or_404(pk)
    if not version.decision_document:
        raise Http404
    audit_record(action="tariff.decision.download", tenant=None, object_type="tariff_version",
                 object_id=version.pk, details={"sha256": version.decision_sha256})
    with version.decision_document.open("rb") as stored:  # at most 10 MB
        response = HttpResponse(stored.read(), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="decizia-{version.schedule.code}-v{version.number}.pdf"')
    return response
