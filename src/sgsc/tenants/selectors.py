"""Reads over tenants. Every loop over tenants goes through here so the template stays out."""

from __future__ import annotations

from django.db.models import QuerySet

from sgsc.tenants.models import Tenant


def tenant_list_real() -> QuerySet[Tenant]:
    """Provider and hub tenants, never the public row nor the template."""
    return Tenant.objects.exclude(kind=Tenant.Kind.PLATFORM).exclude(is_template=True)


def tenant_list_active() -> QuerySet[Tenant]:
    return tenant_list_real().filter(status=Tenant.Status.ACTIVE)


def tenant_get_by_slug(*, slug: str) -> Tenant:
    return tenant_list_real().get(slug=slug)
