"""The ticket page: header with the SLA clock, requester, data, journal timeline, reply box,
the actions the state machine allows, assignment, deadline, corrections, and the ticket as it
was at any moment (``?la=``).

Each form posts to its own URL; on success the page is loaded again (post/redirect/get), on a
refusal it comes back with that form holding the service's message and the refusal's status.
A refusal of rights (403) or scope (404) is the error page with its code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_stubs_ext import StrOrPromise

from sgsc.platform.access import capability_required
from sgsc.platform.errors import Conflict, InvalidInput, NotFound
from sgsc.shared_apps.identity.member_views import request_tenant
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.sla.selectors import clock_settings_get, sla_figure, working_time
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for
from sgsc.tenant_apps.tickets.journal import CORRECTABLE_FIELDS
from sgsc.tenant_apps.tickets.lifecycle import Action, allowed_actions, can_work_level
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket
from sgsc.tenant_apps.tickets.selectors import ticket_as_of, ticket_get, ticket_journal
from sgsc.tenant_apps.tickets.services import (
    UPDATABLE,
    Escalation,
    journal_correct,
    ticket_assign,
    ticket_deadline_set,
    ticket_reply,
    ticket_transition,
    ticket_update,
)
from sgsc.tenant_apps.tickets.web import reads
from sgsc.tenant_apps.tickets.web.display import SlaView, local_moment, state_rows, timeline
from sgsc.tenant_apps.tickets.web.forms import (
    AsOfForm,
    AssignForm,
    CorrectionForm,
    DeadlineForm,
    ReplyForm,
    ServiceForm,
    TicketEditForm,
    TransitionForm,
)

TEMPLATE = "tickets/ticket.html"
ATTACHMENTS_TEMPLATE = "tickets/_attachments.html"
DONE: dict[Action, StrOrPromise] = {
    Action.TAKE: gettext_lazy("Solicitarea a fost preluată în lucru."),
    Action.WAIT: gettext_lazy("Solicitarea așteaptă informații de la solicitant; termenul "
                              "este suspendat."),
    Action.RESUME: gettext_lazy("Lucrul la solicitare a fost reluat."),
    Action.ESCALATE: gettext_lazy("Solicitarea a fost escaladată la nivelul %(level)d."),
    Action.RETURN: gettext_lazy("Solicitarea a fost returnată la nivelul 1."),
    Action.RESOLVE: gettext_lazy("Solicitarea a fost soluționată."),
    Action.CLOSE: gettext_lazy("Solicitarea a fost închisă."),
    Action.REOPEN: gettext_lazy("Solicitarea a fost redeschisă."),
    Action.ARCHIVE: gettext_lazy("Solicitarea a fost arhivată."),
}
CORRECTABLE = CORRECTABLE_FIELDS & set(UPDATABLE)
# Where each posted form is shown again with its errors (transitions: "action-<action>").
FORM_SLOTS = {"edit": "edit_form", "reply": "reply_form", "correct": "correction_form",
              "assign": "assign_form", "deadline": "deadline_form"}


def _optional_template(name: str) -> str | None:
    """A partial another part of the workspace provides; the page stands without it."""
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


def _correctable_entries(entries: list[JournalEntry]) -> list[tuple[int, str]]:
    """The entries whose registered data may still be put right (the service judges)."""
    annulled = {entry.annuls_id for entry in entries if entry.annuls_id}
    return [(entry.seq, f"#{entry.seq} · {JournalEntry.Kind(entry.kind).label} · "
                        f"{local_moment(entry.at)}")
            for entry in entries
            if entry.kind != JournalEntry.Kind.CORRECTION and entry.pk not in annulled
            and CORRECTABLE & set(entry.changes)]


def _data_choices(request: HttpRequest, access: TicketAccess) -> dict[str, Any]:
    """The choices of the data forms (edit, correction), read once per page."""
    return {"services": reads.service_choices(), "categories": reads.category_choices(),
            "institutions": reads.institution_choices(tenant=request_tenant(request),
                                                      access=access)}


def _edit_form(ticket: Ticket, choices: dict[str, Any], data: Any = None) -> TicketEditForm:
    return TicketEditForm(data, ticket=ticket, queues=reads.queue_choices(), **choices)


def _correction_form(entries: list[JournalEntry], choices: dict[str, Any],
                     data: Any = None) -> CorrectionForm:
    return CorrectionForm(data, entries=_correctable_entries(entries), **choices)


def _transition_form(ticket: Ticket, action: Action, data: Any = None) -> TransitionForm:
    teams = reads.team_choices(level=ticket.level + 1) if action is Action.ESCALATE else None
    return TransitionForm(data, action=action, level=ticket.level, teams=teams,
                          prefix=action.value)


def _work_context(request: HttpRequest, access: TicketAccess, ticket: Ticket,
                  entries: list[JournalEntry], bound: dict[str, ServiceForm]) -> dict[str, Any]:
    """What the page offers to someone working the ticket now (not in the as-of view)."""
    now = timezone.now()
    clock_settings = clock_settings_get()
    figure = sla_figure(ticket=ticket, now=now, clock=working_time(settings=clock_settings),
                        warning_percent=clock_settings.warning_percent)
    can_work = can_work_level(level=ticket.level, capabilities=access.capabilities)
    supervisor = access.can(Capability.TICKETS_SUPERVISE)
    active = ticket.is_active
    context: dict[str, Any] = {
        "sla": SlaView.of(figure), "can_work": can_work, "supervisor": supervisor,
        "actions": [bound.get(f"action-{action}") or _transition_form(ticket, action)
                    for action in allowed_actions(ticket=ticket,
                                                  capabilities=access.capabilities)],
        "can_take": active and can_work and ticket.assignee_id != access.user.pk,
        "canned_replies": reads.canned_replies(service_id=ticket.service_id),
        "articles": reads.articles(service_id=ticket.service_id),
    }
    if can_work and ticket.status != Ticket.Status.ARCHIVED:
        context["reply_form"] = bound.get("reply") or ReplyForm()
    if active and can_work:
        choices = _data_choices(request, access)
        context["edit_form"] = bound.get("edit") or _edit_form(ticket, choices)
        context["correction_form"] = (bound.get("correct")
                                      or _correction_form(entries, choices))
    if active and supervisor:
        people = reads.people_working(tenant=request_tenant(request), level=ticket.level,
                                      institution_id=ticket.institution_id)
        context["assign_form"] = bound.get("assign") or AssignForm(
            people=reads.person_choices(people), initial={"assignee": ticket.assignee_id})
        context["deadline_form"] = bound.get("deadline") or DeadlineForm()
    return context


def _render(request: HttpRequest, ticket: Ticket, *, bound: dict[str, ServiceForm] | None = None,
            status: int = 200) -> HttpResponse:
    access = ticket_access_for(request)
    as_of_form = AsOfForm(request.GET if "la" in request.GET else None)
    moment = as_of_form.moment()
    entries = list(ticket_journal(ticket=ticket))
    context: dict[str, Any] = {
        "ticket": ticket, "as_of_form": as_of_form, "moment": moment,
        "other_tickets": reads.contact_tickets(access=access, contact_id=ticket.contact_id,
                                               exclude_id=ticket.pk),
        "attachments_template": _optional_template(ATTACHMENTS_TEMPLATE),
        "open_form": next(iter(bound), "") if bound else "",
    }
    if moment is not None:
        state = ticket_as_of(ticket=ticket, moment=moment)
        context["as_of_rows"] = state_rows(state) if state else None
        entries = [entry for entry in entries if entry.at <= moment]
    else:
        context.update(_work_context(request, access, ticket, entries, bound or {}))
    context["timeline"] = timeline(entries)
    shown = {f"action-{form.action}" for form in context.get("actions", ())} | {
        key for key, slot in FORM_SLOTS.items() if slot in context}
    # A form the page no longer offers (the action is not allowed from this state, say)
    # brings its refusal above the page.
    context["refusal"] = next((form for key, form in (bound or {}).items() if key not in shown),
                              None)
    if as_of_form.is_bound and not as_of_form.is_valid():
        status = 400
    return render(request, TEMPLATE, context, status=status)


@capability_required(Capability.TICKETS_WORK)
@require_GET
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_get(access=ticket_access_for(request), ticket_id=pk)
    return _render(request, ticket)


@capability_required(Capability.TICKETS_WORK)
@require_GET
def ticket_by_number(request: HttpRequest, number: str) -> HttpResponse:
    ticket = ticket_get(access=ticket_access_for(request), number=number)
    return redirect("ticket-detail", pk=ticket.pk)


def _submit(request: HttpRequest, ticket: Ticket, key: str, form: ServiceForm,
            change: Callable[[], StrOrPromise]) -> HttpResponse:
    """Run ``change`` (a service call returning the success message) when the form is
    valid; a refusal of the input or of the state comes back inside the form."""
    status = 400
    if form.is_valid():
        try:
            done = change()
        except (InvalidInput, Conflict) as error:
            form.refuse(error)
            status = error.status_code
        else:
            messages.success(request, done)
            return redirect("ticket-detail", pk=ticket.pk)
    return _render(request, ticket, bound={key: form}, status=status)


def _posted(request: HttpRequest, pk: int) -> tuple[TicketAccess, Ticket]:
    access = ticket_access_for(request)
    return access, ticket_get(access=access, ticket_id=pk)


@capability_required(Capability.TICKETS_WORK)
@require_POST
def ticket_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    access, ticket = _posted(request, pk)
    form = _edit_form(ticket, _data_choices(request, access), request.POST)

    def change() -> StrOrPromise:
        ticket_update(access=access, ticket_id=pk, changes=form.changes(),
                      reason=form.cleaned_data["reason"])
        return _("Datele solicitării au fost salvate.")

    return _submit(request, ticket, "edit", form, change)


@capability_required(Capability.TICKETS_WORK)
@require_POST
def ticket_transition_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    access, ticket = _posted(request, pk)
    try:
        move = Action(action)
    except ValueError:
        raise NotFound(_("Acțiune necunoscută."), code="unknown_action") from None
    form = _transition_form(ticket, move, request.POST)

    def change() -> StrOrPromise:
        data = form.cleaned_data
        escalation = (Escalation(level=ticket.level + 1, team_id=data["team"],
                                 due_at=data["due_at"]) if move is Action.ESCALATE else None)
        done = ticket_transition(access=access, ticket_id=pk, action=move,
                                 reason=data["reason"], escalation=escalation)
        return DONE[move] % {"level": done.level} if move is Action.ESCALATE else DONE[move]

    return _submit(request, ticket, f"action-{move}", form, change)


@capability_required(Capability.TICKETS_WORK)
@require_POST
def ticket_reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    access, ticket = _posted(request, pk)
    form = ReplyForm(request.POST)

    def change() -> StrOrPromise:
        ticket_reply(access=access, ticket_id=pk, body=form.cleaned_data["body"],
                     public=form.public)
        return (_("Răspunsul către solicitant a fost înregistrat.") if form.public
                else _("Nota internă a fost adăugată."))

    return _submit(request, ticket, "reply", form, change)


@capability_required(Capability.TICKETS_WORK)
@require_POST
def ticket_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """"Preia" (the person's own id) or, for a supervisor, anyone eligible or no one."""
    access, ticket = _posted(request, pk)
    form = AssignForm(request.POST, people=[])

    def change() -> StrOrPromise:
        chosen = form.cleaned_data["assignee"]
        assignee = User.objects.filter(pk=chosen).first() if chosen is not None else None
        if chosen is not None and assignee is None:
            raise InvalidInput(_("Persoana aleasă nu există."), code="unknown_assignee",
                               fields={"assignee": [_("Valoare necunoscută.")]})
        ticket_assign(access=access, ticket_id=pk, assignee=assignee)
        if assignee is None:
            return _("Solicitarea nu mai este repartizată.")
        return _("Solicitarea a fost repartizată: %(name)s.") % {
            "name": assignee.get_full_name() or assignee.email}

    return _submit(request, ticket, "assign", form, change)


@capability_required(Capability.TICKETS_WORK)
@require_POST
def ticket_deadline_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Supervisors only: the service refuses anyone else (``deadline_edit_denied``, 403)."""
    access, ticket = _posted(request, pk)
    form = DeadlineForm(request.POST)

    def change() -> StrOrPromise:
        due_at: datetime = form.cleaned_data["due_at"]
        ticket_deadline_set(access=access, ticket_id=pk, due_at=due_at,
                            reason=form.cleaned_data["reason"])
        return _("Termenul de soluționare a fost stabilit: %(due)s.") % {
            "due": local_moment(due_at)}

    return _submit(request, ticket, "deadline", form, change)


@capability_required(Capability.TICKETS_WORK)
@require_POST
def ticket_correct_view(request: HttpRequest, pk: int) -> HttpResponse:
    access, ticket = _posted(request, pk)
    form = _correction_form(list(ticket_journal(ticket=ticket)), _data_choices(request, access),
                            request.POST)

    def change() -> StrOrPromise:
        correction = journal_correct(access=access, ticket_id=pk,
                                     entry_seq=form.cleaned_data["entry"],
                                     changes=form.corrected,
                                     reason=form.cleaned_data["reason"])
        return _("Înregistrarea #%(annulled)d a fost corectată prin înregistrarea "
                 "#%(seq)d.") % {"annulled": form.cleaned_data["entry"], "seq": correction.seq}

    return _submit(request, ticket, "correct", form, change)

