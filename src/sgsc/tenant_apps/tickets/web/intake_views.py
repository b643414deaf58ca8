"""Phone intake: a ticket registered in a few keystrokes while the call goes on (the caller's
number first, a live look-up of the known requester, the service typed by code or name). The
same form registers by hand what came by e-mail or through the portal (``?canal=``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sgsc.platform.access import capability_required
from sgsc.platform.errors import Conflict, InvalidInput
from sgsc.shared_apps.identity.member_views import request_tenant
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.catalog.selectors import service_get_by_code
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for
from sgsc.tenant_apps.tickets.contacts import Requester, contact_find, phone_normalize
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.services import TicketInput, ticket_create
from sgsc.tenant_apps.tickets.web import reads
from sgsc.tenant_apps.tickets.web.forms import ContactLookupForm, IntakeForm

TEMPLATES = "tickets/"


def _register(access: TicketAccess, form: IntakeForm) -> Ticket:
    data = form.cleaned_data
    code = form.service_code_value()
    service = service_get_by_code(code=code) if code else None
    return ticket_create(access=access, data=TicketInput(
        channel=data["channel"], title=data["title"], description=data["description"],
        subject=data["subject"], requester=Requester(**form.requester()),
        service_id=service.pk if service else None, category_id=data["category"],
        institution_id=data.get("institution"), impact=data["impact"],
        urgency=data["urgency"]))


@capability_required(Capability.TICKETS_WORK)
@require_http_methods(["GET", "POST"])
def ticket_intake(request: HttpRequest) -> HttpResponse:
    access = ticket_access_for(request)
    institutions = reads.institution_choices(tenant=request_tenant(request), access=access)
    channel = request.GET.get("canal", "")
    initial = {"channel": channel if channel in Ticket.Channel.values else Ticket.Channel.PHONE}
    if institutions is not None and len(institutions) == 1:
        initial["institution"] = institutions[0][0]
    form = IntakeForm(request.POST or None, categories=reads.category_choices(),
                      institutions=institutions, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                ticket = _register(access, form)
            except (InvalidInput, Conflict) as error:
                form.refuse(error)
                status = error.status_code
            else:
                messages.success(request, _("Solicitarea %(number)s a fost înregistrată.")
                                 % {"number": ticket.number})
                return redirect("ticket-detail", pk=ticket.pk)
    return render(request, TEMPLATES + "intake.html",
                  {"form": form, "services": reads.services_active()}, status=status)


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
