"""``/api/v1/served-institutions/``: the institutions the caller serves on this tenant host."""

from __future__ import annotations

from typing import cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from sgsc.platform.api.permissions import capability_required
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.institutions.models import Institution
from sgsc.shared_apps.institutions.served_selectors import (
    served_institution_get_or_deny,
    served_institution_people,
    served_institutions,
)
from sgsc.tenants.models import Tenant


class ServedInstitutionSerializer(serializers.ModelSerializer[Institution]):
    served_since = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Institution
        fields = ["id", "idno", "name", "name_ru", "name_en", "kind", "address", "email",
                  "phone", "served_since"]
        read_only_fields = fields


class ServingPersonSerializer(serializers.ModelSerializer[Membership]):
    user_id = serializers.IntegerField()
    full_name = serializers.CharField(source="user.get_full_name")
    email = serializers.EmailField(source="user.email")

    class Meta:
        model = Membership
        fields = ["user_id", "full_name", "email", "roles"]
        read_only_fields = fields


class ServedInstitutionDetailSerializer(ServedInstitutionSerializer):
    people = ServingPersonSerializer(many=True, read_only=True)

    class Meta(ServedInstitutionSerializer.Meta):
        fields = [*ServedInstitutionSerializer.Meta.fields, "people"]
        read_only_fields = fields


def _context(request: Request) -> tuple[User, Tenant]:
    # Only tenant hosts route here (urls_tenant), and the capability check ran first.
    return cast(User, request.user), cast(Tenant, request.tenant)  # type: ignore[attr-defined]


class ServedInstitutionListView(generics.ListAPIView[Institution]):
    permission_classes = [capability_required(Capability.WORKSPACE_VIEW)]
    serializer_class = ServedInstitutionSerializer

    def get_queryset(self) -> QuerySet[Institution]:
        user, tenant = _context(self.request)
        return served_institutions(user=user, tenant=tenant)


class ServedInstitutionDetailView(generics.GenericAPIView[Institution]):
    permission_classes = [capability_required(Capability.WORKSPACE_VIEW)]
    serializer_class = ServedInstitutionDetailSerializer

    @extend_schema(responses=ServedInstitutionDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        user, tenant = _context(request)
        institution = served_institution_get_or_deny(user=user, tenant=tenant, pk=pk)
        institution.people = served_institution_people(  # type: ignore[attr-defined]
            tenant=tenant, institution=institution)
        return Response(ServedInstitutionDetailSerializer(institution).data)
