"""API permissions read the one role table through the user's capabilities on this host."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from sgsc.shared_apps.identity.models import Membership
from sgsc.shared_apps.identity.roles import Capability, capabilities_for
from sgsc.shared_apps.identity.selectors import membership_get_active, user_capabilities_on


def _on_tenant_host(request: Any) -> bool:
    tenant = getattr(request, "tenant", None)
    return tenant is not None and not tenant.is_public


def request_membership(request: Any) -> Membership | None:
    """The membership giving the request's person this tenant host, read once per request:
    the capabilities and the ticket access both come from it. None on the public host and for
    no one signed in (or a closed account)."""
    if not hasattr(request, "_sgsc_membership"):
        user = request.user
        request._sgsc_membership = (
            membership_get_active(user=user, tenant=request.tenant)
            if _on_tenant_host(request) and user.is_authenticated and user.is_active else None)
    membership: Membership | None = request._sgsc_membership
    return membership


def request_capabilities(request: Any) -> frozenset[Capability]:
    cached: frozenset[Capability] | None = getattr(request, "_sgsc_capabilities", None)
    if cached is None:
        if _on_tenant_host(request):
            membership = request_membership(request)
            cached = capabilities_for(membership.roles if membership else ())
        else:
            cached = user_capabilities_on(user=request.user,
                                          tenant=getattr(request, "tenant", None))
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
