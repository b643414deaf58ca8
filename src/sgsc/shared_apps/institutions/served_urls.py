"""Served institutions, on tenant hosts (hub scoping decides which)."""

from django.urls import URLPattern, URLResolver, path

from sgsc.shared_apps.institutions import served_api, served_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("institutii-deservite/", served_views.served_list, name="served-institution-list"),
    path("institutii-deservite/<int:pk>/", served_views.served_detail,
         name="served-institution-detail"),
    path("api/v1/served-institutions/", served_api.ServedInstitutionListView.as_view(),
         name="api-served-institution-list"),
    path("api/v1/served-institutions/<int:pk>/", served_api.ServedInstitutionDetailView.as_view(),
         name="api-served-institution-detail"),
]
