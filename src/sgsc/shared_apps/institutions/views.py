"""The institutions registry in the AGE console: list with search, create, edit."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sgsc.platform.access import capability_required
from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.institutions.forms import InstitutionForm
from sgsc.shared_apps.institutions.selectors import institution_get, institution_list
from sgsc.shared_apps.institutions.services import institution_create, institution_update

PAGE_SIZE = 25


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _show_error(form: InstitutionForm, error: ApplicationError) -> None:
    """The service's error next to the field it concerns, else above the form."""
    placed = False
    for name, field_messages in error.fields.items():
        if name in form.fields:
            for message in field_messages:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


@capability_required(Capability.INSTITUTIONS_MANAGE)
def institution_list_view(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    institutions = institution_list(search=search).order_by("name", "id")
    page = Paginator(institutions, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, "institutions/list.html", {
        "page": page, "search": search, "query": urlencode({"q": search}) if search else "",
    })


@capability_required(Capability.INSTITUTIONS_MANAGE)
def institution_create_view(request: HttpRequest) -> HttpResponse:
    form = InstitutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            institution = institution_create(actor=_actor(request), **form.cleaned_data)
        except ApplicationError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Instituția „%(name)s” a fost înregistrată.")
                             % {"name": institution.name})
            return redirect("institution-list")
    status = 400 if request.method == "POST" else 200
    return render(request, "institutions/form.html", {"form": form, "institution": None},
                  status=status)


@capability_required(Capability.INSTITUTIONS_MANAGE)
def institution_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    institution = institution_get(institution_id=pk)
    form = InstitutionForm(request.POST or None, instance=institution)
    if request.method == "POST" and form.is_valid():
        try:
            institution_update(institution=institution, actor=_actor(request),
                               **form.cleaned_data)
        except ApplicationError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Modificările au fost salvate."))
            return redirect("institution-list")
    status = 400 if request.method == "POST" else 200
    return render(request, "institutions/form.html",
                  {"form": form, "institution": institution}, status=status)
