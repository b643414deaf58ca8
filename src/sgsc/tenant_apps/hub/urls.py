"""The hub coordinator's pages and API (hub hosts; a provider's host answers 404)."""

from django.urls import URLPattern, URLResolver, path

from sgsc.tenant_apps.hub import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("hub/", views.overview, name="hub-overview"),
    path("hub/incarcare/", views.workload, name="hub-workload"),
    path("hub/rutare/", views.routing, name="hub-routing"),
    path("hub/redistribuire/", views.reassign, name="hub-reassign"),
    path("hub/rapoarte/", views.report, name="hub-report"),
    path("hub/rapoarte/export.csv", views.report_export, name="hub-report-export"),
    path("api/v1/hub/institutions/", api.HubInstitutionsView.as_view(),
         name="api-hub-institutions"),
    path("api/v1/hub/report/", api.HubReportView.as_view(), name="api-hub-report"),
]
