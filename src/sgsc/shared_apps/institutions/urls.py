from django.urls import URLPattern, URLResolver, path

from sgsc.shared_apps.institutions import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("institutii/", views.institution_list_view, name="institution-list"),
    path("institutii/noua/", views.institution_create_view, name="institution-create"),
    path("institutii/<int:pk>/editare/", views.institution_edit_view, name="institution-edit"),
    path("api/v1/institutions/", api.InstitutionListView.as_view(),
         name="api-institution-list"),
    path("api/v1/institutions/<int:pk>/", api.InstitutionDetailView.as_view(),
         name="api-institution-detail"),
]
