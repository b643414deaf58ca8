"""Connection requests on the public host: the public form, AGE's console, the API."""

from django.urls import URLPattern, URLResolver, path

from sgsc.provisioning.requests import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("cerere-conectare/", views.request_submit, name="connection-request-submit"),
    path("cerere-conectare/<str:number>/trimisa/", views.request_submitted,
         name="connection-request-submitted"),
    path("cerere-conectare/raspuns/<str:token>/", views.request_info_answer,
         name="connection-request-info-answer"),
    path("cereri/", views.request_list, name="connection-request-list"),
    path("cereri/<int:pk>/", views.request_detail, name="connection-request-detail"),
    path("cereri/<int:pk>/actiuni/<slug:action>/", views.request_action,
         name="connection-request-action"),
    path("cereri/<int:pk>/documente/<int:document_pk>/", views.request_document,
         name="connection-request-document"),
    path("api/v1/connection-requests/", api.ConnectionRequestListView.as_view(),
         name="api-connection-request-list"),
    path("api/v1/connection-requests/<int:pk>/", api.ConnectionRequestDetailView.as_view(),
         name="api-connection-request-detail"),
    path("api/v1/connection-requests/<int:pk>/start-review/", api.StartReviewView.as_view(),
         name="api-connection-request-start-review"),
    path("api/v1/connection-requests/<int:pk>/ask-info/", api.AskInfoView.as_view(),
         name="api-connection-request-ask-info"),
    path("api/v1/connection-requests/<int:pk>/info-provided/", api.InfoProvidedView.as_view(),
         name="api-connection-request-info-provided"),
    path("api/v1/connection-requests/<int:pk>/approve/", api.ApproveView.as_view(),
         name="api-connection-request-approve"),
    path("api/v1/connection-requests/<int:pk>/reject/", api.RejectView.as_view(),
         name="api-connection-request-reject"),
    path("api/v1/connection-requests/<int:pk>/withdraw/", api.WithdrawView.as_view(),
         name="api-connection-request-withdraw"),
]
