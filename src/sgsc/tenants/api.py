"""Platform API over tenants (public host, AGE roles)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.permissions import capability_required
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_get_by_slug, tenant_list_real
from sgsc.tenants.serializers import TenantSerializer, TenantStatusChangeSerializer
from sgsc.tenants.services import tenant_set_status


class TenantListView(generics.ListAPIView[Tenant]):
    permission_classes = [capability_required(Capability.TENANTS_MANAGE)]
    serializer_class = TenantSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        queryset = tenant_list_real().prefetch_related("domains")
        status = self.request.query_params.get("status")
        if status:
            queryset = queryset.filter(status=status)
        return queryset


class TenantStatusView(APIView):
    permission_classes = [capability_required(Capability.TENANTS_MANAGE)]

    @extend_schema(request=TenantStatusChangeSerializer, responses=TenantSerializer)
    def post(self, request: Request, slug: str) -> Response:
        try:
            tenant = tenant_get_by_slug(slug=slug)
        except Tenant.DoesNotExist as error:
            raise Http404 from error
        payload = TenantStatusChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changed = tenant_set_status(tenant=tenant, status=payload.validated_data["status"],
                                    reason=payload.validated_data["reason"])
        return Response(TenantSerializer(changed).data)
