"""The operators' call pages (``tickets.work``): the calls list with its filters, one call with
its events, the missed calls still to be called back, and the call on the operator's line
now, polled by the workspace pages so that the ticket "pops up by itself".

Every read goes through the institution scope of ``selectors`` (invariant 1): a call of an
institution the person does not serve is the same 404 as a missing one."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sgsc.platform.access import capability_required
from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.telephony.display import citizen_number, phone_display
from sgsc.tenant_apps.telephony.forms import CallFilterForm
from sgsc.tenant_apps.telephony.selectors import (
    CALL_RELATED,
    call_current,
    call_events,
    call_get,
    calls_missed,
    calls_search,
)
from sgsc.tenant_apps.telephony.services import call_called_back
from sgsc.tenant_apps.tickets.access import ticket_access_for

TEMPLATES = "telephony/"
PAGE_SIZE = 50
# htmx stops polling on this status: a signed-out page stops asking.
STOP_POLLING = 286
work = capability_required(Capability.TICKETS_WORK)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("pagina", None)
    return query.urlencode()


def form_error_code(form: Form) -> str:
    """The code of the form's first error (``invalid_choice``, ``invalid_range``…)."""
    for errors in form.errors.as_data().values():
        for error in errors:
            return str(error.code or "invalid")
    return ""


@work
@require_GET
def call_list(request: HttpRequest) -> HttpResponse:
    """The calls the person may see, newest first, narrowed by a part of a number, a result
    and a time range in Chisinau time."""
    access = ticket_access_for(request)
    form = CallFilterForm(request.GET)
    page = None
    if form.is_valid():
        data = form.cleaned_data
        calls = calls_search(access=access, number=data["q"],
                             disposition=data["disposition"], start=data["since"],
                             end=data["until"])
        page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, TEMPLATES + "calls.html", {
        "form": form, "page": page, "query": _query_without_page(request),
        "error_code": form_error_code(form) if page is None else "",
    }, status=200 if page is not None else 400)


@work
@require_GET
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = call_get(access=ticket_access_for(request), call_id=pk)
    events = [(event, json.dumps(event.payload, indent=2, ensure_ascii=False, sort_keys=True))
              for event in call_events(call=call)]
    return render(request, TEMPLATES + "call.html", {"call": call, "events": events})


@work
@require_GET
def call_missed(request: HttpRequest) -> HttpResponse:
    """Inbound calls nobody answered and nobody has called back yet."""
    calls = (calls_missed(access=ticket_access_for(request)).select_related(*CALL_RELATED)
             .order_by("-started_at", "-pk"))
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, TEMPLATES + "missed.html", {"page": page, "query": ""})


@work
@require_http_methods(["GET", "POST"])
def call_callback(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then record that the missed caller was called back."""
    access = ticket_access_for(request)
    if request.method == "POST":
        try:
            call = call_called_back(access=access, call_id=pk)
        except ApplicationError as error:
            return render(request, TEMPLATES + "callback.html", {"error": error},
                          status=error.status_code)
        messages.success(request, _("Apelul de la %(number)s a fost marcat ca apelat înapoi.")
                         % {"number": phone_display(citizen_number(call))})
        return redirect("call-missed")
    return render(request, TEMPLATES + "callback.html",
                  {"call": call_get(access=access, call_id=pk)})


def call_current_view(request: HttpRequest) -> HttpResponse:
    """The htmx fragment of the call the person is on now; empty when there is none. A page
    left open after the session ended stops polling instead of showing the sign-in form."""
    if not request.user.is_authenticated:
        return HttpResponse(status=STOP_POLLING)
    return _call_current(request)


@work
@require_GET
def _call_current(request: HttpRequest) -> HttpResponse:
    call = call_current(access=ticket_access_for(request))
    response = render(request, TEMPLATES + "_current_call.html", {"call": call})
    add_never_cache_headers(response)
    return response
