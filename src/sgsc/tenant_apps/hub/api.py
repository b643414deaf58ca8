"""The hub coordinator's figures over the API, on hub hosts (``hub.coordinate``):
``GET /api/v1/hub/institutions/`` (the overview) and ``GET /api/v1/hub/report/`` (the
report). Both take ``from`` and ``to`` (ISO dates, both included; the current month by
default) and answer with the figures of the pages and the CSV."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.permissions import capability_required
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.hub.access import hub_access_for
from sgsc.tenant_apps.hub.links import queue_link
from sgsc.tenant_apps.hub.selectors import Period, hub_overview, hub_report, period_parse

PERIOD_PARAMETERS = [
    OpenApiParameter("from", str, description="Prima zi a perioadei (AAAA-LL-ZZ); implicit "
                     "începutul lunii curente. Cod `invalid_period` pentru o dată nevalidă."),
    OpenApiParameter("to", str, description="Ultima zi a perioadei, inclusiv; cel mult 366 "
                     "de zile (cod `period_too_long`)."),
]


def _period(request: Request) -> Period:
    return period_parse(first=request.query_params.get("from", ""),
                        last=request.query_params.get("to", ""))


class HubInstitutionRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    idno = serializers.CharField()
    name = serializers.CharField()


class HubLoadSerializer(serializers.Serializer[Any]):
    new = serializers.IntegerField()
    open = serializers.IntegerField()
    waiting = serializers.IntegerField()
    escalated = serializers.IntegerField()
    active = serializers.IntegerField()
    unassigned = serializers.IntegerField()
    breached = serializers.IntegerField()
    due_soon = serializers.IntegerField()


class HubStaffingSerializer(serializers.Serializer[Any]):
    operators = serializers.IntegerField()
    on_shift = serializers.IntegerField()


class HubFiguresSerializer(serializers.Serializer[Any]):
    registered = serializers.IntegerField()
    open = serializers.IntegerField(help_text="Înregistrate în perioadă și încă active.")
    resolved = serializers.IntegerField()
    within_deadline = serializers.IntegerField()
    within_deadline_percent = serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, allow_null=True)
    mean_resolution_hours = serializers.DecimalField(
        max_digits=12, decimal_places=1, coerce_to_string=False, allow_null=True,
        help_text="Ore lucrătoare de la înregistrare la soluționare.")


class HubPeriodSerializer(serializers.Serializer[Any]):
    start = serializers.DateField(source="first")
    end = serializers.DateField(source="last")


class HubInstitutionRowSerializer(serializers.Serializer[Any]):
    institution = HubInstitutionRefSerializer(allow_null=True,
                                           help_text="null: solicitări fără instituție")
    load = HubLoadSerializer()
    staffing = HubStaffingSerializer()
    period = HubFiguresSerializer()
    queue_url = serializers.SerializerMethodField()

    def get_queue_url(self, row: Any) -> str | None:
        return queue_link(row.institution.pk) if row.institution is not None else None


class HubInstitutionListSerializer(serializers.Serializer[Any]):
    period = HubPeriodSerializer()
    results = HubInstitutionRowSerializer(many=True)


class HubBreakdownSerializer(HubFiguresSerializer):
    """A channel or a service: its key and name, then its figures."""

    key = serializers.CharField()
    name = serializers.CharField()

    def to_representation(self, instance: Any) -> Any:
        return {"key": instance.key, "name": instance.label,
                **HubFiguresSerializer(instance.figures).data}


class HubInstitutionReportSerializer(serializers.Serializer[Any]):
    institution = HubInstitutionRefSerializer(allow_null=True,
                                           help_text="null: solicitări fără instituție")
    totals = HubFiguresSerializer()
    by_channel = HubBreakdownSerializer(many=True)
    by_service = HubBreakdownSerializer(many=True, help_text="key: id-ul serviciului, gol: fără")


class HubReportSerializer(serializers.Serializer[Any]):
    period = HubPeriodSerializer()
    institutions = HubInstitutionReportSerializer(many=True)


class HubInstitutionsView(APIView):
    """The hub's member institutions the caller serves: active tickets now and the period's
    figures (the overview page)."""

    permission_classes = [capability_required(Capability.HUB_COORDINATE)]

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=HubInstitutionListSerializer)
    def get(self, request: Request) -> Response:
        access, tenant = hub_access_for(request)
        period = _period(request)
        rows = hub_overview(access=access, tenant=tenant, period=period, now=timezone.now())
        return Response(HubInstitutionListSerializer({"period": period, "results": rows}).data)


class HubReportView(APIView):
    """The report per institution the caller serves, by channel and by service."""

    permission_classes = [capability_required(Capability.HUB_COORDINATE)]

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=HubReportSerializer)
    def get(self, request: Request) -> Response:
        access, tenant = hub_access_for(request)
        period = _period(request)
        reports = hub_report(access=access, tenant=tenant, period=period)
        return Response(HubReportSerializer({"period": period, "institutions": reports}).data)
