"""Tariff schedules on the public host: the pages and the API."""

from django.urls import URLPattern, URLResolver, path

from sgsc.billing.tariffs import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("grile-tarifare/", views.schedule_list, name="tariff-schedule-list"),
    path("grile-tarifare/in-asteptare/", views.pending, name="tariff-pending"),
    path("grile-tarifare/versiuni/<int:pk>/", views.version_detail,
         name="tariff-version-detail"),
    path("grile-tarifare/versiuni/<int:pk>/modificare/", views.version_update,
         name="tariff-version-update"),
    path("grile-tarifare/versiuni/<int:pk>/transmitere/", views.version_submit,
         name="tariff-version-submit"),
    path("grile-tarifare/versiuni/<int:pk>/aprobare/", views.version_approve,
         name="tariff-version-approve"),
    path("grile-tarifare/versiuni/<int:pk>/returnare/", views.version_return,
         name="tariff-version-return"),
    path("grile-tarifare/versiuni/<int:pk>/versiune-noua/", views.version_new_from,
         name="tariff-version-new-from"),
    path("grile-tarifare/versiuni/<int:pk>/stergere/", views.version_delete,
         name="tariff-version-delete"),
    path("grile-tarifare/versiuni/<int:pk>/decizia/", views.decision_document,
         name="tariff-decision-document"),
    path("grile-tarifare/<str:code>/", views.schedule_detail, name="tariff-schedule-detail"),
    path("grile-tarifare/<str:code>/versiune-noua/", views.version_create,
         name="tariff-version-create"),
    path("api/v1/tariff-schedules/", api.ScheduleListView.as_view(),
         name="api-tariff-schedule-list"),
    path("api/v1/tariff-schedules/<str:code>/versions/", api.VersionListView.as_view(),
         name="api-tariff-version-list"),
    path("api/v1/tariff-versions/<int:pk>/", api.VersionDetailView.as_view(),
         name="api-tariff-version-detail"),
    path("api/v1/tariff-versions/<int:pk>/submit/", api.VersionSubmitView.as_view(),
         name="api-tariff-version-submit"),
    path("api/v1/tariff-versions/<int:pk>/approve/", api.VersionApproveView.as_view(),
         name="api-tariff-version-approve"),
    path("api/v1/tariff-versions/<int:pk>/return/", api.VersionReturnView.as_view(),
         name="api-tariff-version-return"),
    path("api/v1/tariff-versions/<int:pk>/new-version/", api.VersionNewFromView.as_view(),
         name="api-tariff-version-new-from"),
]
