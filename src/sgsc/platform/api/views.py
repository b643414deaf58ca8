"""Endpoints every host has."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.permissions import request_capabilities
from sgsc.shared_apps.identity.selectors import user_roles_on


class MeView(APIView):
    """Who is signed in, and what they may do on this host."""

    @extend_schema(responses=inline_serializer("Me", {
        "id": serializers.IntegerField(),
        "email": serializers.EmailField(),
        "full_name": serializers.CharField(),
        "tenant": serializers.CharField(),
        "roles": serializers.ListField(child=serializers.CharField()),
        "capabilities": serializers.ListField(child=serializers.CharField()),
    }))
    def get(self, request: Request) -> Response:
        user = request.user
        tenant = getattr(request, "tenant", None)
        return Response({
            "id": user.pk,
            "email": user.email,  # type: ignore[union-attr]
            "full_name": user.get_full_name(),  # type: ignore[union-attr]
            "tenant": tenant.slug if tenant is not None else "",
            "roles": list(user_roles_on(user=user, tenant=tenant)),  # type: ignore[arg-type]
            "capabilities": sorted(request_capabilities(request)),
        })


class HostSchemaView(SpectacularAPIView):
    """The OpenAPI document of the host asked: the public API or the tenant API."""

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # django-tenants puts the host's URL configuration on the request.
        self.urlconf = getattr(request, "urlconf", None)
        return super().get(request, *args, **kwargs)
