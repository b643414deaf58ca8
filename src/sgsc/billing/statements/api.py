"""Statements API: AGE generates, issues and voids (``billing.manage``); AGE and the
Chancellery read, with the month's summary; a provider reads its own issued statements."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.billing.statements.models import Statement
from sgsc.billing.statements.selectors import console_month, statement_get, statement_list
from sgsc.billing.statements.serializers import (
    AllocationKeySerializer,
    StatementDetailSerializer,
    StatementGenerateSerializer,
    StatementSerializer,
    VoidSerializer,
)
from sgsc.billing.statements.services import (
    hub_allocation_key_set,
    statement_generate,
    statement_issue,
    statement_void,
)
from sgsc.billing.usage.api import MANAGE, READ, month_param, tenant_by_slug
from sgsc.billing.usage.selectors import parse_month
from sgsc.platform.api.permissions import capability_required
from sgsc.platform.errors import InvalidInput
from sgsc.provisioning.contracts.models import Contract
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.institutions.models import HubAgreement

FILTERS = [OpenApiParameter("month", str, description="AAAA-LL"),
           OpenApiParameter("status", str, enum=Statement.Status.values),
           OpenApiParameter("tenant", str)]


class StatementListView(generics.ListAPIView[Statement]):
    """Statements and credit notes, newest first. POST computes a month's draft."""

    serializer_class = StatementSerializer

    def get_permissions(self):  # type: ignore[no-untyped-def]
        return [MANAGE()] if self.request.method == "POST" else [READ()]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = self.request.query_params
        statements = statement_list(month=month_param(self.request),
                                    status=params.get("status", ""))
        if params.get("tenant"):
            statements = statements.filter(tenant__slug=params["tenant"])
        return statements

    @extend_schema(parameters=FILTERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=StatementGenerateSerializer, responses={201: StatementDetailSerializer},
                   description="Calculează proiectul decontului unei luni încheiate (un proiect "
                               "existent se recalculează). Erori: `month_not_over`, "
                               "`contract_not_in_force`, `no_approved_tariff`, "
                               "`statement_exists`.")
    def post(self, request: Request) -> Response:
        payload = StatementGenerateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        contract = Contract.objects.filter(number=payload.validated_data["contract"]).first()
        month = parse_month(payload.validated_data["month"])
        if contract is None:
            raise Http404
        if month is None:
            raise InvalidInput("Luna trebuie scrisă AAAA-LL.", code="invalid_month",
                               fields={"month": ["AAAA-LL"]})
        statement = statement_generate(contract=contract, month=month,
                                       actor=request.user)  # type: ignore[arg-type]
        return Response(StatementDetailSerializer(statement).data,
                        status=status.HTTP_201_CREATED)


class StatementDetailView(APIView):
    permission_classes = [READ]

    @extend_schema(responses=StatementDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(StatementDetailSerializer(statement_get(pk=pk)).data)


class StatementIssueView(APIView):
    permission_classes = [MANAGE]

    @extend_schema(request=None, responses=StatementDetailSerializer,
                   description="Emite proiectul: număr S-AAAA-NNNNNN; apoi nu se mai modifică. "
                               "Erori: `statement_not_draft`.")
    def post(self, request: Request, pk: int) -> Response:
        issued = statement_issue(statement=statement_get(pk=pk),
                                 actor=request.user)  # type: ignore[arg-type]
        return Response(StatementDetailSerializer(issued).data)


class StatementVoidView(APIView):
    permission_classes = [MANAGE]

    @extend_schema(request=VoidSerializer, responses={201: StatementDetailSerializer},
                   description="Anulează un decont emis; răspunsul este nota de credit "
                               "CN-AAAA-NNNNNN. Erori: `reason_required`, "
                               "`statement_not_issued`.")
    def post(self, request: Request, pk: int) -> Response:
        payload = VoidSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        note = statement_void(statement=statement_get(pk=pk),
                              reason=payload.validated_data["reason"],
                              actor=request.user)  # type: ignore[arg-type]
        return Response(StatementDetailSerializer(note).data, status=status.HTTP_201_CREATED)


class HubAllocationKeyView(APIView):
    permission_classes = [MANAGE]

    @extend_schema(request=AllocationKeySerializer, responses=AllocationKeySerializer,
                   description="Cheia de repartizare a costului hubului între instituțiile "
                               "membre: `equal`, `tickets`, `seats`.")
    def put(self, request: Request, slug: str) -> Response:
        payload = AllocationKeySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        agreement = HubAgreement.objects.filter(hub=tenant_by_slug(slug)).first()
        if agreement is None:
            raise Http404
        row = hub_allocation_key_set(agreement=agreement, key=payload.validated_data["key"],
                                     actor=request.user)  # type: ignore[arg-type]
        return Response({"key": row.key})


class BillingSummaryView(APIView):
    """The Chancellery console's month: issued amounts by provider and component, usage by
    metric (the month's sum of daily records: seat-days for ``seats``, GB-days for
    ``storage_gb``)."""

    permission_classes = [READ]

    @extend_schema(parameters=[OpenApiParameter("month", str, required=True,
                                                description="AAAA-LL")], responses=dict)
    def get(self, request: Request) -> Response:
        month = month_param(request)
        if month is None:
            raise InvalidInput("Luna este obligatorie (AAAA-LL).", code="invalid_month",
                               fields={"month": ["AAAA-LL"]})
        overview = console_month(month=month)
        return Response({
            "month": month.strftime("%Y-%m"), "total": str(overview.total),
            "components": {k: str(v) for k, v in overview.component_totals.items()},
            "providers": [{"tenant": row.tenant.slug, "total": str(row.total),
                           "components": {k: str(v) for k, v in row.amounts.items()},
                           "usage": {k: str(v) for k, v in row.usage.items()}}
                          for row in overview.rows],
        })


class OwnStatementListView(generics.ListAPIView[Statement]):
    """This tenant's issued statements and credit notes (tenant host)."""

    permission_classes = [capability_required(Capability.BILLING_VIEW)]
    serializer_class = StatementDetailSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return statement_list(tenant=self.request.tenant, issued_only=True,  # type: ignore[attr-defined]
                              month=month_param(self.request)).prefetch_related(
                                  "lines__version__schedule", "allocations__institution")
