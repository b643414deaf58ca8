"""Tariff schedules API (public host): AGE (``tariffs.manage``) drafts, edits and submits; the
Chancellery (``tariffs.review``) approves or returns. Both read."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.billing.tariffs import selectors
from sgsc.billing.tariffs.models import TariffSchedule, TariffScheduleVersion
from sgsc.billing.tariffs.serializers import (
    TariffApproveSerializer,
    TariffReturnInputSerializer,
    TariffScheduleSerializer,
    TariffVersionInputSerializer,
    TariffVersionSerializer,
)
from sgsc.billing.tariffs.services import (
    tariff_schedule_create,
    tariff_version_approve,
    tariff_version_delete,
    tariff_version_draft,
    tariff_version_new_from,
    tariff_version_return,
    tariff_version_submit,
    tariff_version_update,
)
from sgsc.billing.tariffs.views import schedule_or_404, version_or_404
from sgsc.platform.api.permissions import capability_required
from sgsc.shared_apps.identity.roles import Capability

_MANAGE = capability_required(Capability.TARIFFS_MANAGE)
_REVIEW = capability_required(Capability.TARIFFS_REVIEW)
_READ = _MANAGE | _REVIEW


def _fresh(pk: int) -> Response:
    return Response(TariffVersionSerializer(version_or_404(pk)).data)


class ScheduleListView(generics.ListAPIView[TariffSchedule]):
    """Tariff schedules by code; search with `q` (code or name)."""

    serializer_class = TariffScheduleSerializer

    def get_permissions(self):  # type: ignore[no-untyped-def]
        return [_MANAGE()] if self.request.method == "POST" else [_READ()]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.tariff_schedule_list(search=self.request.query_params.get(
            "q", "").strip()[:100])

    @extend_schema(parameters=[OpenApiParameter("q", str, description="cod sau denumire")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=TariffScheduleSerializer, responses={201: TariffScheduleSerializer},
                   description="Creează o grilă tarifară (`schedule_code_taken` dacă există).")
    def post(self, request: Request) -> Response:
        payload = TariffScheduleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        schedule = tariff_schedule_create(code=payload.validated_data["code"],
                                          name=payload.validated_data["name"],
                                          actor=request.user)  # type: ignore[arg-type]
        return Response(TariffScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)


class VersionListView(generics.ListAPIView[TariffScheduleVersion]):
    """The versions of one schedule, newest first; POST drafts a new one."""

    serializer_class = TariffVersionSerializer

    def get_permissions(self):  # type: ignore[no-untyped-def]
        return [_MANAGE()] if self.request.method == "POST" else [_READ()]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.tariff_version_list(schedule=schedule_or_404(self.kwargs["code"])
                                             ).prefetch_related("returns__returned_by")

    @extend_schema(request=TariffVersionInputSerializer, responses={201: TariffVersionSerializer},
                   description="Un proiect de versiune nou. Erori: `negative_price`, "
                               "`invalid_price`, `invalid_period`, `invalid_vat_rate`, "
                               "`duplicate_component`.")
    def post(self, request: Request, code: str) -> Response:
        payload = TariffVersionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = tariff_version_draft(schedule=schedule_or_404(code),
                                       actor=request.user,  # type: ignore[arg-type]
                                       **payload.service_values())
        return Response(TariffVersionSerializer(version_or_404(version.pk)).data,
                        status=status.HTTP_201_CREATED)


class VersionDetailView(APIView):
    def get_permissions(self):  # type: ignore[no-untyped-def]
        return [_READ()] if self.request.method == "GET" else [_MANAGE()]

    @extend_schema(responses=TariffVersionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _fresh(pk)

    @extend_schema(request=TariffVersionInputSerializer, responses=TariffVersionSerializer,
                   description="Înlocuiește perioada, TVA și componentele unui proiect sau ale "
                               "unei versiuni returnate. O versiune aprobată: 409 "
                               "`version_frozen`; una transmisă: 409 `invalid_transition`.")
    def put(self, request: Request, pk: int) -> Response:
        payload = TariffVersionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        tariff_version_update(version=version_or_404(pk), actor=request.user,  # type: ignore[arg-type]
                              **payload.service_values())
        return _fresh(pk)

    @extend_schema(responses={204: None},
                   description="Șterge un proiect netransmis niciodată.")
    def delete(self, request: Request, pk: int) -> Response:
        tariff_version_delete(version=version_or_404(pk), actor=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class VersionSubmitView(APIView):
    permission_classes = [_MANAGE]

    @extend_schema(request=None, responses=TariffVersionSerializer,
                   description="Transmite versiunea Cancelariei de Stat. Erori: "
                               "`overlapping_period`, `no_components`, `version_frozen`.")
    def post(self, request: Request, pk: int) -> Response:
        tariff_version_submit(version=version_or_404(pk), actor=request.user)  # type: ignore[arg-type]
        return _fresh(pk)


class VersionApproveView(APIView):
    permission_classes = [_REVIEW]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": TariffApproveSerializer},
                   responses=TariffVersionSerializer,
                   description="Aprobă versiunea cu decizia Cancelariei de Stat (număr, dată, "
                               "PDF). Erori: `own_draft` (403), `overlapping_period`, "
                               "`not_pdf`, `file_too_large`, `invalid_decision_date`.")
    def post(self, request: Request, pk: int) -> Response:
        payload = TariffApproveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        tariff_version_approve(version=version_or_404(pk), actor=request.user,  # type: ignore[arg-type]
                               **payload.validated_data)
        return _fresh(pk)


class VersionReturnView(APIView):
    permission_classes = [_REVIEW]

    @extend_schema(request=TariffReturnInputSerializer, responses=TariffVersionSerializer,
                   description="Returnează versiunea către AGE cu observații "
                               "(`comments_required` fără ele).")
    def post(self, request: Request, pk: int) -> Response:
        payload = TariffReturnInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        tariff_version_return(version=version_or_404(pk), actor=request.user,  # type: ignore[arg-type]
                              comments=payload.validated_data["comments"])
        return _fresh(pk)


class VersionNewFromView(APIView):
    permission_classes = [_MANAGE]

    @extend_schema(request=None, responses={201: TariffVersionSerializer},
                   description="Copiază o versiune aprobată într-un proiect nou (singurul mod "
                               "de a schimba tarifele aprobate).")
    def post(self, request: Request, pk: int) -> Response:
        draft = tariff_version_new_from(version=version_or_404(pk),
                                        actor=request.user)  # type: ignore[arg-type]
        return Response(TariffVersionSerializer(version_or_404(draft.pk)).data,
                        status=status.HTTP_201_CREATED)
