"""Usage API: records (AGE and the Chancellery on the public host, the provider's own on its
host), metering a day and corrections (AGE)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.billing.usage.models import UsageRecord
from sgsc.billing.usage.selectors import parse_month, usage_records
from sgsc.billing.usage.serializers import (
    AdjustmentSerializer,
    MeteringSerializer,
    UsageRecordSerializer,
)
from sgsc.billing.usage.services import usage_adjust, usage_meter_request
from sgsc.platform.api.permissions import capability_required
from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_list_real

MANAGE = capability_required(Capability.BILLING_MANAGE)
READ = MANAGE | capability_required(Capability.TARIFFS_REVIEW)
FILTERS = [OpenApiParameter("month", str, description="AAAA-LL"),
           OpenApiParameter("tenant", str, description="identificatorul prestatorului"),
           OpenApiParameter("metric", str)]


def month_param(request: Request) -> Any:
    text = request.query_params.get("month", "")
    month = parse_month(text) if text else None
    if text and month is None:
        raise InvalidInput("Luna trebuie scrisă AAAA-LL.", code="invalid_month",
                           fields={"month": ["AAAA-LL"]})
    return month


def tenant_by_slug(slug: str) -> Tenant:
    tenant = tenant_list_real().filter(slug=slug).first()
    if tenant is None:
        raise Http404
    return tenant


class UsageRecordListView(generics.ListAPIView[UsageRecord]):
    """Usage records, newest first, with the adjustments (filters: month, tenant, metric)."""

    permission_classes = [READ]
    serializer_class = UsageRecordSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = self.request.query_params
        records = usage_records(month=month_param(self.request), metric=params.get("metric", ""))
        if params.get("tenant"):
            records = records.filter(tenant__slug=params["tenant"])
        return records

    @extend_schema(parameters=FILTERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class OwnUsageRecordListView(generics.ListAPIView[UsageRecord]):
    """The usage records of this tenant (tenant host)."""

    permission_classes = [capability_required(Capability.BILLING_VIEW)]
    serializer_class = UsageRecordSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return usage_records(month=month_param(self.request), tenant=self.request.tenant,  # type: ignore[attr-defined]
                             metric=self.request.query_params.get("metric", ""))

    @extend_schema(parameters=FILTERS[::2])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class MeteringView(APIView):
    permission_classes = [MANAGE]

    @extend_schema(request=MeteringSerializer, responses={201: dict, 202: dict},
                   description="Măsoară o zi încheiată: pentru un prestator imediat (201, "
                               "`created`), pentru toți în fundal (202). Idempotent. Erori: "
                               "`day_not_over`.")
    def post(self, request: Request) -> Response:
        payload = MeteringSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        slug = payload.validated_data.get("tenant")
        tenant = tenant_by_slug(slug) if slug else None
        created = usage_meter_request(day=payload.validated_data["day"], tenant=tenant,
                                      actor=request.user)  # type: ignore[arg-type]
        if tenant is None:
            return Response({"status": "queued"}, status=status.HTTP_202_ACCEPTED)
        return Response({"created": created}, status=status.HTTP_201_CREATED)


class AdjustmentView(APIView):
    permission_classes = [MANAGE]

    @extend_schema(request=AdjustmentSerializer, responses={201: UsageRecordSerializer},
                   description="Corectează o zi măsurată: o înregistrare nouă cu diferența. "
                               "Erori: `reason_required`, `negative_quantity`, "
                               "`usage_not_metered`, `usage_unchanged`.")
    def post(self, request: Request) -> Response:
        payload = AdjustmentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        record = usage_adjust(tenant=tenant_by_slug(data["tenant"]), day=data["day"],
                              metric=data["metric"], quantity=data["quantity"],
                              reason=data["reason"], actor=request.user)  # type: ignore[arg-type]
        return Response(UsageRecordSerializer(record).data, status=status.HTTP_201_CREATED)
