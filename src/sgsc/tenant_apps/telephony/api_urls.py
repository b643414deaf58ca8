"""The phone channel's API: the PBX's events, the calls, and the configuration under
``/api/v1/config/`` (lines and extensions as ``catalog.api`` lists, the PBX connectors), all
of it for ``tickets.configure``."""

from django.urls import URLPattern, URLResolver, path

from sgsc.tenant_apps.catalog.api import endpoint_patterns
from sgsc.tenant_apps.telephony import api, ingest_api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/telephony/events/", ingest_api.CallEventIngestView.as_view(),
         name="api-telephony-events"),
    path("api/v1/telephony/calls/", api.CallListView.as_view(), name="api-telephony-calls"),
    path("api/v1/telephony/calls/<int:call_id>/", api.CallDetailView.as_view(),
         name="api-telephony-call"),
    path("api/v1/telephony/calls/<int:call_id>/callback/", api.CallCallbackView.as_view(),
         name="api-telephony-call-callback"),
    path("api/v1/telephony/calls/<int:call_id>/ticket/", api.CallTicketView.as_view(),
         name="api-telephony-call-ticket"),
    *(pattern for endpoint in api.ENDPOINTS for pattern in endpoint_patterns(endpoint)),
    path("api/v1/config/pbx-connectors/", api.ConnectorListView.as_view(),
         name="api-config-pbx-connectors"),
    path("api/v1/config/pbx-connectors/<int:pk>/revoke/", api.ConnectorRevokeView.as_view(),
         name="api-config-pbx-connector-revoke"),
]
