from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sgsc.platform.api.permissions import request_capabilities
from sgsc.platform.navigation import visible_items
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.notifications.selectors import notification_unread_count


def navigation(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_public = tenant is None or tenant.is_public
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "current_tenant": tenant, "is_public_host": is_public}
    capabilities = request_capabilities(request)
    # The notifications live in the tenant's schema: there is nothing to count on the public host.
    unread = (notification_unread_count(user=user)
              if not is_public and Capability.TICKETS_WORK in capabilities else 0)
    return {
        "notifications_unread": unread,
        "nav_items": visible_items(capabilities=capabilities, is_public_host=is_public,
                                   tenant_kind=getattr(tenant, "kind", None)),
        "capabilities": capabilities,
        "current_tenant": tenant,
        "is_public_host": is_public,
    }
