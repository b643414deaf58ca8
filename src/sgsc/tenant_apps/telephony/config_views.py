"""The phone channel's configuration pages (R4 §21), for holders of ``tickets.configure``:
the lines and the operators' extensions as ``catalog.views`` sections, and the PBX
connectors, whose key is shown once, on the page that answers its creation."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.identity.member_forms import show_service_error
from sgsc.shared_apps.identity.member_views import request_actor
from sgsc.tenant_apps.catalog.config_selectors import config_get
from sgsc.tenant_apps.catalog.views import PAGE_SIZE, Column, Section, configure
from sgsc.tenant_apps.telephony import services
from sgsc.tenant_apps.telephony.display import phone_display
from sgsc.tenant_apps.telephony.forms import ConnectorForm, ExtensionForm, PhoneLineForm
from sgsc.tenant_apps.telephony.models import Connector, Extension, PhoneLine
from sgsc.tenant_apps.telephony.selectors import connector_list as connectors_all
from sgsc.tenant_apps.telephony.selectors import extension_list, phone_line_list

TEMPLATES = "telephony/config/"


def _or_dash(value: object) -> object:
    return value if value not in (None, "") else "—"


def _person(extension: Extension) -> str:
    return f"{extension.user.get_full_name() or extension.user.email} ({extension.user.email})"


PHONE_LINES = Section(
    slug="phone-lines", path="telefonie/linii", title=gettext_lazy("Linii telefonice"),
    add_label=gettext_lazy("Adaugă o linie"), model=PhoneLine,
    empty=gettext_lazy("Nicio linie telefonică. Adăugați numerele pe care sună solicitanții."),
    rows=phone_line_list, form=PhoneLineForm, inputs=services.PhoneLineInput,
    save=services.phone_line_save,
    note=gettext_lazy("Numerele rezervate de STISC și direcționate către acest spațiu. Un "
                      "apel primit pe un număr se leagă de linia lui și, într-un hub, de "
                      "instituția ei."),
    columns=(Column(gettext_lazy("Număr"), lambda line: phone_display(line.number)),
             Column(gettext_lazy("Denumire"), lambda line: line.name),
             Column(gettext_lazy("Instituție"), lambda line: _or_dash(line.institution)),
             Column(gettext_lazy("Serviciu implicit"),
                    lambda line: line.service.code if line.service else "—")))

EXTENSIONS = Section(
    slug="phone-extensions", path="telefonie/interioare",
    title=gettext_lazy("Interioarele operatorilor"), add_label=gettext_lazy(
        "Adaugă un interior"), model=Extension,
    empty=gettext_lazy("Niciun interior. Fără interior, un apel preluat nu apare pe ecranul "
                       "operatorului."),
    rows=extension_list, form=ExtensionForm, inputs=services.ExtensionInput,
    save=services.extension_save,
    note=gettext_lazy("Interiorul la care răspunde un operator: apelul preluat acolo îi apare "
                      "pe ecran, gata de înregistrat."),
    columns=(Column(gettext_lazy("Interior"), lambda extension: extension.number),
             Column(gettext_lazy("Operator"), _person)))


@configure
@require_GET
def connector_list(request: HttpRequest) -> HttpResponse:
    connectors = connectors_all()
    page = Paginator(connectors, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, TEMPLATES + "connectors.html", {"page": page})


@configure
@require_http_methods(["GET", "POST"])
def connector_add(request: HttpRequest) -> HttpResponse:
    """The form, then the answer that shows the new key: this once, never stored."""
    posted = request.method == "POST"
    form = ConnectorForm(request.POST if posted else None)
    error_code = ""
    if posted and form.is_valid():
        try:
            connector, key = services.connector_issue(actor=request_actor(request),
                                                      name=form.cleaned_data["name"])
        except ApplicationError as error:
            show_service_error(form, error)
            error_code = error.code
        else:
            response = render(request, TEMPLATES + "connector_key.html", {
                "connector": connector, "key": key,
                "endpoint": request.build_absolute_uri(reverse("api-telephony-events")),
            })
            add_never_cache_headers(response)  # the key stays out of every cache
            return response
    return render(request, TEMPLATES + "connector_form.html",
                  {"form": form, "error_code": error_code}, status=400 if posted else 200)


@configure
@require_http_methods(["GET", "POST"])
def connector_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then revoke: the PBX using the key is refused from its next request."""
    connector = config_get(Connector, pk)
    if request.method == "POST":
        try:
            services.connector_revoke(actor=request_actor(request), pk=pk)
        except ApplicationError as error:
            return render(request, TEMPLATES + "connector_revoke.html",
                          {"connector": connector, "error": error}, status=error.status_code)
        messages.success(request, _("Conectorul „%(name)s” a fost revocat.")
                         % {"name": connector.name})
        return redirect("config-phone-connectors")
    return render(request, TEMPLATES + "connector_revoke.html", {"connector": connector})
