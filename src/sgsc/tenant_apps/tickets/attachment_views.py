"""Pages of ticket attachments: the attachment section (list and upload, htmx inside the
ticket page, a page of its own without JavaScript) and the download."""

from __future__ import annotations

from typing import IO

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

from sgsc.platform.access import capability_required
from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.tickets.access import ticket_access_for
from sgsc.tenant_apps.tickets.attachments import attachment_add, attachment_download_open
from sgsc.tenant_apps.tickets.lifecycle import can_work_level
from sgsc.tenant_apps.tickets.models import Attachment
from sgsc.tenant_apps.tickets.selectors import ticket_get

# Sent with a successful htmx upload: the ticket page may refresh its journal on it.
JOURNAL_CHANGED_EVENT = "ticket-journal-changed"


class AttachmentForm(forms.Form):
    # Empty files reach the service, which refuses them with its own code (file_empty).
    file = forms.FileField(label=gettext_lazy("Fișier"), allow_empty_file=True)


def attachment_response(attachment: Attachment, handle: IO[bytes]) -> FileResponse:
    """The file, streamed, always as a download and never sniffed into another type."""
    response = FileResponse(handle, as_attachment=True, filename=attachment.name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _accepted_message(attachment: Attachment) -> str:
    if attachment.scan == Attachment.Scan.QUARANTINED:
        return _("Fișierul „%(name)s” a fost primit, dar verificarea antivirus nu este "
                 "disponibilă acum: va putea fi descărcat după verificare.") % {
                     "name": attachment.name}
    return _("Fișierul „%(name)s” a fost atașat.") % {"name": attachment.name}


@capability_required(Capability.TICKETS_WORK)
@require_http_methods(["GET", "POST"])
def ticket_attachments(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The attachment section: htmx swaps it in place on the ticket page; without
    JavaScript it is a page of its own (post, then redirect)."""
    access = ticket_access_for(request)
    ticket = ticket_get(access=access, ticket_id=ticket_id)
    error = done = ""
    if request.method == "POST":
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            error = " ".join(str(message) for message in form["file"].errors)
        else:
            upload = form.cleaned_data["file"]
            try:
                attachment = attachment_add(access=access, ticket_id=ticket.pk, stream=upload,
                                            name=upload.name or "")
            except ApplicationError as refusal:
                error = refusal.message
            else:
                done = _accepted_message(attachment)
                if not request.htmx:  # type: ignore[attr-defined]
                    messages.success(request, done)
                    return redirect("ticket-attachments", ticket_id=ticket.pk)
    context = {"ticket": ticket, "attachment_error": error, "attachment_done": done,
               "can_work": can_work_level(level=ticket.level,
                                          capabilities=access.capabilities)}
    if request.htmx:  # type: ignore[attr-defined]
        # htmx swaps only 2xx answers: a refusal comes back inside the section.
        response = render(request, "tickets/_attachments.html", context)
        return trigger_client_event(response, JOURNAL_CHANGED_EVENT) if done else response
    return render(request, "tickets/attachments.html", context, status=400 if error else 200)


# A streamed file is not an HttpResponse, which is all the decorator's type admits.
@capability_required(Capability.TICKETS_WORK)  # type: ignore[arg-type]
@require_GET
def attachment_download(request: HttpRequest, ticket_id: int,
                        attachment_id: int) -> FileResponse:
    """A clean attachment; one in quarantine is a 409 page, an infected one a 410 page."""
    attachment, handle = attachment_download_open(access=ticket_access_for(request),
                                                  ticket_id=ticket_id,
                                                  attachment_id=attachment_id)
    return attachment_response(attachment, handle)
