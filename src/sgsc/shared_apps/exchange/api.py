"""Exchanges API, on every host with the scope of the page (``views``): a tenant's own
exchanges, or every exchange on the public host. An invalid filter is a 400 with the code
``invalid_filter``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from sgsc.platform.api.pagination import CursorPagination
from sgsc.platform.api.permissions import capability_required
from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.audit.forms import host_tenant
from sgsc.shared_apps.exchange.forms import ExchangeFilterForm
from sgsc.shared_apps.exchange.models import Exchange
from sgsc.shared_apps.exchange.selectors import INCOMING, OUTGOING, exchange_list
from sgsc.shared_apps.exchange.serializers import ExchangeSerializer
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.tickets.access import ticket_access_for

_TIME_HELP = ("ISO 8601 (de ex. 2026-05-05T14:30 sau 2026-05-05); fără fus orar, ora "
              "Chișinăului.")


class ExchangeCursorPagination(CursorPagination):
    ordering = "-created_at"


class ExchangeListView(generics.ListAPIView[Exchange]):
    """Exchanges of this host's scope, newest first, each with its events."""

    permission_classes = [capability_required(Capability.AUDIT_VIEW)]
    serializer_class = ExchangeSerializer
    pagination_class = ExchangeCursorPagination

    @extend_schema(parameters=[
        OpenApiParameter("direction", str, enum=[OUTGOING, INCOMING],
                         description="Numai pe gazda unui spațiu: trimise sau primite."),
        OpenApiParameter("tenant", str, description=(
            "Numai pe gazda publică: identificatorul unui spațiu, expeditor sau destinatar.")),
        OpenApiParameter("status", str, enum=Exchange.Status.values),
        OpenApiParameter("since", OpenApiTypes.DATETIME, description=_TIME_HELP),
        OpenApiParameter("until", OpenApiTypes.DATETIME, description=_TIME_HELP),
    ])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["host"] = host_tenant(self.request)
        return context

    def get_queryset(self) -> QuerySet[Exchange]:
        if getattr(self, "swagger_fake_view", False):
            return Exchange.objects.none()
        host = host_tenant(self.request)
        form = ExchangeFilterForm(self.request.query_params, host=host)
        if not form.is_valid():
            raise InvalidInput(
                _("Filtrele nu sunt valide."), code="invalid_filter",
                fields={name: [str(message) for message in messages]
                        for name, messages in form.errors.items()})
        return exchange_list(
            host=host, access=None if host.is_public else ticket_access_for(self.request),
            filters=form.filters())
