"""Pages of other parts of the workspace that the hub's pages link to, by path."""

from __future__ import annotations

from urllib.parse import urlencode

from sgsc.tenant_apps.tickets.queues import QueueName
from sgsc.tenant_apps.tickets.saved_views import QUEUE_PARAMETER

QUEUE_PATH = "/solicitari/"
ROUTING_CONFIG_PATH = "/configurare/rutare/"


def queue_link(institution_id: int) -> str:
    """The operators' queue of every active ticket, filtered to one institution."""
    return f"{QUEUE_PATH}?" + urlencode({QUEUE_PARAMETER: QueueName.ACTIVE.value,
                                         "institution_id": institution_id})
