"""Reads of the current tenant's workspace; call inside the tenant's schema."""

from __future__ import annotations

from sgsc.tenant_apps.workspace.models import WorkspaceProfile


def workspace_profile_get() -> WorkspaceProfile | None:
    return WorkspaceProfile.objects.filter(pk=WorkspaceProfile.SINGLETON_ID).first()
