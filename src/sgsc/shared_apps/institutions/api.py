"""Platform API of the institutions registry (public host).

Every platform role reads it (capability ``platform.console``); AGE's roles holding
``institutions.manage`` write it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from sgsc.platform.api.permissions import capability_required
from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.institutions.models import Institution
from sgsc.shared_apps.institutions.selectors import institution_get, institution_list
from sgsc.shared_apps.institutions.services import institution_create, institution_update


class InstitutionSerializer(serializers.ModelSerializer[Institution]):
    parent_name = serializers.SerializerMethodField()

    class Meta:
        model = Institution
        fields = ["id", "idno", "name", "name_ru", "name_en", "kind", "address", "email",
                  "phone", "parent", "parent_name", "created_at", "updated_at"]
        read_only_fields = fields

    def get_parent_name(self, institution: Institution) -> str:
        # The parent comes with the row (select_related): no query per institution.
        return institution.parent.name if institution.parent is not None else ""


class InstitutionWriteSerializer(serializers.Serializer[None]):
    """Types only: the IDNO check digit, uniqueness and the hierarchy are the service's."""

    idno = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=255)
    name_ru = serializers.CharField(max_length=255, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=255, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Institution.Kind.choices, required=False)
    address = serializers.CharField(max_length=500, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    # DRF moves declared fields off the class, so ``parent`` does not shadow
    # ``Field.parent`` at run time; the stubs cannot know that.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False, allow_null=True, help_text="id-ul instituției ierarhic superioare")


def _actor(request: Request) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _resolve_parent(data: dict[str, Any]) -> dict[str, Any]:
    """The parent's id becomes the institution (``invalid_parent`` when there is none)."""
    if data.get("parent") is None:
        return data
    parent = Institution.objects.filter(pk=data["parent"]).first()
    if parent is None:
        message = _("Instituția ierarhic superioară nu există.")
        raise InvalidInput(message, code="invalid_parent", fields={"parent": [message]})
    return {**data, "parent": parent}


class _ReadOrManage(generics.GenericAPIView[Institution]):
    """Reads need ``platform.console``; writes need ``institutions.manage``."""

    def get_permissions(self) -> list[BasePermission]:
        capability = (Capability.PLATFORM_CONSOLE if self.request.method in SAFE_METHODS
                      else Capability.INSTITUTIONS_MANAGE)
        return [capability_required(capability)()]


class InstitutionListView(_ReadOrManage, generics.ListCreateAPIView[Institution]):
    serializer_class = InstitutionSerializer

    def get_queryset(self) -> QuerySet[Institution]:
        return institution_list(search=self.request.query_params.get("q", ""))

    @extend_schema(parameters=[OpenApiParameter(
        "q", str, description="Caută în denumiri (fără diacritice) și în IDNO.")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=InstitutionWriteSerializer, responses={201: InstitutionSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = InstitutionWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        institution = institution_create(actor=_actor(request),
                                         **_resolve_parent(dict(payload.validated_data)))
        return Response(InstitutionSerializer(institution).data, status=status.HTTP_201_CREATED)


class InstitutionDetailView(_ReadOrManage):
    serializer_class = InstitutionSerializer

    def get_queryset(self) -> QuerySet[Institution]:
        return institution_list()

    @extend_schema(responses=InstitutionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(InstitutionSerializer(institution_get(institution_id=pk)).data)

    @extend_schema(request=InstitutionWriteSerializer(partial=True),
                   responses=InstitutionSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        institution = institution_get(institution_id=pk)
        payload = InstitutionWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        changed = institution_update(institution=institution, actor=_actor(request),
                                     **_resolve_parent(dict(payload.validated_data)))
        return Response(InstitutionSerializer(institution_get(institution_id=changed.pk)).data)
