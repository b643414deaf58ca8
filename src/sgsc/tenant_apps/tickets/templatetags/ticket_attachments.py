"""``{% attachment_panel ticket can_work as panel %}``: what the attachment section of a
ticket page shows, so that ``tickets/_attachments.html`` works wherever it is included."""

from __future__ import annotations

from django import template

from sgsc.tenant_apps.tickets.attachments import AttachmentPanel, attachment_panel
from sgsc.tenant_apps.tickets.models import Ticket

register = template.Library()


@register.simple_tag(name="attachment_panel")
def attachment_panel_tag(ticket: Ticket, can_work: bool = False) -> AttachmentPanel:
    return attachment_panel(ticket=ticket, can_work=bool(can_work))
