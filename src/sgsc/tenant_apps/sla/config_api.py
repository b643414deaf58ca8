"""The clock and SLA configuration over the API (tenant hosts): SLA policies and the local
closed days as ``catalog.api`` lists, and the business hours (read, and replaced whole)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from sgsc.shared_apps.identity.member_views import request_actor
from sgsc.tenant_apps.catalog import config_selectors as selectors
from sgsc.tenant_apps.catalog.api import Endpoint, ReadOrConfigure, RefField, endpoint_patterns
from sgsc.tenant_apps.sla import config_services as config
from sgsc.tenant_apps.sla.models import LocalClosedDay, SlaPolicy
from sgsc.tenant_apps.sla.selectors import clock_settings_get, working_time


class ConfigSlaPolicySerializer(serializers.Serializer[SlaPolicy]):
    id = serializers.IntegerField(read_only=True)
    priority = RefField(required=True, allow_null=False)
    service = RefField(help_text="Un serviciu sau un grup (nu ambele); niciunul: politica "
                                 "generală a priorității.")
    group = RefField()
    first_response_minutes = serializers.IntegerField(help_text="În minute lucrătoare.")
    resolution_minutes = serializers.IntegerField(help_text="În minute lucrătoare.")


class ConfigClosedDaySerializer(serializers.Serializer[LocalClosedDay]):
    id = serializers.IntegerField(read_only=True)
    day = serializers.DateField()
    reason = serializers.CharField(max_length=255)


class ConfigBusinessPeriodSerializer(serializers.Serializer[Any]):
    weekday = serializers.IntegerField(help_text="0 = luni ... 6 = duminică")
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")


class ConfigBusinessHoursSerializer(serializers.Serializer[Any]):
    always_open = serializers.BooleanField(help_text="Non-stop: se numără orice minut.")
    warning_percent = serializers.IntegerField(
        help_text="Avertizarea la acest procent din termenul de soluționare (1-99).")
    periods = ConfigBusinessPeriodSerializer(many=True, help_text="Intervalele fiecărei zile; golurile "
                                                    "dintre ele sunt pauze.")


def _business_hours() -> dict[str, Any]:
    clock = clock_settings_get()
    return {"always_open": clock.always_open, "warning_percent": clock.warning_percent,
            "periods": [{"weekday": weekday, "start": start, "end": end}
                        for weekday, periods in sorted(working_time(settings=clock).weekly.items())
                        for start, end in periods]}


class BusinessHoursView(ReadOrConfigure):
    @extend_schema(responses=ConfigBusinessHoursSerializer)
    def get(self, request: Request) -> Response:
        return Response(ConfigBusinessHoursSerializer(_business_hours()).data)

    @extend_schema(request=ConfigBusinessHoursSerializer, responses=ConfigBusinessHoursSerializer)
    def put(self, request: Request) -> Response:
        """Replace the whole week; applies to the deadlines computed from now on."""
        payload = ConfigBusinessHoursSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        weekly: dict[int, list[Any]] = {}
        for period in payload.validated_data["periods"]:
            weekly.setdefault(period["weekday"], []).append((period["start"], period["end"]))
        config.business_hours_set(actor=request_actor(request),
                                  always_open=payload.validated_data["always_open"],
                                  warning_percent=payload.validated_data["warning_percent"],
                                  weekly=weekly)
        return Response(ConfigBusinessHoursSerializer(_business_hours()).data)


urlpatterns: list[URLPattern] = [
    *endpoint_patterns(Endpoint("sla-policies", SlaPolicy, ConfigSlaPolicySerializer,
                                selectors.sla_policy_list, config.SlaPolicyInput,
                                config.sla_policy_save)),
    *endpoint_patterns(Endpoint("closed-days", LocalClosedDay, ConfigClosedDaySerializer,
                                selectors.closed_day_list, config.ClosedDayInput,
                                config.closed_day_save)),
    path("api/v1/config/business-hours/", BusinessHoursView.as_view(),
         name="api-config-business-hours"),
]
