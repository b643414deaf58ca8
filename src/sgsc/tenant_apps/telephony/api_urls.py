"""The phone channel's API."""

from django.urls import URLPattern, URLResolver, path

from sgsc.tenant_apps.telephony import ingest_api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/telephony/events/", ingest_api.CallEventIngestView.as_view(),
         name="api-telephony-events"),
]
