"""The configuration pages (R4 §21), on tenant hosts, for holders of ``tickets.configure``.

Most parts are lists of rows with the same pages: the list (search, pages, empty state), a
form to add or change a row, and confirmations to switch a row off (or on) and to delete one
nothing references. A ``Section`` describes such a part; ``section_patterns`` gives its URLs.
The matrix, the team members, the ticket settings and the home page have pages of their own;
the SLA side is in ``sla.config_views``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_stubs_ext import StrOrPromise

from sgsc.platform.access import capability_required
from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.identity.member_forms import show_service_error
from sgsc.shared_apps.identity.member_views import request_actor, request_tenant
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.catalog import config_selectors as selectors
from sgsc.tenant_apps.catalog import forms
from sgsc.tenant_apps.catalog import services as config
from sgsc.tenant_apps.catalog.models import (
    CannedReply,
    Category,
    KnowledgeArticle,
    Priority,
    Queue,
    RoutingRule,
    Service,
    ServiceGroup,
    Team,
)
from sgsc.tenant_apps.catalog.selectors import routing_decide
from sgsc.tenant_apps.sla.selectors import clock_settings_get
from sgsc.tenant_apps.tickets.models import Ticket, TicketSettings
from sgsc.tenant_apps.tickets.services import ticket_settings_ensure
from sgsc.tenants.models import Tenant

PAGE_SIZE = 25
TEMPLATES = "catalog/config/"
configure = capability_required(Capability.TICKETS_CONFIGURE)
CHANNELS = dict(Ticket.Channel.choices)


@dataclass(frozen=True)
class Column:
    label: StrOrPromise
    value: Callable[[Any], object]


@dataclass(frozen=True)
class Section:
    """One configuration list and its pages."""

    slug: str  # the URL's part and the URL names' stem
    title: StrOrPromise
    add_label: StrOrPromise
    empty: StrOrPromise  # the empty list's sentence
    model: type[Model]
    rows: Callable[[str], QuerySet[Any]]  # the list, searched
    columns: tuple[Column, ...]
    form: type[forms.ConfigForm]
    inputs: type[Any]  # the service's input dataclass
    save: Callable[..., Model]  # save(actor=, data=, pk=)
    note: StrOrPromise = ""  # a line under the title
    complete_page: Callable[[list[Any]], None] | None = None  # adds what a page's rows show
    page_context: Callable[[HttpRequest], dict[str, Any]] | None = None  # more for the list
    aside_template: str = ""  # shown under the list (with ``page_context``)
    path: str = ""  # the URL's part under ``configurare/`` when it is not the slug

    def url(self, kind: str) -> str:
        return f"config-{self.slug}-{kind}"

    @property
    def active_field(self) -> str | None:
        return selectors.active_flag(self.model)

    def urls(self) -> dict[str, str]:
        kinds = ["list", "add", "edit", "delete", *(["toggle"] if self.active_field else [])]
        return {kind: self.url(kind) for kind in kinds}


def section_patterns(section: Section) -> list[URLPattern]:
    base = f"configurare/{section.path or section.slug}/"
    given = {"section": section}
    patterns = [
        path(base, section_list, given, name=section.url("list")),
        path(base + "nou/", section_edit, given, name=section.url("add")),
        path(base + "<int:pk>/", section_edit, given, name=section.url("edit")),
        path(base + "<int:pk>/stergere/", section_delete, given, name=section.url("delete")),
    ]
    if section.active_field:
        patterns.append(path(base + "<int:pk>/activare/", section_toggle, given,
                             name=section.url("toggle")))
    return patterns


@configure
@require_GET
def section_list(request: HttpRequest, section: Section) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(section.rows(search), PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = list(page.object_list)
    if section.complete_page is not None:
        section.complete_page(rows)
    active = section.active_field
    context = {
        "section": section, "urls": section.urls(), "page": page, "search": search,
        "query": urlencode({"q": search}) if search else "",
        "rows": [(row, [column.value(row) for column in section.columns],
                  getattr(row, active) if active else None) for row in rows],
        **(section.page_context(request) if section.page_context is not None else {}),
    }
    # htmx asks for the table alone while the search changes.
    template = "_table.html" if request.htmx else "list.html"  # type: ignore[attr-defined]
    response = render(request, TEMPLATES + template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@configure
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, section: Section, pk: int | None = None) -> HttpResponse:
    row = selectors.config_get(section.model, pk) if pk is not None else None
    posted = request.method == "POST"
    form = section.form(request.POST if posted else None,
                        initial=selectors.config_values(row, section.inputs) if row else None)
    if posted and form.is_valid():
        try:
            section.save(actor=request_actor(request), data=section.inputs(**form.cleaned_data),
                         pk=pk)
        except ApplicationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Modificările au fost salvate.") if row
                             else _("Înregistrarea a fost adăugată."))
            return redirect(section.url("list"))
    return render(request, TEMPLATES + "form.html", {
        "section": section, "urls": section.urls(), "row": row, "form": form,
        "active": getattr(row, section.active_field) if row and section.active_field else None,
    }, status=400 if posted else 200)


def _confirm(request: HttpRequest, section: Section, row: Model, *, title: str, text: str,
             button: str, error: ApplicationError | None = None,
             blocked: list[str] | None = None) -> HttpResponse:
    """A question with one button (posting to the same address), or the refusal met."""
    return render(request, TEMPLATES + "confirm.html", {
        "row": row, "title": title, "text": text, "button": button, "error": error,
        "blocked": blocked, "back_url": reverse(section.url("list")),
        "toggle_url": (reverse(section.url("toggle"), args=[row.pk])
                       if blocked and section.active_field and getattr(row, section.active_field)
                       else None),
    }, status=error.status_code if error else 200)


@configure
@require_http_methods(["GET", "POST"])
def section_toggle(request: HttpRequest, section: Section, pk: int) -> HttpResponse:
    """Switch a row off (or back on), through its service like any other change."""
    row = selectors.config_get(section.model, pk)
    field = section.active_field
    assert field is not None  # noqa: S101 (the URL exists only for such sections)
    active = bool(getattr(row, field))
    if request.method == "POST":
        values = {**selectors.config_values(row, section.inputs), field: not active}
        try:
            section.save(actor=request_actor(request), data=section.inputs(**values), pk=pk)
        except ApplicationError as error:
            return _confirm(request, section, row, title=str(row), text="", button="",
                            error=error)
        messages.success(request, _("„%(row)s” a fost dezactivat.") % {"row": row} if active
                         else _("„%(row)s” a fost activat.") % {"row": row})
        return redirect(section.url("list"))
    if active:
        return _confirm(request, section, row, title=_("Dezactivați „%(row)s”?") % {"row": row},
                        text=_("Nu va mai putea fi ales de acum înainte; tichetele și regulile "
                               "care îl folosesc deja rămân neschimbate."),
                        button=_("Da, dezactivează"))
    return _confirm(request, section, row, title=_("Activați „%(row)s”?") % {"row": row},
                    text=_("Va putea fi ales din nou."), button=_("Da, activează"))


@configure
@require_http_methods(["GET", "POST"])
def section_delete(request: HttpRequest, section: Section, pk: int) -> HttpResponse:
    """Only a row nothing references is deleted; the page says what uses the others."""
    row = selectors.config_get(section.model, pk)
    if request.method == "POST":
        try:
            config.config_delete(actor=request_actor(request), model=section.model, pk=pk)
        except ApplicationError as error:
            return _confirm(request, section, row, title=str(row), text="", button="",
                            error=error)
        messages.success(request, _("„%(row)s” a fost șters.") % {"row": row})
        return redirect(section.url("list"))
    return _confirm(request, section, row, title=_("Ștergeți „%(row)s”?") % {"row": row},
                    text=_("Ștergerea este definitivă."), button=_("Da, șterge"),
                    blocked=selectors.config_references(row))


# --- the catalogue's sections -----------------------------------------------------------

def _yes_no(value: object) -> str:
    return _("da") if value else _("nu")


def _or_dash(value: object) -> object:
    return value if value not in (None, "") else "—"


def _category_paths(rows: list[Category]) -> None:
    paths = selectors.category_paths()
    for row in rows:
        row.path = paths.get(row.pk, row.name)  # type: ignore[attr-defined]


def _team_members_link(team: Team) -> str:
    count: int = team.member_count  # type: ignore[attr-defined]
    return format_html('<a href="{}">{}</a>', reverse("config-team-members", args=[team.pk]),
                       ngettext("%(count)d membru", "%(count)d membri", count)
                       % {"count": count})


def _keywords(rule: RoutingRule) -> str:
    return ", ".join(str(word) for word in rule.keywords) or "—"


def _routing_test(request: HttpRequest) -> dict[str, Any]:
    """The "test routing" box: which rule a sample request meets (nothing is stored)."""
    hub = request_tenant(request).kind == Tenant.Kind.HUB
    testing = "test" in request.GET
    form = forms.RoutingTestForm(request.GET if testing else None, hub=hub)
    result = None
    if testing and form.is_valid():
        service = Service.objects.filter(pk=form.cleaned_data["service"]).first()
        institution = form.cleaned_data.get("institution")
        if institution is None and service is not None:
            institution = service.institution_id  # as a ticket's registration does
        route = routing_decide(channel=form.cleaned_data["channel"] or "",
                               service_id=service.pk if service else None,
                               institution_id=institution, text=form.cleaned_data["text"])
        rule = (RoutingRule.objects.filter(pk=route.rule_id).first()
                if route.rule_id is not None else None)
        result = {"route": route, "rule": rule}
    return {"test_form": form, "test_result": result,
            "movable": not request.GET.get("q", "").strip()}


SERVICE_GROUPS = Section(
    slug="grupuri", title=gettext_lazy("Grupuri de servicii"),
    add_label=gettext_lazy("Adaugă un grup"), model=ServiceGroup,
    empty=gettext_lazy("Niciun grup de servicii. Grupurile permit politici SLA comune."),
    rows=selectors.service_group_list, form=forms.ServiceGroupForm,
    inputs=config.ServiceGroupInput, save=config.service_group_save,
    columns=(Column(gettext_lazy("Cod"), lambda g: g.code),
             Column(gettext_lazy("Denumire"), lambda g: g.name),
             Column(gettext_lazy("Servicii"), lambda g: g.service_count)))

SERVICES = Section(
    slug="servicii", title=gettext_lazy("Catalogul serviciilor"),
    add_label=gettext_lazy("Adaugă un serviciu"), model=Service,
    empty=gettext_lazy("Catalogul nu are încă servicii."),
    rows=selectors.service_list, form=forms.ServiceForm, inputs=config.ServiceInput,
    save=config.service_save,
    note=gettext_lazy("Termenul de soluționare se numără în orele lucrătoare ale "
                      "programului; o politică SLA a serviciului are întâietate."),
    columns=(Column(gettext_lazy("Cod"), lambda s: s.code),
             Column(gettext_lazy("Denumire"), lambda s: s.name),
             Column(gettext_lazy("Grup"), lambda s: _or_dash(s.group)),
             Column(gettext_lazy("Instituție"), lambda s: _or_dash(s.institution)),
             Column(gettext_lazy("Termen (ore lucrătoare)"),
                    lambda s: _or_dash(s.resolution_hours))))

CATEGORIES = Section(
    slug="categorii", title=gettext_lazy("Categorii"), add_label=gettext_lazy(
        "Adaugă o categorie"), model=Category,
    empty=gettext_lazy("Nicio categorie."), rows=selectors.category_list,
    form=forms.CategoryForm, inputs=config.CategoryInput, save=config.category_save,
    complete_page=_category_paths,
    columns=(Column(gettext_lazy("Categoria"), lambda c: c.path),))

PRIORITIES = Section(
    slug="prioritati", title=gettext_lazy("Priorități"),
    add_label=gettext_lazy("Adaugă o prioritate"), model=Priority,
    empty=gettext_lazy("Nicio prioritate."), rows=selectors.priority_list,
    form=forms.PriorityForm, inputs=config.PriorityInput, save=config.priority_save,
    note=gettext_lazy("Prioritatea unui tichet vine din matricea impact x urgență."),
    columns=(Column(gettext_lazy("Rang"), lambda p: p.rank),
             Column(gettext_lazy("Cod"), lambda p: p.code),
             Column(gettext_lazy("Denumire"), lambda p: p.name)))

TEAMS = Section(
    slug="echipe", title=gettext_lazy("Echipe"), add_label=gettext_lazy("Adaugă o echipă"),
    model=Team, empty=gettext_lazy("Nicio echipă."), rows=selectors.team_list,
    form=forms.TeamForm, inputs=config.TeamInput, save=config.team_save,
    columns=(Column(gettext_lazy("Denumire"), lambda t: t.name),
             Column(gettext_lazy("Nivel"), lambda t: t.get_level_display()),
             Column(gettext_lazy("Instituție"), lambda t: _or_dash(t.institution)),
             Column(gettext_lazy("Prestator extern"), lambda t: _or_dash(t.external_tenant)),
             Column(gettext_lazy("Membri"), _team_members_link)))

QUEUES = Section(
    slug="cozi", title=gettext_lazy("Cozi"), add_label=gettext_lazy("Adaugă o coadă"),
    model=Queue, empty=gettext_lazy("Nicio coadă."), rows=selectors.queue_list,
    form=forms.QueueForm, inputs=config.QueueInput, save=config.queue_save,
    columns=(Column(gettext_lazy("Denumire"), lambda q: q.name),
             Column(gettext_lazy("Echipă"), lambda q: q.team),
             Column(gettext_lazy("Repartizare automată"), lambda q: _yes_no(q.auto_assign))))

ROUTING_RULES = Section(
    slug="rutare", title=gettext_lazy("Reguli de rutare"),
    add_label=gettext_lazy("Adaugă o regulă"), model=RoutingRule,
    empty=gettext_lazy("Nicio regulă: tichetele noi rămân fără coadă."),
    rows=selectors.routing_rule_list, form=forms.RoutingRuleForm,
    inputs=config.RoutingRuleInput, save=config.routing_rule_save,
    note=gettext_lazy("Se aplică prima regulă activă, în ordinea de mai jos, ale cărei condiții "
                      "sunt toate îndeplinite."),
    page_context=_routing_test, aside_template=TEMPLATES + "_routing_test.html",
    columns=(Column(gettext_lazy("Nr."), lambda r: r.position),
             Column(gettext_lazy("Denumire"), lambda r: r.name),
             Column(gettext_lazy("Canal"), lambda r: CHANNELS.get(r.channel, r.channel)
                    if r.channel else _("orice")),
             Column(gettext_lazy("Serviciu"), lambda r: r.service.code if r.service
                    else _("orice")),
             Column(gettext_lazy("Instituție"), lambda r: r.institution or _("orice")),
             Column(gettext_lazy("Cuvinte-cheie"), _keywords),
             Column(gettext_lazy("Coada"), lambda r: r.queue)))

CANNED_REPLIES = Section(
    slug="raspunsuri", title=gettext_lazy("Răspunsuri predefinite"),
    add_label=gettext_lazy("Adaugă un răspuns"), model=CannedReply,
    empty=gettext_lazy("Niciun răspuns predefinit."), rows=selectors.canned_reply_list,
    form=forms.CannedReplyForm, inputs=config.CannedReplyInput, save=config.canned_reply_save,
    columns=(Column(gettext_lazy("Titlu"), lambda r: r.title),
             Column(gettext_lazy("Serviciu"), lambda r: r.service.code if r.service
                    else _("orice"))))

ARTICLES = Section(
    slug="articole", title=gettext_lazy("Baza de cunoștințe"),
    add_label=gettext_lazy("Adaugă un articol"), model=KnowledgeArticle,
    empty=gettext_lazy("Niciun articol."), rows=selectors.article_list,
    form=forms.ArticleForm, inputs=config.ArticleInput, save=config.article_save,
    columns=(Column(gettext_lazy("Titlu"), lambda a: a.title),
             Column(gettext_lazy("Servicii"),
                    lambda a: ", ".join(s.code for s in a.services.all()) or _("toate")),
             Column(gettext_lazy("Actualizat"), lambda a: a.updated_at)))


# --- pages of their own -----------------------------------------------------------------

@configure
@require_GET
def config_home(request: HttpRequest) -> HttpResponse:
    counts = selectors.config_counts()
    return render(request, TEMPLATES + "home.html", {
        "counts": counts, "matrix_complete": counts["matrix_cells"] == 9,
        "clock": clock_settings_get(), "ticket_settings": ticket_settings_ensure(),
    })


@configure
@require_http_methods(["GET", "POST"])
def priority_matrix(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    initial = {config.matrix_field(*cell): priority
               for cell, priority in selectors.priority_matrix().items()}
    form = forms.PriorityMatrixForm(request.POST if posted else None, initial=initial)
    if posted and form.is_valid():
        try:
            config.priority_matrix_set(actor=request_actor(request), cells=form.cells())
        except ApplicationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Matricea a fost salvată."))
            return redirect("config-matrix")
    return render(request, TEMPLATES + "matrix.html", {"form": form},
                  status=400 if posted else 200)


@configure
@require_http_methods(["GET", "POST"])
def ticket_settings(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    current = ticket_settings_ensure()
    form = forms.TicketSettingsForm(
        request.POST if posted else None,
        initial=selectors.config_values(current, config.TicketSettingsInput))
    if posted and form.is_valid():
        try:
            config.ticket_settings_update(actor=request_actor(request),
                                          data=config.TicketSettingsInput(**form.cleaned_data))
        except ApplicationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Setările tichetelor au fost salvate."))
            return redirect("config-ticket-settings")
    return render(request, TEMPLATES + "ticket_settings.html", {
        "form": form, "settings": current, "model": TicketSettings,
    }, status=400 if posted else 200)


@configure
@require_http_methods(["GET", "POST"])
def team_members(request: HttpRequest, pk: int) -> HttpResponse:
    """A team's members, and adding one of the people who may join it."""
    team = selectors.config_get(Team, pk)
    members = list(selectors.team_member_list(team=team))
    candidates = selectors.member_candidates(level=team.level, tenant=request_tenant(request)
                                             ).exclude(user_id__in=[m.user_id for m in members])
    posted = request.method == "POST"
    form = forms.TeamMemberForm(request.POST if posted else None, candidates=candidates)
    if posted and form.is_valid():
        try:
            config.team_member_add(actor=request_actor(request), team_id=team.pk,
                                   user_id=form.cleaned_data["user"],
                                   on_shift=form.cleaned_data["on_shift"])
        except ApplicationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Persoana a fost adăugată în echipă."))
            return redirect("config-team-members", pk=team.pk)
    return render(request, TEMPLATES + "team_members.html", {
        "team": team, "members": members, "form": form, "section": TEAMS,
    }, status=400 if posted else 200)


@configure
@require_POST
def team_member_shift(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Put a member on shift (``in_tura=1``) or off it: round robin picks those on shift."""
    on_shift = request.POST.get("in_tura") == "1"
    member = config.team_member_update(actor=request_actor(request), team_id=pk,
                                       member_id=member_pk, on_shift=on_shift)
    messages.success(request, (_("%(name)s este în tură.") if on_shift
                               else _("%(name)s nu mai este în tură."))
                     % {"name": member.user.get_full_name() or member.user.email})
    return redirect("config-team-members", pk=pk)


@configure
@require_http_methods(["GET", "POST"])
def team_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    team = selectors.config_get(Team, pk)
    member = selectors.team_member_get(team_id=pk, member_id=member_pk)
    name = member.user.get_full_name() or member.user.email
    if request.method == "POST":
        config.team_member_remove(actor=request_actor(request), team_id=pk, member_id=member_pk)
        messages.success(request, _("%(name)s a fost scos din echipă.") % {"name": name})
        return redirect("config-team-members", pk=pk)
    return render(request, TEMPLATES + "confirm.html", {
        "title": _("Scoateți %(name)s din echipa „%(team)s”?") % {"name": name, "team": team},
        "text": _("Tichetele atribuite persoanei rămân atribuite ei."),
        "button": _("Da, scoate din echipă"),
        "back_url": reverse("config-team-members", args=[pk]),
    })


@configure
@require_POST
def routing_rule_move(request: HttpRequest, pk: int) -> HttpResponse:
    """One place up (``directie=sus``) or down in the order the rules are tried."""
    config.routing_rule_move(actor=request_actor(request), pk=pk,
                             up=request.POST.get("directie") == "sus")
    return redirect(ROUTING_RULES.url("list"))
