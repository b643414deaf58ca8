from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sgsc.platform.api.permissions import request_capabilities
from sgsc.platform.navigation import visible_items


def navigation(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_public = tenant is None or tenant.is_public
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "current_tenant": tenant, "is_public_host": is_public}
    capabilities = request_capabilities(request)
    return {
        "nav_items": visible_items(capabilities=capabilities, is_public_host=is_public,
                                   tenant_kind=getattr(tenant, "kind", None)),
        "capabilities": capabilities,
        "current_tenant": tenant,
        "is_public_host": is_public,
    }
