"""``GET /api/v1/access-review/``: the memberships of the access review, cursor-paginated.

On a tenant host only that tenant's; on the public host every tenant's (``?tenant=<slug>``
narrows it). Platform roles are in the page and the CSV of the public host."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from sgsc.platform.api.permissions import capability_required
from sgsc.shared_apps.identity.access_review import (
    StateFilter,
    access_review_memberships,
    access_review_rows,
)
from sgsc.shared_apps.identity.models import Membership
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.identity.selectors import host_tenant
from sgsc.tenants.models import Tenant


class AccessReviewRowSerializer(serializers.Serializer[Any]):
    membership_id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    person = serializers.CharField()
    email = serializers.EmailField()
    idnp_masked = serializers.CharField()
    tenant_slug = serializers.CharField()
    tenant_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    institutions = serializers.ListField(child=serializers.CharField(), allow_null=True,
                                         help_text="null: nelimitat")
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField(allow_null=True)
    state = serializers.CharField()
    granted_by = serializers.CharField()
    last_sign_in = serializers.DateTimeField(allow_null=True)
    days_since_sign_in = serializers.IntegerField(allow_null=True)
    inactive = serializers.BooleanField()
    ending_soon = serializers.BooleanField()


class AccessReviewView(generics.GenericAPIView[Membership]):
    permission_classes = [capability_required(Capability.ACCESS_REVIEW)]
    serializer_class = AccessReviewRowSerializer

    def get_queryset(self) -> QuerySet[Membership]:
        params = self.request.query_params
        tenant = host_tenant(self.request)
        tenant_id = None
        if tenant is None and params.get("tenant"):
            # An unknown slug selects nothing rather than everything.
            tenant_id = (Tenant.objects.filter(slug=params["tenant"])
                         .values_list("pk", flat=True).first() or 0)
        return access_review_memberships(tenant=tenant, tenant_id=tenant_id,
                                         state=params.get("state", StateFilter.CURRENT),
                                         search=params.get("q", "")[:100])

    @extend_schema(parameters=[
        OpenApiParameter("tenant", str, description="Doar pe gazda publică: slug-ul spațiului."),
        OpenApiParameter("state", str, description="gol: acces existent; active, suspended, "
                         "expired, revoked; toate; atentie (necesită atenție)."),
        OpenApiParameter("q", str, description="Nume sau e-mail."),
    ], responses=AccessReviewRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = access_review_rows(page or [])
        return self.get_paginated_response(AccessReviewRowSerializer(rows, many=True).data)
