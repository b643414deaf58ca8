"""Links from the hub's pages to the operators' queues (another part of the workspace)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from sgsc.tenant_apps.tickets.queues import QueueName
from sgsc.tenant_apps.tickets.saved_views import QUEUE_PARAMETER


def queue_link(institution_id: int) -> str:
    """The operators' queue of every active ticket, filtered to one institution."""
    return reverse("ticket-queue") + "?" + urlencode({QUEUE_PARAMETER: QueueName.ACTIVE.value,
                                                      "institution_id": institution_id})
