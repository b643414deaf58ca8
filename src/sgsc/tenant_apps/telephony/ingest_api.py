"""The endpoint a PBX reports calls to: ``POST /api/v1/telephony/events/`` with
``Authorization: Connector <key>`` and a batch of events (``docs/telephony-protocol.md``).

202 when the batch is stored (each event ``accepted`` or ``duplicate``); any invalid event
refuses the whole batch with a stable code and stores nothing, so the PBX can resend it."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.schema import refusals
from sgsc.platform.errors import NotAuthenticated
from sgsc.tenant_apps.telephony.models import Connector
from sgsc.tenant_apps.telephony.protocol import batch_parse
from sgsc.tenant_apps.telephony.services import call_events_ingest, connector_authenticate

KEYWORD = "Connector"
# The outcome kept on the request: DRF asks again each time ``request.user`` is read after a
# failure, and one attempt must be one audit event.
_OUTCOME = "_sgsc_connector_outcome"


class ConnectorAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[AnonymousUser, Connector] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        outcome = getattr(request._request, _OUTCOME, None)
        if outcome is None:
            try:
                key = parts[1].decode() if len(parts) == 2 else ""
            except UnicodeError:
                key = ""
            try:
                outcome = connector_authenticate(key=key)
            except NotAuthenticated as error:
                outcome = error
            setattr(request._request, _OUTCOME, outcome)
        if isinstance(outcome, NotAuthenticated):
            raise outcome
        return AnonymousUser(), outcome

    def authenticate_header(self, request: Any) -> str:
        return KEYWORD


class ConnectorScheme(OpenApiAuthenticationExtension):
    target_class = ConnectorAuthentication
    name = "connectorAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Connector <cheie>"}


class IsConnector(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, Connector):
            raise NotAuthenticated("Este necesară cheia unui conector PBX.",
                                   code="connector_required")
        return True


class CallEventInSerializer(serializers.Serializer[Any]):
    event_id = serializers.CharField(max_length=100)
    type = serializers.ChoiceField(choices=["call.ringing", "call.answered", "call.ended"])
    call_id = serializers.CharField(max_length=100)
    at = serializers.DateTimeField()
    direction = serializers.ChoiceField(choices=["inbound", "outbound"])
    to = serializers.CharField(required=False)
    extension = serializers.CharField(required=False)
    disposition = serializers.ChoiceField(
        choices=["answered", "no_answer", "busy", "abandoned", "failed"], required=False)
    talk_seconds = serializers.IntegerField(required=False, min_value=0)
    wait_seconds = serializers.IntegerField(required=False, min_value=0)
    recording_url = serializers.URLField(required=False)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = serializers.CharField(required=False)  # a Python keyword
        return fields


class CallEventIngestView(APIView):
    authentication_classes = [ConnectorAuthentication]
    permission_classes = [IsConnector]
    # A PBX is not a person: the anonymous rate limit would refuse a busy contact centre.
    # Its key (32 random bytes) cannot be guessed, and each batch is at most 100 events.
    throttle_classes: list[type[Any]] = []

    @extend_schema(
        request=inline_serializer("CallEventBatch", {"events": CallEventInSerializer(many=True)}),
        responses={202: inline_serializer("CallEventResults", {"results": inline_serializer(
            "CallEventResult", {"event_id": serializers.CharField(),
                                "call_id": serializers.CharField(),
                                "status": serializers.ChoiceField(
                                    choices=["accepted", "duplicate"])}, many=True)}),
                   **refusals(
                       e400="invalid_call_batch, call_batch_too_large, "
                            "duplicate_event_in_batch, invalid_call_event (fields: "
                            "events[i].câmp), malformed_request",
                       e401="connector_required, connector_invalid",
                       e409="call_event_race: retrimiteți lotul")},
        summary="Evenimente de apel transmise de centrala telefonică (PBX)")
    def post(self, request: Request) -> Response:
        connector = cast(Connector, request.auth)  # IsConnector made sure
        results = call_events_ingest(connector=connector, events=batch_parse(request.data))
        return Response({"results": [{"event_id": result.event_id, "call_id": result.call_id,
                                      "status": result.status} for result in results]},
                        status=status.HTTP_202_ACCEPTED)
