"""The queues page: tabs with capped counts, filters and search, saved views, keyset pages,
the SLA figure of every row, bulk actions and the operator's shift.

htmx asks for the tabs and the table alone (``tickets/_queue.html``) when a tab or a filter
changes; the filter, bulk and saved-view forms stay in place and take the current queue and
query from inputs inside that fragment (associated with them through ``form=``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST
from django_stubs_ext import StrOrPromise

from sgsc.platform.access import capability_required
from sgsc.platform.errors import ApplicationError, Conflict, InvalidInput
from sgsc.shared_apps.identity.member_views import request_tenant
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.sla.selectors import clock_settings_get, sla_figure, working_time
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for
from sgsc.tenant_apps.tickets.lifecycle import Action
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.queues import (
    QUEUE_LABELS,
    QueueName,
    TicketFilters,
    queue_count_label,
    queue_counts,
    ticket_page,
    ticket_queue,
)
from sgsc.tenant_apps.tickets.saved_views import (
    QUEUE_PARAMETER,
    saved_view_create,
    saved_view_delete,
    saved_view_query,
    saved_views_visible,
)
from sgsc.tenant_apps.tickets.selectors import tickets_visible
from sgsc.tenant_apps.tickets.services import ticket_assign, ticket_transition, ticket_update
from sgsc.tenant_apps.tickets.shifts import team_member_shift_set
from sgsc.tenant_apps.tickets.web import reads
from sgsc.tenant_apps.tickets.web.display import SlaView
from sgsc.tenant_apps.tickets.web.forms import (
    BULK_ASSIGN,
    BULK_CLOSE,
    BULK_QUEUE,
    BULK_TAKE,
    BULK_TEAM,
    BulkForm,
    Choices,
    QueueFilterForm,
    SavedViewForm,
)

TEMPLATES = "tickets/"
PAGE_SIZE = 50
DEFAULT_QUEUE = QueueName.MINE
CURSOR = "cursor"
EMPTY: dict[QueueName, StrOrPromise] = {
    QueueName.MINE: gettext_lazy("Nu aveți solicitări active repartizate."),
    QueueName.TEAM: gettext_lazy("Echipele dumneavoastră nu au solicitări active."),
    QueueName.UNASSIGNED: gettext_lazy("Toate solicitările sunt repartizate."),
    QueueName.DUE_SOON: gettext_lazy("Nicio solicitare nu se apropie de termen."),
    QueueName.BREACHED: gettext_lazy("Nicio solicitare nu și-a depășit termenul."),
    QueueName.WAITING: gettext_lazy("Nicio solicitare nu așteaptă răspunsul solicitantului."),
    QueueName.ACTIVE: gettext_lazy("Nu sunt solicitări active."),
    QueueName.ALL: gettext_lazy("Nu este încă nicio solicitare."),
}


@dataclass(frozen=True)
class Tab:
    name: QueueName
    label: str
    count: str
    selected: bool
    href: str


@dataclass(frozen=True)
class Row:
    ticket: Ticket
    sla: SlaView


def _queue_of(query: QueryDict) -> QueueName:
    try:
        return QueueName(query.get(QUEUE_PARAMETER, ""))
    except ValueError:  # none or unknown: the default queue
        return DEFAULT_QUEUE


def _query(queue: QueueName, filters_query: str, **extra: str) -> str:
    """The queue page's query string: the queue, then the filters (and a cursor)."""
    pairs = urlencode({QUEUE_PARAMETER: queue.value, **extra})
    return f"{pairs}&{filters_query}" if filters_query else pairs


def _href(queue: QueueName, filters_query: str, **extra: str) -> str:
    return f"{reverse('ticket-queue')}?{_query(queue, filters_query, **extra)}"


def _table_context(access: TicketAccess, query: QueryDict) -> dict[str, Any]:
    """The tabs and one page of the queue: what htmx swaps."""
    now = timezone.now()
    queue = _queue_of(query)
    filters, errors = TicketFilters.from_query(query)
    tickets = ticket_queue(access=access, queue=queue, filters=filters, now=now)
    problems = [error.message for error in errors.values()]
    try:
        page = ticket_page(tickets, cursor=query.get(CURSOR) or None, size=PAGE_SIZE)
    except InvalidInput as error:
        problems.append(error.message)
        page = ticket_page(tickets, cursor=None, size=PAGE_SIZE)
    clock_settings = clock_settings_get()
    clock, warning = working_time(settings=clock_settings), clock_settings.warning_percent
    counts = queue_counts(access=access, now=now)
    filters_query = filters.as_query()
    return {
        "queue": queue, "filters_query": filters_query, "problems": problems,
        "current": _query(queue, filters_query),
        "tabs": [Tab(name=name, label=str(QUEUE_LABELS[name]),
                     count=queue_count_label(counts[name]), selected=name is queue,
                     href=_href(name, filters_query)) for name in QueueName],
        "rows": [Row(ticket=ticket, sla=SlaView.of(sla_figure(ticket=ticket, now=now,
                                                              clock=clock,
                                                              warning_percent=warning)))
                 for ticket in page.items],
        "next_href": (_href(queue, filters_query, **{CURSOR: page.next_cursor})
                      if page.next_cursor else ""),
        "previous_href": (_href(queue, filters_query, **{CURSOR: page.previous_cursor})
                          if page.previous_cursor else ""),
        "first_page": not query.get(CURSOR),
        "narrowed": bool(filters_query),
        "empty_message": EMPTY[queue],
    }


def _bulk_form(request: HttpRequest, access: TicketAccess, data: Any = None, *,
               people: Choices | None = None, teams: Choices | None = None) -> BulkForm:
    """``people`` and ``teams``: when the page has read them already (only a supervisor is
    offered the people)."""
    supervisor = access.can(Capability.TICKETS_SUPERVISE)
    if people is None:
        people = (reads.person_choices(reads.people_working(tenant=request_tenant(request)))
                  if supervisor else [])
    return BulkForm(data, supervisor=supervisor, people=people, queues=reads.queue_choices(),
                    teams=reads.team_choices() if teams is None else teams)


def _page(request: HttpRequest, query: QueryDict, *, save_form: SavedViewForm | None = None,
          bulk_form: BulkForm | None = None, status: int = 200) -> HttpResponse:
    access = ticket_access_for(request)
    context = _table_context(access, query)
    if request.htmx:  # type: ignore[attr-defined]
        response = render(request, TEMPLATES + "_queue.html", context, status=status)
    else:
        tenant = request_tenant(request)
        people = reads.person_choices(reads.people_working(tenant=tenant))
        teams = reads.team_choices()
        context.update({
            "filter_form": QueueFilterForm(query, choices={
                "priority_id": reads.priority_choices(),
                "service_id": reads.service_choices(),
                "category_id": reads.category_choices(),
                "institution_id": reads.institution_choices(tenant=tenant, access=access),
                "assignee_id": people, "team_id": teams,
            }),
            "saved_views": [(view, saved_view_query(view))
                            for view in saved_views_visible(access=access)],
            "save_form": save_form or SavedViewForm(),
            "bulk_form": bulk_form or _bulk_form(request, access, people=people, teams=teams),
        })
        shifts = reads.shift_memberships(user=access.user)
        context.update(shifts=shifts, on_shift=any(member.on_shift for member in shifts))
        response = render(request, TEMPLATES + "queue.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@capability_required(Capability.TICKETS_WORK)
@require_GET
def ticket_queue_view(request: HttpRequest) -> HttpResponse:
    return _page(request, request.GET)


def _back(query: str) -> str:
    """The queue the person came from (a query string of the queue page)."""
    return f"{reverse('ticket-queue')}?{query}" if query else reverse("ticket-queue")


@capability_required(Capability.TICKETS_WORK)
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    query = QueryDict(request.POST.get("query", ""))
    form = SavedViewForm(request.POST)
    if form.is_valid():
        try:
            view = saved_view_create(access=ticket_access_for(request),
                                     name=form.cleaned_data["name"],
                                     queue=_queue_of(query).value, query=query,
                                     shared=form.cleaned_data["shared"])
        except (InvalidInput, Conflict) as error:
            form.refuse(error)
            return _page(request, query, save_form=form, status=error.status_code)
        messages.success(request, _("Vederea „%(name)s” a fost salvată.") % {"name": view.name})
        return redirect(_back(saved_view_query(view)))
    return _page(request, query, save_form=form, status=400)


@capability_required(Capability.TICKETS_WORK)
@require_POST
def saved_view_remove(request: HttpRequest, pk: int) -> HttpResponse:
    saved_view_delete(access=ticket_access_for(request), view_id=pk)
    messages.success(request, _("Vederea a fost ștearsă."))
    return redirect(_back(request.POST.get("query", "")))


@capability_required(Capability.TICKETS_WORK)
@require_POST
def shift_toggle(request: HttpRequest) -> HttpResponse:
    on_shift = request.POST.get("on_shift") == "1"
    try:
        team_member_shift_set(access=ticket_access_for(request), on_shift=on_shift)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Sunteți în tură: primiți solicitări prin repartizare "
                                    "automată.") if on_shift else
                         _("Ați ieșit din tură: nu mai primiți solicitări automat."))
    return redirect(_back(request.POST.get("query", "")))


def _safe_back(request: HttpRequest, back: str) -> str:
    """Only a queue page of this host: ``next`` comes from the request."""
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) \
        and back.startswith(reverse("ticket-queue"))
    return back if safe else reverse("ticket-queue")


def _bulk_one(access: TicketAccess, ticket_id: int, data: dict[str, Any],
              assignee: User | None) -> None:
    action = data["action"]
    if action == BULK_TAKE:
        ticket_assign(access=access, ticket_id=ticket_id, assignee=access.user)
    elif action == BULK_ASSIGN:
        ticket_assign(access=access, ticket_id=ticket_id, assignee=assignee)
    elif action == BULK_QUEUE:
        ticket_update(access=access, ticket_id=ticket_id, changes={"queue_id": data["queue"]},
                      reason=_("Modificare în bloc"))
    elif action == BULK_TEAM:
        ticket_update(access=access, ticket_id=ticket_id, changes={"team_id": data["team"]},
                      reason=_("Modificare în bloc"))
    elif action == BULK_CLOSE:
        ticket_transition(access=access, ticket_id=ticket_id, action=Action.CLOSE)


def bulk_result(updated: int, refused: list[tuple[str, str]]) -> str:
    """``5 solicitări actualizate, 1 refuzată: NR: motiv``."""
    text = ngettext("%(count)d solicitare actualizată", "%(count)d solicitări actualizate",
                    updated) % {"count": updated}
    if refused:
        text += ", " + ngettext("%(count)d refuzată", "%(count)d refuzate",
                                len(refused)) % {"count": len(refused)}
        text += ": " + "; ".join(f"{number}: {reason}" for number, reason in refused)
    return text


@capability_required(Capability.TICKETS_WORK)
@require_POST
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Two steps: the choice is shown back for confirmation, then applied ticket by ticket,
    each through its service; a refusal stops only that ticket's change."""
    access = ticket_access_for(request)
    back = _safe_back(request, request.POST.get("next", ""))
    query = QueryDict(back.split("?", 1)[1] if "?" in back else "")
    form = _bulk_form(request, access, request.POST)
    if not form.is_valid():
        return _page(request, query, bulk_form=form, status=400)
    data = form.cleaned_data
    tickets = list(tickets_visible(access=access).filter(pk__in=data["ids"])
                   .only("number", "title", "status").order_by("-created_at", "-id"))
    found = {ticket.pk: ticket.number for ticket in tickets}
    assignee = (User.objects.filter(pk=data["assignee"]).first()
                if data.get("assignee") is not None else None)
    if data["action"] == BULK_ASSIGN and assignee is None:
        form.add_error("assignee", _("Persoana aleasă nu există."))
        return _page(request, query, bulk_form=form, status=400)
    if request.POST.get("confirmare") != "1":
        return render(request, TEMPLATES + "bulk_confirm.html", {
            "form": form, "tickets": tickets, "next": back, "assignee": assignee,
            "missing": len(data["ids"]) - len(tickets),
            "action_label": dict(form.fields["action"].choices)[data["action"]],  # type: ignore[attr-defined]
            "queue_label": dict(reads.queue_choices()).get(data.get("queue")),
            "team_label": dict(reads.team_choices()).get(data.get("team")),
        })
    updated = 0
    refused: list[tuple[str, str]] = []
    for ticket_id in data["ids"]:
        try:
            _bulk_one(access, ticket_id, data, assignee)
        except ApplicationError as error:
            refused.append((found.get(ticket_id, f"#{ticket_id}"), error.message))
        else:
            updated += 1
    (messages.warning if refused else messages.success)(request, bulk_result(updated, refused))
    return redirect(back)
