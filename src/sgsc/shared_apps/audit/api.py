"""Audit API: read the log (auditors, AGE administrators) and start a verification of every
chain (AGE administrators)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.permissions import capability_required
from sgsc.platform.errors import InvalidInput
from sgsc.platform.queue import enqueue_on_commit
from sgsc.shared_apps.audit.forms import ACTION_FAMILIES, AuditFilterForm, host_tenant
from sgsc.shared_apps.audit.models import PLATFORM_CHAIN, AuditEvent
from sgsc.shared_apps.audit.selectors import (
    audit_event_chain_position,
    audit_event_get,
    audit_event_list,
)
from sgsc.shared_apps.audit.serializers import AuditEventDetailSerializer, AuditEventSerializer
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenants.tasks import fan_out

CanViewAudit = capability_required(Capability.AUDIT_VIEW)

_TIME_HELP = ("ISO 8601 (de ex. 2026-05-05T14:30 sau 2026-05-05); fără fus orar, ora "
              "Chișinăului. O dată fără oră înseamnă începutul zilei la „since” și sfârșitul "
              "ei la „until”.")
FILTER_PARAMETERS = [
    OpenApiParameter("actor", str, description="E-mailul, numele sau IDNP-ul autorului."),
    OpenApiParameter("actor_id", int, description="ID-ul autorului."),
    OpenApiParameter("tenant", str, description=(
        f"Numai pe gazda publică: identificatorul spațiului sau „{PLATFORM_CHAIN}” pentru "
        "lanțul platformei. Pe gazda unui spațiu se ignoră: acolo se vede doar lanțul "
        "spațiului."
    )),
    OpenApiParameter("family", str, enum=[code for code, _label in ACTION_FAMILIES],
                     description="Domeniul acțiunii (prima parte a codului)."),
    OpenApiParameter("action", str, description="Începutul codului acțiunii (de ex. auth.)."),
    OpenApiParameter("outcome", str, enum=AuditEvent.Outcome.values),
    OpenApiParameter("since", OpenApiTypes.DATETIME, description=_TIME_HELP),
    OpenApiParameter("until", OpenApiTypes.DATETIME, description=_TIME_HELP),
    OpenApiParameter("object_type", str),
    OpenApiParameter("object_id", str),
]


class AuditEventListView(generics.ListAPIView[AuditEvent]):
    """Audit events of this host's scope, newest first; filters as in the viewer. An invalid
    filter is a 400 with the code ``invalid_filter``."""

    permission_classes = [CanViewAudit]
    serializer_class = AuditEventSerializer

    @extend_schema(parameters=FILTER_PARAMETERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        tenant = host_tenant(self.request)
        form = AuditFilterForm(self.request.query_params, tenant=tenant)
        if not form.is_valid():
            raise InvalidInput(
                _("Filtrele nu sunt valide."), code="invalid_filter",
                fields={name: [str(message) for message in messages]
                        for name, messages in form.errors.items()},
            )
        return audit_event_list(tenant=tenant, filters=form.filters())


class AuditEventDetailView(APIView):
    """One event of this host's scope with its place in the chain; another tenant's event is
    a 404."""

    permission_classes = [CanViewAudit]

    @extend_schema(responses=AuditEventDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        event = audit_event_get(tenant=host_tenant(request), pk=pk)
        position = audit_event_chain_position(event=event)
        return Response(AuditEventDetailSerializer(event, context={"position": position}).data)


class AuditVerificationView(APIView):
    """Queue a check of every audit chain (AGE roles that manage tenants); each result is
    written to the audit log."""

    permission_classes = [capability_required(Capability.TENANTS_MANAGE)]

    @extend_schema(request=None, responses={202: inline_serializer(
        "AuditVerificationQueued", {"status": serializers.CharField()})})
    def post(self, request: Request) -> Response:
        with transaction.atomic():
            audit_record(action="audit.chain.verify.request", object_type="audit_chain",
                         object_id="*")
            enqueue_on_commit(fan_out, kwargs={"task_name": "audit.verify_current_chain",
                                               "include_platform": True, "only_active": False})
        return Response({"status": "queued"}, status=status.HTTP_202_ACCEPTED)
