"""A tenant URL configuration with two deliberately broken routes, for the self-test that
shows the proof catches a leak and a cross-tenant write."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, URLResolver, include, path, re_path

from sgsc.platform.urls_tenant import urlpatterns as tenant_patterns
from sgsc.shared_apps.identity.models import Membership


def leaky_member(request: HttpRequest, pk: int) -> HttpResponse:
    """Shows any membership, whatever its tenant (the bug the proof must catch)."""
    membership = get_object_or_404(Membership, pk=pk)
    return JsonResponse({"name": membership.user.get_full_name()})


def careless_note(request: HttpRequest, pk: int) -> HttpResponse:
    """Writes to any membership, whatever its tenant, and answers 404 to hide it."""
    Membership.objects.filter(pk=pk).update(end_note="scris de altcineva")
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    *tenant_patterns,
    path("scurgere/<int:pk>/", leaky_member),
    path("nota/<int:pk>/", careless_note),
    # As a DRF router writes them: a regular expression, inside an include.
    path("vechi/", include([re_path(r"^membri/(?P<pk>[0-9]+)/$", leaky_member)])),
]
