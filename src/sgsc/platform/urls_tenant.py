"""Tenant hosts (<slug>.<base domain>): the provider's or hub's own workspace."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from sgsc.platform.error_handlers import *  # noqa: F403  (Django reads handler400-500 here)
from sgsc.platform.urls_common import common_patterns
from sgsc.tenant_apps.workspace import api as workspace_api
from sgsc.tenant_apps.workspace import views as workspace_views

urlpatterns: list[URLPattern | URLResolver] = [
    *common_patterns,
    path("", include("sgsc.provisioning.onboarding.urls_tenant")),
    path("profil/", workspace_views.profile, name="workspace-profile"),
    path("", include("sgsc.shared_apps.institutions.served_urls")),
    path("", include("sgsc.shared_apps.identity.access_review_urls")),
    path("", include("sgsc.shared_apps.identity.member_urls")),
    path("", include("sgsc.shared_apps.audit.urls")),
    path("", include("sgsc.shared_apps.exchange.urls_tenant")),
    path("", include("sgsc.billing.statements.urls_tenant")),
    path("", include("sgsc.tenant_apps.catalog.urls")),
    path("", include("sgsc.tenant_apps.notifications.urls")),
    path("", include("sgsc.tenant_apps.tickets.attachment_urls")),
    path("", include("sgsc.tenant_apps.tickets.api_urls")),
    path("", include("sgsc.tenant_apps.tickets.web.urls")),
    path("", include("sgsc.tenant_apps.hub.urls")),
    path("", include("sgsc.tenant_apps.telephony.urls")),
    path("api/v1/workspace/", workspace_api.WorkspaceProfileView.as_view(),
         name="api-workspace"),
]
