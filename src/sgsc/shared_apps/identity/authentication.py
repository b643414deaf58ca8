"""API authentication by personal token: ``Authorization: Token <key>``.

A token is valid only on the host it was issued for, until it expires or is revoked; what
its holder may do is decided on each request from their current roles there.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from sgsc.shared_apps.identity.models import ApiToken, User
from sgsc.shared_apps.identity.selectors import host_tenant, user_roles_on
from sgsc.shared_apps.identity.services import api_token_digest

KEYWORD = "Token"
# Writing the last use on every call would make each API request a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Antetul Authorization nu este valid."))
        try:
            key = parts[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("Tokenul nu este valid.")) from error
        token = (ApiToken.objects.select_related("user")
                 .filter(key_sha256=api_token_digest(key)).first())
        now = timezone.now()
        tenant = host_tenant(request._request)
        if (token is None or token.revoked_at is not None
                or (token.expires_at is not None and token.expires_at <= now)
                or token.tenant_id != (tenant.pk if tenant else None)
                or not token.user.is_active):
            raise exceptions.AuthenticationFailed(_("Tokenul nu este valid sau a expirat."))
        # Access ended by date or by a change not yet swept up: the token stops with it.
        if not user_roles_on(user=token.user, tenant=tenant):
            raise exceptions.AuthenticationFailed(_("Nu mai aveți acces pe acest spațiu."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return KEYWORD


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token header in the OpenAPI document."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Token <cheie>"}
