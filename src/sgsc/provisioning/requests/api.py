"""Connection requests over the API (public host).

Submitting is open to anyone (it is what the public form does) and throttled at the anonymous
rate; reading and deciding need ``onboarding.review``.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, BaseThrottle, UserRateThrottle
from rest_framework.views import APIView

from sgsc.platform.api.permissions import capability_required
from sgsc.provisioning.requests import services
from sgsc.provisioning.requests.forms import DOCUMENT_FIELDS, parse_members
from sgsc.provisioning.requests.models import ConnectionRequest, RequestDocument
from sgsc.provisioning.requests.selectors import (
    DeadlineState,
    connection_request_contract,
    connection_request_get,
    connection_request_list,
    connection_requests_with_days_left,
)
from sgsc.provisioning.requests.serializers import (
    ApproveSerializer,
    AskInfoSerializer,
    ConnectionRequestCreatedSerializer,
    ConnectionRequestCreateSerializer,
    ConnectionRequestDetailSerializer,
    ConnectionRequestSerializer,
    InfoProvidedSerializer,
    NoBodySerializer,
    RejectSerializer,
    WithdrawSerializer,
)
from sgsc.provisioning.requests.throttling import (
    TooManyRequests,
    submission_refuse,
    submission_windows,
)
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import Capability

CanReview = capability_required(Capability.ONBOARDING_REVIEW)
_PARSERS = [JSONParser, MultiPartParser, FormParser]


def _actor(request: Request) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _detail_response(connection_request: ConnectionRequest) -> Response:
    fresh = connection_request_get(pk=connection_request.pk)
    contract = connection_request_contract(connection_request=fresh)
    return Response(ConnectionRequestDetailSerializer(fresh, context={"contract": contract}).data)


class ConnectionRequestListView(generics.ListCreateAPIView[ConnectionRequest]):
    serializer_class = ConnectionRequestSerializer
    parser_classes = _PARSERS
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [AllowAny()]
        return [CanReview()]

    def get_throttles(self) -> list[BaseThrottle]:
        throttles = super().get_throttles()
        if self.request.method == "POST":
            # Shared with the public form: see throttling.py.
            return [*throttles, *submission_windows()]
        return throttles

    def throttled(self, request: Request, wait: float) -> NoReturn:
        if request.method == "POST":
            raise submission_refuse(wait=wait, channel="api")
        super().throttled(request, wait)

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if isinstance(exc, TooManyRequests):
            response["Retry-After"] = str(exc.retry_after)
        return response

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = self.request.query_params
        return connection_request_list(status=params.get("status", ""),
                                       mode=params.get("mode", ""),
                                       timing=params.get("timing", ""),
                                       search=params.get("search", "")[:100])

    @extend_schema(parameters=[
        OpenApiParameter("status", str, enum=ConnectionRequest.Status.values),
        OpenApiParameter("mode", str, enum=ConnectionRequest.Mode.values),
        OpenApiParameter("timing", str, enum=[DeadlineState.LATE.value,
                                              DeadlineState.AT_RISK.value],
                         description="late: termen depășit; at_risk: cel mult 2 zile "
                                     "lucrătoare rămase."),
        OpenApiParameter("search", str, description="Număr, denumirea sau IDNO instituției."),
    ])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = connection_requests_with_days_left(page or [])
        return self.get_paginated_response(ConnectionRequestSerializer(rows, many=True).data)

    @extend_schema(
        request={"multipart/form-data": ConnectionRequestCreateSerializer,
                 "application/json": ConnectionRequestCreateSerializer},
        responses={201: ConnectionRequestCreatedSerializer},
        description="Depunerea unei cereri de conectare (formularul public). Documentele, "
                    "numai PDF de cel mult 10 MB, se trimit ca multipart/form-data. Prea "
                    "multe depuneri de la aceeași adresă primesc 429 too_many_requests.",
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ConnectionRequestCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        member_idnos, member_names = parse_members("\n".join(data["members"]))
        documents = []
        for field, kind in DOCUMENT_FIELDS.items():
            value = data.get(field)
            for upload in value if isinstance(value, list) else [value]:
                if upload:
                    documents.append((kind, upload))
        created = services.connection_request_submit(
            institution_idno=data["institution_idno"], institution_name=data["institution_name"],
            institution_kind=data["institution_kind"], mode=data["mode"],
            coordinator_idno=data["coordinator_idno"], coordinator_name=data["coordinator_name"],
            member_idnos=member_idnos, member_names=member_names,
            agreement_number=data["agreement_number"], agreement_date=data["agreement_date"],
            services=data["services"], channels=data["channels"],
            expected_seats=data["expected_seats"],
            expected_requests_month=data["expected_requests_month"],
            expected_call_minutes=data["expected_call_minutes"],
            contact_name=data["contact_name"], contact_idnp=data["contact_idnp"],
            contact_email=data["contact_email"], contact_phone=data["contact_phone"],
            documents=documents, actor=_actor(request),
        )
        return Response(ConnectionRequestCreatedSerializer(created).data,
                        status=status.HTTP_201_CREATED)


class ConnectionRequestDetailView(APIView):
    permission_classes = [CanReview]

    @extend_schema(responses=ConnectionRequestDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _detail_response(_get(pk))


def _get(pk: int) -> ConnectionRequest:
    try:
        return ConnectionRequest.objects.get(pk=pk)
    except ConnectionRequest.DoesNotExist as error:
        raise Http404 from error


class _ActionView(APIView):
    """POST one action on a request; the answer is the request as it is afterwards."""

    permission_classes = [CanReview]
    parser_classes = _PARSERS
    input_serializer: type[serializers.Serializer[None]]

    def act(self, connection_request: ConnectionRequest, data: dict[str, Any],
            actor: User | None) -> ConnectionRequest:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        connection_request = _get(pk)
        payload = self.input_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changed = self.act(connection_request, dict(payload.validated_data), _actor(request))
        return _detail_response(changed)


def _action_schema(serializer: type[serializers.Serializer[None]], summary: str) -> Any:
    return extend_schema(request=serializer, responses=ConnectionRequestDetailSerializer,
                         summary=summary)


class StartReviewView(_ActionView):
    input_serializer = NoBodySerializer

    @extend_schema(request=None, responses=ConnectionRequestDetailSerializer,
                   summary="Începe examinarea")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, connection_request: ConnectionRequest, data: dict[str, Any],
            actor: User | None) -> ConnectionRequest:
        return services.connection_request_start_review(connection_request=connection_request,
                                                        actor=actor)


class AskInfoView(_ActionView):
    input_serializer = AskInfoSerializer

    @_action_schema(AskInfoSerializer, "Solicită informații suplimentare (suspendă termenul)")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, connection_request: ConnectionRequest, data: dict[str, Any],
            actor: User | None) -> ConnectionRequest:
        return services.connection_request_ask_info(connection_request=connection_request,
                                                    message=data["message"], actor=actor)


class InfoProvidedView(_ActionView):
    input_serializer = InfoProvidedSerializer

    @extend_schema(request={"multipart/form-data": InfoProvidedSerializer,
                            "application/json": InfoProvidedSerializer},
                   responses=ConnectionRequestDetailSerializer,
                   summary="Înregistrează informațiile primite (termenul se reia)")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, connection_request: ConnectionRequest, data: dict[str, Any],
            actor: User | None) -> ConnectionRequest:
        documents = [(RequestDocument.Kind.OTHER, upload) for upload in data["document_other"]]
        return services.connection_request_info_provided(
            connection_request=connection_request, note=data["note"], documents=documents,
            actor=actor)


class ApproveView(_ActionView):
    input_serializer = ApproveSerializer

    @_action_schema(ApproveSerializer, "Aprobă cererea (se întocmește proiectul de contract)")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, connection_request: ConnectionRequest, data: dict[str, Any],
            actor: User | None) -> ConnectionRequest:
        return services.connection_request_approve(connection_request=connection_request,
                                                   actor=actor, note=data["note"])


class RejectView(_ActionView):
    input_serializer = RejectSerializer

    @_action_schema(RejectSerializer, "Respinge cererea (motive și temei legal)")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, connection_request: ConnectionRequest, data: dict[str, Any],
            actor: User | None) -> ConnectionRequest:
        return services.connection_request_reject(
            connection_request=connection_request, actor=actor, reasons=data["reasons"],
            legal_basis=data["legal_basis"])


class WithdrawView(_ActionView):
    input_serializer = WithdrawSerializer

    @_action_schema(WithdrawSerializer, "Înregistrează retragerea cererii")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, connection_request: ConnectionRequest, data: dict[str, Any],
            actor: User | None) -> ConnectionRequest:
        return services.connection_request_withdraw(connection_request=connection_request,
                                                    actor=actor, note=data["note"])
