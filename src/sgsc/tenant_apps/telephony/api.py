"""The phone channel's staff API (tenant hosts).

Calls, for everyone who works tickets (``tickets.work``) and through the caller's
``TicketAccess`` (hub scoping: another institution's call is the same 404 ``call_not_found``
as a missing one): the list with its filters and cursor pages, one call with its events as
the PBX sent them, "called back" on a missed call, and a ticket registered from a call.

Configuration, under ``/api/v1/config/`` like the catalogue's and for ``tickets.configure``
only (reads included: a hub's lines belong to its member institutions, which an operator
limited to one of them must not see): the lines and the operators' extensions as
``catalog.api`` lists, and the PBX connectors: list, create (the key is in that answer only)
and revoke. The services judge every value, refuse with stable codes and audit each change
and refusal; the views only translate HTTP.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound as DrfNotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.pagination import CursorPagination
from sgsc.platform.api.permissions import capability_required
from sgsc.platform.api.schema import refusals
from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.identity.member_views import request_actor
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.catalog.api import (
    ConfigPagination,
    Endpoint,
    RefField,
)
from sgsc.tenant_apps.telephony import services
from sgsc.tenant_apps.telephony.models import Call, CallEvent, Connector, Extension, PhoneLine
from sgsc.tenant_apps.telephony.selectors import (
    call_get,
    calls_search,
    connector_list,
    extension_list,
    phone_line_list,
)
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for
from sgsc.tenant_apps.tickets.api import ticket_input
from sgsc.tenant_apps.tickets.api_serializers import (
    NamedSerializer,
    PersonSerializer,
    TicketCreateSerializer,
)

# --- calls: what is shown -----------------------------------------------------------------

class PhoneLineRefSerializer(serializers.ModelSerializer[PhoneLine]):
    class Meta:
        model = PhoneLine
        fields = ["id", "number", "name"]
        read_only_fields = fields


class TicketRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)


def named_choice(component: str, values: list[str], *,
                 description: str) -> serializers.ChoiceField:
    """A read-only choice field whose values are one named component of the OpenAPI
    document: other resources use ``state`` or ``direction`` for other values."""

    @extend_schema_field({"type": "string", "enum": values, "description": description},
                         component_name=component)
    class NamedChoiceField(serializers.ChoiceField):
        pass

    return NamedChoiceField(choices=values, read_only=True, allow_blank="" in values)


class PhoneCallSerializer(serializers.ModelSerializer[Call]):
    """A call in a list."""

    direction = named_choice("CallDirectionEnum", Call.Direction.values, description=(
        "inbound: un solicitant sună o linie; outbound: un operator sună."))
    state = named_choice("CallStateEnum", Call.State.values, description=(
        "ringing: sună; answered: în convorbire; ended: încheiat."))
    disposition = named_choice("CallDispositionEnum", [*Call.Disposition.values, ""],
                               description=(
        "Rezultatul, după call.ended (gol până atunci): answered, no_answer, busy, abandoned "
        "(închis în așteptare), failed."))
    missed = serializers.BooleanField(
        read_only=True, help_text="Un apel primit încheiat fără răspuns (până e apelat înapoi "
                                  "rămâne în lista apelurilor pierdute).")
    line = PhoneLineRefSerializer(read_only=True, allow_null=True)
    institution = NamedSerializer(read_only=True, allow_null=True)
    agent = PersonSerializer(read_only=True, allow_null=True)
    ticket = TicketRefSerializer(read_only=True, allow_null=True)
    called_back_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Call
        fields = ["id", "pbx_call_id", "direction", "state", "disposition", "missed", "caller",
                  "callee", "line", "institution", "extension", "agent", "started_at",
                  "answered_at", "ended_at", "wait_seconds", "talk_seconds", "recording_url",
                  "ticket", "called_back_at", "called_back_by"]
        read_only_fields = fields


class PhoneCallEventSerializer(serializers.ModelSerializer[CallEvent]):
    payload = serializers.DictField(read_only=True, help_text="Evenimentul exact cum l-a "
                                                              "trimis centrala.")

    class Meta:
        model = CallEvent
        fields = ["event_id", "kind", "at", "received_at", "payload"]
        read_only_fields = fields


class PhoneCallDetailSerializer(PhoneCallSerializer):
    """One call with every event received for it, in the order they happened."""

    events = PhoneCallEventSerializer(many=True, read_only=True)

    class Meta(PhoneCallSerializer.Meta):
        fields = [*PhoneCallSerializer.Meta.fields, "events"]
        read_only_fields = fields


# --- calls: the list ----------------------------------------------------------------------

class CallPagination(CursorPagination):
    # DRF takes a tuple too; the id orders calls that started at the same moment.
    ordering = ("-started_at", "-id")  # type: ignore[assignment]

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except DrfNotFound:
            raise InvalidInput(_("Cursorul paginii nu este valid."), code="invalid_cursor",
                               fields={"cursor": [_("Valoare nevalidă.")]}) from None


class CallFilterSerializer(serializers.Serializer[Any]):
    """The list's query string (``from`` and ``to`` are added in ``get_fields``: Python
    keywords)."""

    number = serializers.CharField(required=False, allow_blank=True, max_length=32)
    disposition = serializers.ChoiceField(choices=Call.Disposition.values, required=False,
                                          allow_blank=True)
    missed = serializers.BooleanField(required=False, default=False)
    called_back = serializers.BooleanField(required=False, allow_null=True, default=None)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = serializers.DateTimeField(required=False)
        fields["to"] = serializers.DateTimeField(required=False)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("from"), attrs.get("to")
        if start is not None and end is not None and start > end:
            raise serializers.ValidationError(
                {"to": [_("Începutul intervalului este după sfârșitul lui.")]})
        return attrs


_MOMENT_HELP = "ISO 8601 (de ex. 2026-11-26T10:15:00+02:00); fără fus orar: ora Chișinăului."
_LIST_PARAMETERS = [
    OpenApiParameter("number", str, description="O parte din numărul apelantului sau al "
                                                "celui apelat (doar cifrele contează)."),
    OpenApiParameter("disposition", str, enum=Call.Disposition.values),
    OpenApiParameter("missed", bool, description="1: doar apelurile pierdute (primite, "
                                                 "încheiate fără răspuns)."),
    OpenApiParameter("called_back", bool, description="Cu missed=1: 1 doar cele apelate "
                                                      "înapoi, 0 doar cele încă de apelat."),
    OpenApiParameter("from", OpenApiTypes.DATETIME,
                     description=f"Începute de la acest moment. {_MOMENT_HELP}"),
    OpenApiParameter("to", OpenApiTypes.DATETIME,
                     description=f"Începute înainte de acest moment. {_MOMENT_HELP}"),
]


class _CallView(APIView):
    """Calls are worked with ``tickets.work``, through the caller's institution scope."""

    permission_classes = [capability_required(Capability.TICKETS_WORK)]

    @property
    def access(self) -> TicketAccess:
        return ticket_access_for(self.request)


class CallListView(_CallView, generics.ListAPIView[Call]):
    """The calls the person may see, newest first."""

    serializer_class = PhoneCallSerializer
    pagination_class = CallPagination

    @extend_schema(operation_id="v1_telephony_calls_list", parameters=_LIST_PARAMETERS,
                   responses={200: PhoneCallSerializer(many=True),
                              **refusals(e400="invalid_filter, invalid_cursor",
                                         e403="permission_denied")})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Call]:
        if getattr(self, "swagger_fake_view", False):
            return Call.objects.none()
        payload = CallFilterSerializer(data=self.request.query_params)
        if not payload.is_valid():
            raise InvalidInput(_("Filtrele nu sunt valide."), code="invalid_filter",
                               fields={name: [str(message) for message in messages]
                                       for name, messages in payload.errors.items()})
        data = payload.validated_data
        calls = calls_search(access=self.access, number=data.get("number", ""),
                             disposition=data.get("disposition", ""),
                             start=data.get("from"), end=data.get("to"),
                             missed=data["missed"], called_back=data["called_back"])
        return calls.select_related("called_back_by")


class CallDetailView(_CallView):
    @extend_schema(responses={200: PhoneCallDetailSerializer,
                              **refusals(e403="permission_denied", e404="call_not_found")})
    def get(self, request: Request, call_id: int) -> Response:
        return show_call(self.access, call_id)


def show_call(access: TicketAccess, call_id: int, *,
              code: int = status.HTTP_200_OK) -> Response:
    """The call as it is now, read through the selector (again, after a write)."""
    call = call_get(access=access, call_id=call_id)
    return Response(PhoneCallDetailSerializer(call).data, status=code)


class CallCallbackView(_CallView):
    @extend_schema(request=None, responses={
        200: PhoneCallDetailSerializer,
        **refusals(e403="permission_denied", e404="call_not_found",
                   e409="not_missed (doar un apel pierdut), already_called_back")},
        description="Marchează un apel pierdut ca apelat înapoi (de persoana care cere).")
    def post(self, request: Request, call_id: int) -> Response:
        call_get(access=self.access, call_id=call_id)  # out of scope: the audited 404
        services.call_called_back(access=self.access, call_id=call_id)
        return show_call(self.access, call_id)


class CallTicketView(_CallView):
    @extend_schema(request=TicketCreateSerializer, responses={
        201: PhoneCallDetailSerializer,
        **refusals(e400="invalid_input, unknown_service, service_ambiguous, "
                        "requester_required, … (ca la POST /api/v1/tickets/)",
                   e403="permission_denied, institution_not_served",
                   e404="call_not_found", e409="call_has_ticket")},
        description="Înregistrează solicitarea apelului (corpul ca la POST /api/v1/tickets/) "
                    "și o leagă de apel, ambele sau niciuna. Răspunde apelul, cu solicitarea "
                    "lui în ticket.")
    def post(self, request: Request, call_id: int) -> Response:
        access = self.access
        call_get(access=access, call_id=call_id)  # another scope's call: 404 whatever the body
        payload = TicketCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.call_ticket_create(access=access, call_id=call_id,
                                    data=ticket_input(access=access,
                                                      data=dict(payload.validated_data)))
        return show_call(access, call_id, code=status.HTTP_201_CREATED)


# --- configuration: lines and extensions --------------------------------------------------

class ConfigPhoneLineSerializer(serializers.Serializer[PhoneLine]):
    id = serializers.IntegerField(read_only=True)
    # Blank or too long: the service refuses (``required``, ``too_long``) and audits it.
    number = serializers.CharField(allow_blank=True, help_text=(
        "Cu prefixul țării sau în forma națională (022 123 456); păstrat ca cifre cu "
        "prefixul țării (37322123456)."))
    name = serializers.CharField(allow_blank=True)
    institution = RefField(help_text="Într-un hub: instituția membră căreia îi aparțin "
                                     "apelurile primite pe linie.")
    service = RefField(help_text="Serviciul propus la înregistrarea unei solicitări dintr-un "
                                 "apel primit pe linie.")
    is_active = serializers.BooleanField(required=False, default=True)


class ConfigExtensionSerializer(serializers.Serializer[Extension]):
    id = serializers.IntegerField(read_only=True)
    user = RefField(required=True, allow_null=False,
                    help_text="O persoană cu acces activ care lucrează cu solicitări.")
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    number = serializers.CharField(allow_blank=True,
                                   help_text="Interiorul din centrală (cifre, cel mult 20).")


# Reads need ``tickets.configure`` too: a hub's lines belong to its member institutions,
# which an operator limited to one of them must not see.
ENDPOINTS = (
    Endpoint("phone-lines", PhoneLine, ConfigPhoneLineSerializer, phone_line_list,
             services.PhoneLineInput, services.phone_line_save,
             read_capability=Capability.TICKETS_CONFIGURE),
    Endpoint("phone-extensions", Extension, ConfigExtensionSerializer, extension_list,
             services.ExtensionInput, services.extension_save,
             read_capability=Capability.TICKETS_CONFIGURE),
)


# --- configuration: PBX connectors --------------------------------------------------------

class PbxConnectorSerializer(serializers.ModelSerializer[Connector]):
    # The service judges the name (required, at most 100 characters) with its codes.
    name = serializers.CharField(allow_blank=True, help_text="Ce centrală folosește cheia.")
    prefix = serializers.CharField(read_only=True, help_text="Începutul cheii, ca s-o "
                                                             "recunoașteți în centrală.")
    created_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Connector
        fields = ["id", "name", "prefix", "created_by", "created_at", "last_used_at",
                  "revoked_at"]
        read_only_fields = ["id", "prefix", "created_by", "created_at", "last_used_at",
                            "revoked_at"]


class PbxConnectorIssuedSerializer(PbxConnectorSerializer):
    key = serializers.CharField(read_only=True, help_text=(
        "Cheia conectorului, de pus în centrală (Authorization: Connector <cheie>). Apare doar "
        "în acest răspuns: se păstrează numai amprenta ei."))

    class Meta(PbxConnectorSerializer.Meta):
        fields = [*PbxConnectorSerializer.Meta.fields, "key"]


class _Configure(APIView):
    permission_classes = [capability_required(Capability.TICKETS_CONFIGURE)]


class ConnectorListView(_Configure, generics.ListAPIView[Connector]):
    serializer_class = PbxConnectorSerializer
    pagination_class = ConfigPagination

    def get_queryset(self) -> QuerySet[Connector]:
        return connector_list()

    @extend_schema(request=PbxConnectorSerializer, responses={
        201: PbxConnectorIssuedSerializer, **refusals(e400="required, too_long",
                                                      e403="permission_denied")},
        description="Un conector nou; cheia lui apare doar în acest răspuns.")
    def post(self, request: Request) -> Response:
        payload = PbxConnectorSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        connector, key = services.connector_issue(actor=request_actor(request),
                                                  name=payload.validated_data["name"])
        response = Response({**PbxConnectorSerializer(connector).data, "key": key},
                            status=status.HTTP_201_CREATED)
        add_never_cache_headers(response)  # the key stays out of every cache
        return response


class ConnectorRevokeView(_Configure):
    @extend_schema(request=None, responses={
        200: PbxConnectorSerializer,
        **refusals(e403="permission_denied", e404="not_found", e409="already_revoked")},
        description="Centrala care folosește cheia este refuzată de la cererea următoare "
                    "(401 connector_invalid).")
    def post(self, request: Request, pk: int) -> Response:
        connector = services.connector_revoke(actor=request_actor(request), pk=pk)
        return Response(PbxConnectorSerializer(connector).data)

