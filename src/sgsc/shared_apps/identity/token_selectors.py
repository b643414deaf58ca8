"""Reads about a person's own API tokens on one host."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from sgsc.platform.errors import NotFound
from sgsc.shared_apps.identity.models import ApiToken, User
from sgsc.tenants.models import Tenant

STATE_LABELS: dict[str, StrOrPromise] = {
    "active": gettext_lazy("Activ"),
    "expired": gettext_lazy("Expirat"),
    "revoked": gettext_lazy("Revocat"),
}


def api_tokens_of(*, user: User, tenant: Tenant | None) -> QuerySet[ApiToken]:
    """The person's tokens for this host (``None``: the public host), newest first."""
    return ApiToken.objects.filter(user=user, tenant=tenant).order_by("-created_at", "-pk")


def api_token_get_own(*, user: User, tenant: Tenant | None, pk: int) -> ApiToken:
    """One of the person's tokens on this host; anyone else's, or another host's, is 404."""
    token = api_tokens_of(user=user, tenant=tenant).filter(pk=pk).first()
    if token is None:
        raise NotFound(_("Tokenul nu a fost găsit."), code="token_not_found")
    return token


def api_token_state(token: ApiToken) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return "expired"
    return "active"
