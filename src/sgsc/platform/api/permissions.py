"""API permissions read the one role table through the user's capabilities on this host."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.identity.selectors import user_capabilities_on


def request_capabilities(request: Any) -> frozenset[Capability]:
    cached: frozenset[Capability] | None = getattr(request, "_sgsc_capabilities", None)
    if cached is None:
        cached = user_capabilities_on(user=request.user, tenant=getattr(request, "tenant", None))
        request._sgsc_capabilities = cached
    return cached


def capability_required(capability: Capability) -> type[BasePermission]:
    """A DRF permission class granting access to holders of ``capability`` on this host."""

    class _HasCapability(BasePermission):
        message = _("Nu aveți dreptul să efectuați această acțiune.")

        def has_permission(self, request: Request, view: Any) -> bool:
            return bool(request.user and request.user.is_authenticated
                        and capability in request_capabilities(request))

    _HasCapability.__name__ = f"Has_{capability.value.replace('.', '_')}"
    return _HasCapability
