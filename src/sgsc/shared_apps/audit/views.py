"""The audit viewer (auditors and AGE administrators): list, one event, CSV export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from sgsc.platform.access import capability_required
from sgsc.platform.csv_export import csv_streaming_response
from sgsc.shared_apps.audit.forms import CHISINAU, AuditFilterForm, host_tenant
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.selectors import (
    AuditFilters,
    audit_event_chain_position,
    audit_event_get,
    audit_event_list,
)
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.roles import Capability

PAGE_SIZE = 50
# Beyond this an export is refused: narrower filters give a file people can still open.
EXPORT_MAX_ROWS = 100_000
EXPORT_CHUNK_SIZE = 2000


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("pagina", None)
    return query.urlencode()


def _details_text(details: dict[str, Any]) -> str:
    return json.dumps(details, indent=2, ensure_ascii=False, sort_keys=True) if details else ""


def _list_response(request: HttpRequest, form: AuditFilterForm,
                   filters: AuditFilters | None) -> HttpResponse:
    """The list page; with ``filters=None`` (invalid input) only the form and its errors."""
    page, rows = None, []
    if filters is not None:
        events = audit_event_list(tenant=host_tenant(request), filters=filters)
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("pagina"))
        rows = [(event, _details_text(event.details)) for event in page.object_list]
    return render(request, "audit/list.html", {
        "form": form, "page": page, "rows": rows, "query": _query_without_page(request),
        "max_rows": EXPORT_MAX_ROWS,
    }, status=200 if filters is not None else 400)


@capability_required(Capability.AUDIT_VIEW)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET, tenant=host_tenant(request))
    return _list_response(request, form, form.filters() if form.is_valid() else None)


@capability_required(Capability.AUDIT_VIEW)
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = audit_event_get(tenant=host_tenant(request), pk=pk)
    return render(request, "audit/detail.html", {
        "event": event,
        "position": audit_event_chain_position(event=event),
        "details_text": _details_text(event.details),
    })


def _csv_rows(events: Any, outcome_labels: dict[str, str],
              platform_label: str) -> Iterator[list[Any]]:
    for event in events.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield [
            event.pk,
            timezone.localtime(event.occurred_at, CHISINAU).strftime("%Y-%m-%d %H:%M:%S"),
            event.tenant.name if event.tenant is not None else platform_label,
            event.chain,
            event.sequence,
            event.actor_id,
            event.actor_label,
            event.action,
            event.object_type,
            event.object_id,
            outcome_labels.get(event.outcome, event.outcome),
            event.ip,
            event.request_id,
            json.dumps(event.details, ensure_ascii=False, sort_keys=True) if event.details
            else "",
            event.previous_hash,
            event.hash,
        ]


# A streamed file is not an HttpResponse, which is all the decorator's type admits.
@capability_required(Capability.AUDIT_VIEW)  # type: ignore[arg-type]
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered events as CSV, streamed; the export itself is audited."""
    tenant = host_tenant(request)
    form = AuditFilterForm(request.GET, tenant=tenant)
    if not form.is_valid():
        return _list_response(request, form, None)
    filters = form.filters()
    events = audit_event_list(tenant=tenant, filters=filters)
    # Counted and bounded at one moment, so the file holds what the audit event says (the
    # export's own event, and anything written later, stay out).
    summary = events.aggregate(rows=Count("id"), last_id=Max("id"))
    rows: int = summary["rows"]
    details = {"filters": filters.as_details(), "rows": rows}
    if rows > EXPORT_MAX_ROWS:
        audit_record(action="audit.export", outcome=AuditEvent.Outcome.FAILURE,
                     object_type="audit_log", details={**details, "reason": "too_many_rows"})
        messages.error(request, _(
            "Numărul de evenimente de exportat (%(rows)s) depășește limita de %(limit)s. "
            "Restrângeți filtrele (de exemplu intervalul de timp) și încercați din nou."
        ) % {"rows": number_format(rows, force_grouping=True),
             "limit": number_format(EXPORT_MAX_ROWS, force_grouping=True)})
        query = _query_without_page(request)
        return redirect(reverse("audit-list") + (f"?{query}" if query else ""))
    audit_record(action="audit.export", object_type="audit_log", details=details)
    # Everything translated is resolved now: the rows are written after the view returns.
    header = [_("ID"), _("Momentul (ora Chișinăului)"), _("Spațiu"), _("Lanț"),
              _("Nr. în lanț"), _("ID autor"), _("Autor"), _("Acțiune"), _("Tip obiect"),
              _("ID obiect"), _("Rezultat"), _("Adresă IP"), _("ID cerere"), _("Detalii"),
              _("Hash anterior"), _("Hash")]
    outcome_labels = {value: str(label) for value, label in AuditEvent.Outcome.choices}
    bounded = events.filter(id__lte=summary["last_id"] or 0)
    stamp = timezone.localtime(timezone.now(), CHISINAU).strftime("%Y%m%d-%H%M")
    return csv_streaming_response(f"jurnal-audit-{stamp}.csv", header,
                                  _csv_rows(bounded, outcome_labels, _("Platformă")))
