"""The public host: AGE console, platform API, public pages."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from sgsc.platform.error_handlers import *  # noqa: F403  (Django reads handler400-500 here)
from sgsc.platform.urls_common import common_patterns
from sgsc.shared_apps.audit import api as audit_api
from sgsc.tenants import api as tenant_api
from sgsc.tenants import views as tenant_views

urlpatterns: list[URLPattern | URLResolver] = [
    *common_patterns,
    path("", include("sgsc.shared_apps.workdays.urls")),
    path("", include("sgsc.shared_apps.institutions.urls")),
    path("", include("sgsc.provisioning.requests.urls")),
    path("", include("sgsc.provisioning.contracts.urls")),
    path("", include("sgsc.billing.tariffs.urls")),
    path("", include("sgsc.provisioning.onboarding.urls_public")),
    path("prestatori/", tenant_views.tenant_list, name="tenant-list"),
    path("", include("sgsc.shared_apps.identity.console_urls")),
    path("", include("sgsc.shared_apps.identity.access_review_urls")),
    path("", include("sgsc.shared_apps.audit.urls")),
    path("", include("sgsc.shared_apps.exchange.urls_public")),
    path("", include("sgsc.billing.statements.urls_public")),
    path("api/v1/audit/verifications/", audit_api.AuditVerificationView.as_view(),
         name="api-audit-verification"),
    path("api/v1/tenants/", tenant_api.TenantListView.as_view(), name="api-tenant-list"),
    path("api/v1/tenants/<slug:slug>/status/", tenant_api.TenantStatusView.as_view(),
         name="api-tenant-status"),
]
