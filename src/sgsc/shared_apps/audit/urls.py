"""The audit viewer and its API, on every host (each sees only its own scope)."""

from django.urls import URLPattern, URLResolver, path

from sgsc.shared_apps.audit import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("audit/", views.audit_list, name="audit-list"),
    path("audit/<int:pk>/", views.audit_detail, name="audit-detail"),
    path("audit/export.csv", views.audit_export, name="audit-export"),
    path("api/v1/audit/events/", api.AuditEventListView.as_view(),
         name="api-audit-event-list"),
    path("api/v1/audit/events/<int:pk>/", api.AuditEventDetailView.as_view(),
         name="api-audit-event-detail"),
]
