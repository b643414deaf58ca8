"""Phone intake: a ticket registered in a few keystrokes while the call goes on (the caller's
number first, a live look-up of the known requester, the service typed by code or name). The
same form registers by hand what came by e-mail or through the portal (``?canal=``).

Opened from a call (``?apel=<id>``, the call on the operator's screen or in the calls lists)
it is prefilled from the call (the number, the line's institution and default service) and
keeps the call's id, so that registering ties the ticket to the call (``call_ticket_create``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sgsc.platform.access import capability_required
from sgsc.platform.errors import ApplicationError, Conflict, InvalidInput, NotFound
from sgsc.shared_apps.identity.member_views import request_tenant
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.catalog.selectors import service_get_by_code
from sgsc.tenant_apps.telephony.display import citizen_number, phone_display
from sgsc.tenant_apps.telephony.models import Call
from sgsc.tenant_apps.telephony.selectors import call_get
from sgsc.tenant_apps.telephony.services import call_ticket_create
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for
from sgsc.tenant_apps.tickets.contacts import Requester, contact_find, phone_normalize
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.services import TicketInput, ticket_create
from sgsc.tenant_apps.tickets.web import reads
from sgsc.tenant_apps.tickets.web.forms import MAX_ID, Choices, ContactLookupForm, IntakeForm

TEMPLATES = "tickets/"


def _ticket_input(form: IntakeForm) -> TicketInput:
    data = form.cleaned_data
    code = form.service_code_value()
    service = service_get_by_code(code=code) if code else None
    return TicketInput(
        channel=data["channel"], title=data["title"], description=data["description"],
        subject=data["subject"], requester=Requester(**form.requester()),
        service_id=service.pk if service else None, category_id=data["category"],
        institution_id=data.get("institution"), impact=data["impact"],
        urgency=data["urgency"])


def _register(access: TicketAccess, form: IntakeForm) -> Ticket:
    call_id = form.cleaned_data.get("call")
    if call_id is None:
        return ticket_create(access=access, data=_ticket_input(form))
    return call_ticket_create(access=access, call_id=call_id, data=_ticket_input(form))


def _call_asked(access: TicketAccess, raw: str) -> tuple[Call | None, ApplicationError | None]:
    """The call named by ``?apel=`` if the person may see it, else the refusal to show."""
    call_id = int(raw) if raw.isascii() and raw.isdigit() else 0
    try:
        if not 0 < call_id <= MAX_ID:
            raise NotFound(_("Apelul nu a fost găsit."), code="call_not_found")
        return call_get(access=access, call_id=call_id), None
    except NotFound as error:
        return None, error


def _call_initial(call: Call, institutions: Choices | None) -> dict[str, Any]:
    """What the call tells about the request: the number, and the line's institution and
    default service."""
    initial: dict[str, Any] = {"channel": Ticket.Channel.PHONE, "call": call.pk}
    number = citizen_number(call)
    if number:
        initial["phone"] = phone_display(number)
    if institutions is not None and call.institution_id in {pk for pk, _name in institutions}:
        initial["institution"] = call.institution_id
    service = call.line.service if call.line is not None else None
    if service is not None and service.is_active:
        initial["service_code"] = f"{service.code} · {service.name}"
    return initial


@capability_required(Capability.TICKETS_WORK)
@require_http_methods(["GET", "POST"])
def ticket_intake(request: HttpRequest) -> HttpResponse:
    access = ticket_access_for(request)
    institutions = reads.institution_choices(tenant=request_tenant(request), access=access)
    channel = request.GET.get("canal", "")
    initial: dict[str, Any] = {
        "channel": channel if channel in Ticket.Channel.values else Ticket.Channel.PHONE}
    if institutions is not None and len(institutions) == 1:
        initial["institution"] = institutions[0][0]
    call, call_error = None, None
    if request.method == "GET" and "apel" in request.GET:
        call, call_error = _call_asked(access, request.GET["apel"])
        if call is not None:
            initial.update(_call_initial(call, institutions))
    # Bound on every POST, an empty one included: it is answered with the fields it lacks.
    form = IntakeForm(request.POST if request.method == "POST" else None,
                      categories=reads.category_choices(),
                      institutions=institutions, initial=initial)
    if call is not None and "phone" in initial:
        form.focus("name")  # the caller's number is there already
    status = 200 if call_error is None else call_error.status_code
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                ticket = _register(access, form)
            except (InvalidInput, Conflict, NotFound) as error:  # NotFound: the call's
                form.refuse(error)
                status = error.status_code
            else:
                messages.success(request, _("Solicitarea %(number)s a fost înregistrată.")
                                 % {"number": ticket.number})
                return redirect("ticket-detail", pk=ticket.pk)
        if form.error_code != "call_not_found" and form.cleaned_data.get("call") is not None:
            call, _error = _call_asked(access, str(form.cleaned_data["call"]))
    if call_error is not None:
        form.error_code = call_error.code
    return render(request, TEMPLATES + "intake.html",
                  {"form": form, "services": reads.services_active(), "call": call,
                   "call_error": call_error}, status=status)


def _requester(form: ContactLookupForm) -> Requester | None:
    """What was typed so far, in the contacts' stored form; ``None`` when nothing usable."""
    form.is_valid()
    data = {name: str(form.cleaned_data.get(name) or "").strip()
            for name in ("phone", "idnp", "idno", "email")}
    try:
        phone = phone_normalize(data["phone"])
    except InvalidInput:
        phone = ""
    requester = Requester(phone=phone, email=data["email"].lower(),
                          idnp=data["idnp"] if len(data["idnp"]) == 13 else "",
                          idno=data["idno"] if len(data["idno"]) == 13 else "")
    return requester if any((requester.phone, requester.email, requester.idnp,
                             requester.idno)) else None


@capability_required(Capability.TICKETS_WORK)
@require_GET
def contact_lookup(request: HttpRequest) -> HttpResponse:
    """The known requester behind what is typed, with their open tickets (htmx fragment)."""
    requester = _requester(ContactLookupForm(request.GET))
    contact = contact_find(requester) if requester is not None else None
    tickets = (reads.contact_tickets(access=ticket_access_for(request), contact_id=contact.pk,
                                     active_only=True) if contact is not None else [])
    response = render(request, TEMPLATES + "_contact_lookup.html",
                      {"contact": contact, "tickets": tickets, "asked": requester is not None})
    patch_vary_headers(response, ["HX-Request"])
    return response
