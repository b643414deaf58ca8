"""The hub coordinator's pages (journey 2), on hub hosts, for holders of ``hub.coordinate``:
the member institutions at a glance, the workload, the routing, moving tickets between the
institutions' teams, and the report per institution with its CSV."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from sgsc.platform.access import capability_required
from sgsc.platform.csv_export import csv_response
from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.member_forms import show_service_error
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.institutions.models import Institution
from sgsc.tenant_apps.hub.access import hub_access_for
from sgsc.tenant_apps.hub.forms import MoveForm, PeriodForm, SourceForm
from sgsc.tenant_apps.hub.selectors import (
    Period,
    hub_institutions,
    hub_move_candidates,
    hub_operator_load,
    hub_overview,
    hub_queues,
    hub_report,
    hub_routing,
    hub_teams,
    period_parse,
    report_csv_header,
    report_csv_rows,
)
from sgsc.tenant_apps.hub.services import MAX_MOVE, hub_move_check, hub_tickets_move
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.selectors import tickets_visible

TEMPLATES = "hub/"
# The move page lists this many of the selection's tickets to tick.
CANDIDATES_SHOWN = 200

coordinate = capability_required(Capability.HUB_COORDINATE)


def _period(request: HttpRequest) -> tuple[PeriodForm, Period | None, str]:
    """The period asked for (the current month by default), or the reason it is refused."""
    try:
        period = period_parse(first=request.GET.get("de_la", ""),
                              last=request.GET.get("pana_la", ""))
    except ApplicationError as error:
        return PeriodForm(request.GET), None, str(error.message)
    return PeriodForm(initial={"de_la": period.first.isoformat(),
                               "pana_la": period.last.isoformat()}), period, ""


def _period_query(period: Period) -> str:
    return urlencode({"de_la": period.first.isoformat(), "pana_la": period.last.isoformat()})


@coordinate
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    access, tenant = hub_access_for(request)
    form, period, error = _period(request)
    context: dict[str, Any] = {"form": form, "error": error}
    if period is None:
        return render(request, TEMPLATES + "overview.html", context, status=400)
    context.update(period=period, query=_period_query(period), rows=hub_overview(
        access=access, tenant=tenant, period=period, now=timezone.now()))
    return render(request, TEMPLATES + "overview.html", context)


@coordinate
@require_GET
def workload(request: HttpRequest) -> HttpResponse:
    access, tenant = hub_access_for(request)
    now = timezone.now()
    rows = hub_overview(access=access, tenant=tenant, period=None, now=now)
    institutions = [row.institution for row in rows if row.institution is not None]
    return render(request, TEMPLATES + "workload.html", {
        "rows": rows,
        "operators": hub_operator_load(access=access, institutions=institutions, now=now),
    })


@coordinate
@require_GET
def routing(request: HttpRequest) -> HttpResponse:
    access, tenant = hub_access_for(request)
    return render(request, TEMPLATES + "routing.html", {
        "groups": hub_routing(institutions=hub_institutions(access=access, tenant=tenant)),
        "can_configure": access.can(Capability.TICKETS_CONFIGURE),
    })


@coordinate
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    access, tenant = hub_access_for(request)
    form, period, error = _period(request)
    context: dict[str, Any] = {"form": form, "error": error}
    if period is None:
        return render(request, TEMPLATES + "report.html", context, status=400)
    context.update(period=period, query=_period_query(period),
                   reports=hub_report(access=access, tenant=tenant, period=period))
    return render(request, TEMPLATES + "report.html", context)


@coordinate
@require_GET
def report_export(request: HttpRequest) -> HttpResponse:
    """The report's figures as CSV (``;``, BOM); the export is audited."""
    access, tenant = hub_access_for(request)
    period = period_parse(first=request.GET.get("de_la", ""),
                          last=request.GET.get("pana_la", ""))
    reports = hub_report(access=access, tenant=tenant, period=period)
    audit_record(action="hub.report.export", actor=access.user, object_type="hub_report",
                 details={"from": period.first.isoformat(), "to": period.last.isoformat(),
                          "institutions": [r.institution.pk if r.institution else None
                                           for r in reports]})
    return csv_response(f"raport-hub-{period.first:%Y%m%d}-{period.last:%Y%m%d}.csv",
                        report_csv_header(), report_csv_rows(reports))


# --- moving tickets ----------------------------------------------------------------------------

def _choices(access: TicketAccess, institutions: list[Institution]) -> dict[str, Any]:
    return {
        "institutions": [(i.pk, i.name) for i in institutions],
        "teams": [(t.pk, t.name) for t in hub_teams(access=access)],
        "queues": [(q.pk, f"{q.name} — {q.team.name}"
                    + (f" ({q.team.institution.name})" if q.team.institution else ""))
                   for q in hub_queues(access=access)],
    }


@coordinate
@require_http_methods(["GET", "POST"])
def reassign(request: HttpRequest) -> HttpResponse:
    """Three steps: choose the source and the tickets, confirm, see what moved. The source
    travels in the query string, the choice in the form."""
    access, tenant = hub_access_for(request)
    institutions = hub_institutions(access=access, tenant=tenant)
    choices = _choices(access, institutions)
    source = SourceForm(request.GET or None, institutions=choices["institutions"],
                        teams=choices["teams"], queues=choices["queues"])
    context: dict[str, Any] = {"source": source, "max_move": MAX_MOVE, "step": "choose"}
    chosen = source.cleaned_data if source.is_valid() else {}
    institution = next((i for i in institutions if i.pk == chosen.get("institutie")), None)
    if institution is None:
        return render(request, TEMPLATES + "reassign.html", context)
    candidates = hub_move_candidates(access=access, institution=institution,
                                     team_id=chosen.get("echipa"), queue_id=chosen.get("coada"))
    shown = list(candidates[:CANDIDATES_SHOWN + 1])
    form = MoveForm(request.POST or None, tickets=[(t.pk, t.number) for t in shown],
                    queues=choices["queues"], institutions=choices["institutions"])
    context.update(institution=institution, form=form, candidates=shown[:CANDIDATES_SHOWN],
                   more=len(shown) > CANDIDATES_SHOWN, source_query=request.GET.urlencode())
    if request.method != "POST" or not form.is_valid():
        return render(request, TEMPLATES + "reassign.html", context,
                      status=400 if request.method == "POST" else 200)
    data = form.cleaned_data
    ticket_ids = data["tickets"]
    if data["all_unassigned"]:
        ticket_ids = list(hub_move_candidates(
            access=access, institution=institution, team_id=chosen.get("echipa"),
            queue_id=chosen.get("coada"), unassigned_only=True)
            .values_list("pk", flat=True)[:MAX_MOVE + 1])
    try:
        if request.POST.get("confirmare") != "1":
            # The confirmation names exactly the tickets that will move, and where.
            target = hub_move_check(access=access, tenant=tenant, ticket_ids=ticket_ids,
                                    queue_id=data["queue"], institution_id=data["institution"],
                                    reason=data["reason"])
            context.update(step="confirm", ticket_ids=ticket_ids, target=target, data=data,
                           chosen_tickets=list(tickets_visible(access=access).filter(pk__in=ticket_ids)
                                       .select_related("queue", "assignee").order_by("number")))
            return render(request, TEMPLATES + "reassign.html", context)
        result = hub_tickets_move(access=access, tenant=tenant, ticket_ids=ticket_ids,
                                  queue_id=data["queue"], institution_id=data["institution"],
                                  reason=data["reason"])
    except ApplicationError as error:
        show_service_error(form, error)
        return render(request, TEMPLATES + "reassign.html", context, status=400)
    context.update(step="done", result=result)
    return render(request, TEMPLATES + "reassign.html", context)
