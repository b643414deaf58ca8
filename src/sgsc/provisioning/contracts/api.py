"""Contracts API (public host, AGE staff who review onboarding)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.permissions import capability_required
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.contracts.selectors import contract_get, contract_list
from sgsc.provisioning.contracts.serializers import (
    ContractCancelSerializer,
    ContractDraftPatchSerializer,
    ContractSerializer,
    ContractSignJsonSerializer,
    ContractSignSerializer,
)
from sgsc.provisioning.contracts.services import (
    contract_cancel_draft,
    contract_record_handover,
    contract_sign,
    contract_update_draft,
)
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.workdays.selectors import work_calendar

_REVIEW = capability_required(Capability.ONBOARDING_REVIEW)


def _get(pk: int) -> Contract:
    try:
        return contract_get(pk=pk)
    except Contract.DoesNotExist as error:
        raise Http404 from error


class ContractListView(generics.ListAPIView[Contract]):
    """Contracts, newest first; filter with `status`, search with `q` (number, institution,
    IDNO, space identifier)."""

    permission_classes = [_REVIEW]
    serializer_class = ContractSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = self.request.query_params
        return contract_list(search=params.get("q", "").strip()[:100],
                             status=params.get("status", "")).prefetch_related("signatures")

    def get_serializer_context(self) -> dict[str, Any]:
        # One calendar for the whole page: the deadline clock reads it for every row.
        return {**super().get_serializer_context(), "calendar": work_calendar()}

    @extend_schema(parameters=[
        OpenApiParameter("status", str, enum=Contract.Status.values),
        OpenApiParameter("q", str, description="număr, instituție, IDNO sau identificator"),
    ])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ContractDetailView(APIView):
    permission_classes = [_REVIEW]

    @extend_schema(responses=ContractSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ContractSerializer(_get(pk)).data)

    @extend_schema(request=ContractDraftPatchSerializer, responses=ContractSerializer,
                   description="Modifică proiectul de contract (doar în starea „draft”; "
                               "altfel 409 `contract_not_draft`).")
    def patch(self, request: Request, pk: int) -> Response:
        contract = _get(pk)
        payload = ContractDraftPatchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = {
            "tenant_slug": contract.tenant_slug, "tariff_code": contract.tariff_code,
            "effective_date": contract.effective_date, "term_months": contract.term_months,
            "services": contract.services, "channels": contract.channels,
            **payload.validated_data,
        }
        contract_update_draft(contract=contract, actor=request.user,  # type: ignore[arg-type]
                              **values)
        return Response(ContractSerializer(_get(pk)).data)


class ContractSignView(APIView):
    permission_classes = [_REVIEW]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={"application/json": ContractSignJsonSerializer,
                 "multipart/form-data": ContractSignSerializer},
        responses=ContractSerializer,
        description="Semnarea contractului de ambele părți. Fără `signed_document`, documentul "
                    "semnat este PDF-ul generat de platformă. Erori: `contract_not_draft`, "
                    "`request_not_approved`, `not_pdf`, `file_too_large`.")
    def post(self, request: Request, pk: int) -> Response:
        contract = _get(pk)
        payload = ContractSignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        contract_sign(contract=contract, age_signer_name=data["age_signer_name"],
                      age_signer_position=data["age_signer_position"],
                      provider_signer_name=data["provider_signer_name"],
                      provider_signer_position=data["provider_signer_position"],
                      signed_document=data.get("signed_document"),
                      actor=request.user)  # type: ignore[arg-type]
        return Response(ContractSerializer(_get(pk)).data)


class ContractHandoverView(APIView):
    permission_classes = [_REVIEW]

    @extend_schema(request=None, responses=ContractSerializer,
                   description="Înregistrează predarea accesului către prestator (după ce "
                               "spațiul este activ).")
    def post(self, request: Request, pk: int) -> Response:
        contract_record_handover(contract=_get(pk), actor=request.user)  # type: ignore[arg-type]
        return Response(ContractSerializer(_get(pk)).data)


class ContractCancelView(APIView):
    permission_classes = [_REVIEW]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=ContractCancelSerializer, responses=ContractSerializer,
                   description="Anulează un proiect de contract (nesemnat); cererea de "
                               "conectare se închide ca retrasă. Motivul este obligatoriu "
                               "(reason_required); un contract care nu mai este proiect: 409 "
                               "contract_not_draft.")
    def post(self, request: Request, pk: int) -> Response:
        payload = ContractCancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        contract_cancel_draft(contract=_get(pk), reason=payload.validated_data["reason"],
                              actor=request.user)  # type: ignore[arg-type]
        return Response(ContractSerializer(_get(pk)).data)
