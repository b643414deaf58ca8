from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sgsc.billing.usage.models import Metric, UsageRecord


class UsageRecordSerializer(serializers.ModelSerializer[UsageRecord]):
    tenant: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = UsageRecord
        fields = ["id", "tenant", "day", "metric", "quantity", "kind", "adjusts", "reason",
                  "source", "computed_at"]
        read_only_fields = fields


class MeteringSerializer(serializers.Serializer[None]):
    day = serializers.DateField()
    tenant = serializers.SlugField(required=False, help_text="Identificatorul prestatorului; "
                                                             "lipsă: toți prestatorii.")


class AdjustmentSerializer(serializers.Serializer[None]):
    tenant = serializers.SlugField()
    day = serializers.DateField()
    metric = serializers.ChoiceField(choices=Metric.choices)
    quantity = serializers.DecimalField(max_digits=18, decimal_places=6,
                                        help_text="Cantitatea corectă a zilei.")
    reason = serializers.CharField(max_length=2000, allow_blank=True)
