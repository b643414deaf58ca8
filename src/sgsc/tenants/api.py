"""Platform API over tenants (public host, AGE roles)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.permissions import capability_required
from sgsc.platform.errors import Conflict
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.institutions.models import HubMembership
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_get_by_slug, tenant_list_real
from sgsc.tenants.serializers import (
    HubAmendmentInputSerializer,
    HubAmendmentSerializer,
    HubMembershipSerializer,
    TenantDetailSerializer,
    TenantSerializer,
    TenantStatusChangeSerializer,
)
from sgsc.tenants.services import tenant_set_status


def _tenant_or_404(slug: str) -> Tenant:
    try:
        return tenant_get_by_slug(slug=slug)
    except Tenant.DoesNotExist as error:
        raise Http404 from error


def _hub_or_conflict(slug: str) -> Tenant:
    tenant = _tenant_or_404(slug)
    if tenant.kind != Tenant.Kind.HUB:
        raise Conflict(_("Spațiul „%(name)s” nu este un hub.") % {"name": tenant.name},
                       code="not_a_hub")
    return tenant


class TenantListView(generics.ListAPIView[Tenant]):
    permission_classes = [capability_required(Capability.TENANTS_MANAGE)]
    serializer_class = TenantSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        queryset = tenant_list_real().prefetch_related("domains")
        status = self.request.query_params.get("status")
        if status:
            queryset = queryset.filter(status=status)
        return queryset


class TenantDetailView(APIView):
    permission_classes = [capability_required(Capability.TENANTS_MANAGE)]

    @extend_schema(responses=TenantDetailSerializer)
    def get(self, request: Request, slug: str) -> Response:
        from sgsc.provisioning.onboarding.selectors import (
            contract_for_tenant,
            provisioning_job_for_tenant,
        )

        tenant = _tenant_or_404(slug)
        job = provisioning_job_for_tenant(tenant=tenant)
        contract = job.contract if job is not None else contract_for_tenant(tenant=tenant)
        return Response(TenantDetailSerializer(
            tenant, context={"request": request, "contract": contract, "job": job}).data)


class TenantStatusView(APIView):
    permission_classes = [capability_required(Capability.TENANTS_MANAGE)]

    @extend_schema(request=TenantStatusChangeSerializer, responses=TenantSerializer)
    def post(self, request: Request, slug: str) -> Response:
        tenant = _tenant_or_404(slug)
        payload = TenantStatusChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changed = tenant_set_status(tenant=tenant, status=payload.validated_data["status"],
                                    reason=payload.validated_data["reason"],
                                    legal_basis=payload.validated_data["legal_basis"],
                                    actor=request.user)  # type: ignore[arg-type]
        return Response(TenantSerializer(changed).data)


class TenantMembersView(generics.ListAPIView[HubMembership]):
    """The hub's member institutions; ``?history=true`` adds former members."""

    permission_classes = [capability_required(Capability.TENANTS_MANAGE)]
    serializer_class = HubMembershipSerializer

    @extend_schema(parameters=[OpenApiParameter(
        "history", OpenApiTypes.BOOL, description="Include former members (left_at set).")])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[HubMembership]:
        from sgsc.provisioning.onboarding.hubs import hub_member_history, hub_members_current

        if getattr(self, "swagger_fake_view", False):
            return HubMembership.objects.none()
        hub = _hub_or_conflict(self.kwargs["slug"])
        history = self.request.query_params.get("history", "").lower() in ("1", "true", "yes")
        return hub_member_history(hub) if history else hub_members_current(hub)


class TenantAmendmentView(APIView):
    permission_classes = [capability_required(Capability.TENANTS_MANAGE)]

    @extend_schema(request=HubAmendmentInputSerializer,
                   responses={201: HubAmendmentSerializer})
    def post(self, request: Request, slug: str) -> Response:
        from sgsc.provisioning.onboarding.hubs import hub_amend, hub_members_current

        hub = _hub_or_conflict(slug)
        payload = HubAmendmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        amendment = hub_amend(hub=hub, number=data["number"], signed_on=data["signed_on"],
                              add_idnos=data["add_idnos"], remove_idnos=data["remove_idnos"],
                              note=data["note"], actor=request.user)  # type: ignore[arg-type]
        body = HubAmendmentSerializer(
            amendment, context={"members": list(hub_members_current(hub))}).data
        return Response(body, status=status.HTTP_201_CREATED)
