"""Public host: the provisioning panel, and AGE's tenant pages and API beyond the list."""

from django.urls import URLPattern, URLResolver, path

from sgsc.provisioning.onboarding import views
from sgsc.tenants import api as tenant_api
from sgsc.tenants import views as tenant_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("provizionare/<int:contract_pk>/pasi/", views.provisioning_steps,
         name="provisioning-steps"),
    path("provizionare/<int:contract_pk>/reia/", views.provisioning_resume,
         name="provisioning-resume"),
    path("prestatori/<slug:slug>/", tenant_views.tenant_detail, name="tenant-detail"),
    path("prestatori/<slug:slug>/stare/", tenant_views.tenant_status_change,
         name="tenant-status-change"),
    path("prestatori/<slug:slug>/amendamente/", tenant_views.tenant_hub_amend,
         name="tenant-hub-amend"),
    path("prestatori/<slug:slug>/export/", tenant_views.tenant_export_download,
         name="tenant-export"),
    path("api/v1/tenants/<slug:slug>/", tenant_api.TenantDetailView.as_view(),
         name="api-tenant-detail"),
    path("api/v1/tenants/<slug:slug>/members/", tenant_api.TenantMembersView.as_view(),
         name="api-tenant-members"),
    path("api/v1/tenants/<slug:slug>/amendments/", tenant_api.TenantAmendmentView.as_view(),
         name="api-tenant-amendments"),
]
