"""Reads about people and what they may do where."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import Capability, capabilities_for
from sgsc.tenants.models import Tenant


def host_tenant(request: Any) -> Tenant | None:
    """The tenant a request is served for; ``None`` on the public host."""
    tenant = getattr(request, "tenant", None)
    if isinstance(tenant, Tenant) and not tenant.is_public:
        return tenant
    return None


def membership_get_active(*, user: User, tenant: Tenant) -> Membership | None:
    """The membership giving ``user`` access to ``tenant`` now (active, within its dates)."""
    now = timezone.now()
    return (
        Membership.objects.filter(user=user, tenant=tenant, state=Membership.State.ACTIVE,
                                  valid_from__lte=now)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .first()
    )


def user_roles_on(*, user: User, tenant: Tenant | None) -> tuple[str, ...]:
    """The roles a person holds on a host: platform roles on the public host, else tenant roles."""
    if not user.is_authenticated or not user.is_active:
        return ()
    if tenant is None or tenant.is_public:
        return tuple(user.platform_roles)
    membership = membership_get_active(user=user, tenant=tenant)
    return tuple(membership.roles) if membership else ()


def user_capabilities_on(*, user: User, tenant: Tenant | None) -> frozenset[Capability]:
    return capabilities_for(user_roles_on(user=user, tenant=tenant))
