"""``/api/v1/tokens/``: the caller's own API tokens on this host.

Issuing needs a signed-in session: a token that could mint tokens would outlive its own
revocation through its offspring."""

from __future__ import annotations

from typing import cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from sgsc.platform.errors import AccessDenied
from sgsc.shared_apps.identity.models import ApiToken, User
from sgsc.shared_apps.identity.selectors import host_tenant
from sgsc.shared_apps.identity.services import api_token_issue, api_token_revoke
from sgsc.shared_apps.identity.token_selectors import (
    api_token_get_own,
    api_token_state,
    api_tokens_of,
)


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    state = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at",
                  "revoked_at", "state"]
        read_only_fields = fields

    def get_state(self, token: ApiToken) -> str:
        return api_token_state(token)


class ApiTokenCreateSerializer(serializers.Serializer[None]):
    """Types only: the name and the validity bounds are checked by the service."""

    name = serializers.CharField(max_length=100, allow_blank=True)
    valid_days = serializers.IntegerField(required=False, allow_null=True,
                                          help_text="între 1 și 366; lipsă: fără termen")


class ApiTokenIssuedSerializer(ApiTokenSerializer):
    key = serializers.CharField(help_text="Afișată o singură dată.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


def _me(request: Request) -> User:
    return cast(User, request.user)  # IsAuthenticated ran first


class ApiTokenListView(generics.ListAPIView[ApiToken]):
    serializer_class = ApiTokenSerializer

    def get_queryset(self) -> QuerySet[ApiToken]:
        return api_tokens_of(user=_me(self.request), tenant=host_tenant(self.request))

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenIssuedSerializer})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            raise AccessDenied(_("Un token nou se creează doar dintr-o sesiune autentificată."),
                               code="token_cannot_issue")
        payload = ApiTokenCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        token, key = api_token_issue(user=_me(request), tenant=host_tenant(request),
                                     name=payload.validated_data["name"],
                                     valid_days=payload.validated_data.get("valid_days"))
        token.key = key  # type: ignore[attr-defined]  # shown in this answer only
        return Response(ApiTokenIssuedSerializer(token).data, status=status.HTTP_201_CREATED)


class ApiTokenDetailView(generics.GenericAPIView[ApiToken]):
    serializer_class = ApiTokenSerializer

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        token = api_token_get_own(user=_me(request), tenant=host_tenant(request), pk=pk)
        api_token_revoke(actor=_me(request), token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_queryset(self) -> QuerySet[ApiToken]:
        return api_tokens_of(user=_me(self.request), tenant=host_tenant(self.request))
