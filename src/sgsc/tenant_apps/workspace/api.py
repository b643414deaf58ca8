"""The tenant's workspace profile over the API (tenant hosts)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.permissions import capability_required, request_capabilities
from sgsc.platform.errors import AccessDenied
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.workspace.models import WorkspaceProfile
from sgsc.tenant_apps.workspace.selectors import workspace_profile_get
from sgsc.tenant_apps.workspace.services import workspace_profile_update


class WorkspaceProfileSerializer(serializers.ModelSerializer[WorkspaceProfile]):
    class Meta:
        model = WorkspaceProfile
        fields = ["display_name", "support_email", "support_phone", "default_language",
                  "updated_at"]
        read_only_fields = ["updated_at"]


class WorkspaceProfileView(APIView):
    permission_classes = [capability_required(Capability.WORKSPACE_VIEW)]

    @extend_schema(responses=WorkspaceProfileSerializer)
    def get(self, request: Request) -> Response:
        profile = workspace_profile_get()
        if profile is None:
            raise Http404
        return Response(WorkspaceProfileSerializer(profile).data)

    @extend_schema(request=WorkspaceProfileSerializer, responses=WorkspaceProfileSerializer)
    def patch(self, request: Request) -> Response:
        if Capability.WORKSPACE_MANAGE not in request_capabilities(request):
            raise AccessDenied(_("Doar administratorul prestatorului poate modifica profilul."))
        payload = WorkspaceProfileSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        profile = workspace_profile_update(**payload.validated_data)
        return Response(WorkspaceProfileSerializer(profile).data)
