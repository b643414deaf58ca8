from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sgsc.billing.tariffs.models import (
    TariffComponent,
    TariffSchedule,
    TariffScheduleVersion,
    TariffVersionReturn,
)
from sgsc.billing.tariffs.services import ComponentInput


class TariffComponentSerializer(serializers.ModelSerializer[TariffComponent]):
    class Meta:
        model = TariffComponent
        fields = ["kind", "unit_price", "allowance_gb", "hub_multiplier"]
        read_only_fields = fields


class TariffReturnSerializer(serializers.ModelSerializer[TariffVersionReturn]):
    returned_by = serializers.CharField(source="returned_by.email", default=None,
                                        read_only=True)

    class Meta:
        model = TariffVersionReturn
        fields = ["comments", "returned_by", "returned_at"]
        read_only_fields = fields


class TariffVersionSerializer(serializers.ModelSerializer[TariffScheduleVersion]):
    schedule = serializers.CharField(source="schedule.code", read_only=True)
    components = TariffComponentSerializer(many=True, read_only=True)
    returns = TariffReturnSerializer(many=True, read_only=True)
    based_on = serializers.IntegerField(source="based_on_id", read_only=True, allow_null=True)
    created_by = serializers.CharField(source="created_by.email", default=None, read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.email", default=None,
                                         read_only=True)
    approved_by = serializers.CharField(source="approved_by.email", default=None,
                                        read_only=True)
    frozen = serializers.BooleanField(source="is_frozen", read_only=True)
    decision_document_url = serializers.SerializerMethodField()

    class Meta:
        model = TariffScheduleVersion
        fields = ["id", "schedule", "number", "status", "frozen", "based_on", "effective_from",
                  "effective_to", "currency", "vat_treatment", "vat_rate", "components",
                  "created_by", "created_at", "submitted_at", "submitted_by",
                  "decision_number", "decision_date", "decision_sha256",
                  "decision_document_url", "approved_at", "approved_by", "returns",
                  "updated_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_decision_document_url(self, version: TariffScheduleVersion) -> str | None:
        if not version.decision_document:
            return None
        return reverse("tariff-decision-document", kwargs={"pk": version.pk})


class TariffScheduleSerializer(serializers.ModelSerializer[TariffSchedule]):
    class Meta:
        model = TariffSchedule
        fields = ["id", "code", "name", "created_at"]
        read_only_fields = ["id", "created_at"]
        # The service owns the uniqueness check, so a taken code is 409 schedule_code_taken.
        extra_kwargs: dict[str, dict[str, Any]] = {"code": {"validators": []}}


class TariffComponentInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=TariffComponent.Kind.choices)
    # Text, not a number: the service checks the value and names the refusal
    # (``negative_price``, ``invalid_price``); JSON floats would lose the exact decimal.
    unit_price = serializers.CharField(max_length=24, help_text="MDL, până la 4 zecimale")
    allowance_gb = serializers.CharField(max_length=16, default="0")
    hub_multiplier = serializers.CharField(max_length=12, default="1")


class TariffVersionInputSerializer(serializers.Serializer[Any]):
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(required=False, allow_null=True, default=None)
    vat_treatment = serializers.ChoiceField(choices=TariffScheduleVersion.Vat.choices)
    vat_rate = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                     default=None, max_length=8)
    components = TariffComponentInputSerializer(many=True)

    def service_values(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        data["components"] = [ComponentInput(**item) for item in data["components"]]
        return data


class TariffApproveSerializer(serializers.Serializer[Any]):
    decision_number = serializers.CharField(max_length=64)
    decision_date = serializers.DateField()
    decision_document = serializers.FileField(help_text="Decizia Cancelariei de Stat (PDF, "
                                                        "cel mult 10 MB)")


class TariffReturnInputSerializer(serializers.Serializer[Any]):
    comments = serializers.CharField()
