"""The tenant's people over the API (tenant hosts): list and add, read and change one
person's access, revoke it.

Reads need ``members.view``, writes ``members.manage``; the services still refuse roles the
caller may not grant. Reading one person's record is audited as a view of personal data.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.permissions import capability_required
from sgsc.shared_apps.identity.member_serializers import (
    MemberCreateSerializer,
    MemberRevokeSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
)
from sgsc.shared_apps.identity.member_views import request_actor, request_tenant, sees_full_idnp
from sgsc.shared_apps.identity.models import Membership
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.identity.scoping import membership_scope_ids
from sgsc.shared_apps.identity.selectors import (
    member_rows,
    membership_get,
    membership_list,
)
from sgsc.shared_apps.identity.services import (
    member_add,
    membership_revoke,
    membership_update,
    personal_data_view_record,
)


class _ViewOrManage(APIView):
    """Reads need ``members.view``; writes need ``members.manage``."""

    def get_permissions(self) -> list[BasePermission]:
        capability = (Capability.MEMBERS_VIEW if self.request.method in SAFE_METHODS
                      else Capability.MEMBERS_MANAGE)
        return [capability_required(capability)()]

    def _answer(self, membership: Membership, *, code: int = status.HTTP_200_OK) -> Response:
        # Re-read through the selector: the record shows the last sign-in and the limit.
        tenant = request_tenant(self.request)
        fresh = membership_get(tenant=tenant, membership_id=membership.pk)
        row = member_rows(tenant=tenant, memberships=[fresh],
                          full_idnp=sees_full_idnp(self.request))[0]
        return Response(MemberSerializer(row).data, status=code)


class MemberListView(_ViewOrManage, generics.ListAPIView[Any]):
    # Rows (``selectors.MemberRow``) are serialized, built from the page of memberships.
    serializer_class = MemberSerializer

    def get_queryset(self) -> QuerySet[Membership]:
        params = self.request.query_params
        return membership_list(tenant=request_tenant(self.request),
                               search=params.get("q", "")[:100],
                               role=params.get("role", ""), state=params.get("state", ""),
                               search_idnp=sees_full_idnp(self.request))

    @extend_schema(parameters=[
        OpenApiParameter("q", str, description="Caută în nume, e-mail (și IDNP, pentru cine "
                                               "gestionează membrii)."),
        OpenApiParameter("role", str, description="Doar cei care au acest rol."),
        OpenApiParameter("state", str, enum=Membership.State.values,
                         description="Doar accesele în această stare."),
    ])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # noqa: S101 (cursor pagination is always on)
        rows = member_rows(tenant=request_tenant(request), memberships=list(page),
                           full_idnp=sees_full_idnp(request))
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    @extend_schema(request=MemberCreateSerializer, responses={201: MemberSerializer})
    def post(self, request: Request) -> Response:
        payload = MemberCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        membership = member_add(actor=request_actor(request), tenant=request_tenant(request),
                                institution_ids=data.pop("institutions"), **data)
        return self._answer(membership, code=status.HTTP_201_CREATED)


class MemberDetailView(_ViewOrManage):
    @extend_schema(responses=MemberSerializer)
    def get(self, request: Request, pk: int) -> Response:
        membership = membership_get(tenant=request_tenant(request), membership_id=pk)
        personal_data_view_record(actor=request_actor(request), subject_id=membership.user_id,
                                  membership_id=membership.pk, channel="api")
        return self._answer(membership)

    @extend_schema(request=MemberUpdateSerializer, responses=MemberSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        membership = membership_get(tenant=request_tenant(request), membership_id=pk)
        payload = MemberUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        scope = (data["institutions"] if "institutions" in data
                 else membership_scope_ids(membership=membership))
        changed = membership_update(
            actor=request_actor(request), membership=membership,
            roles=data.get("roles", membership.roles), institution_ids=scope,
            valid_until=data.get("valid_until", membership.valid_until))
        return self._answer(changed)


class MemberRevokeView(_ViewOrManage):
    @extend_schema(request=MemberRevokeSerializer, responses=MemberSerializer)
    def post(self, request: Request, pk: int) -> Response:
        membership = membership_get(tenant=request_tenant(request), membership_id=pk)
        payload = MemberRevokeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        revoked = membership_revoke(actor=request_actor(request), membership=membership,
                                    **payload.validated_data)
        return self._answer(revoked)
