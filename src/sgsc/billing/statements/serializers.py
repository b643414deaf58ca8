from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sgsc.billing.statements.models import (
    AllocationKey,
    Statement,
    StatementAllocation,
    StatementLine,
)


class StatementLineSerializer(serializers.ModelSerializer[StatementLine]):
    version: serializers.StringRelatedField[Any] = serializers.StringRelatedField()

    class Meta:
        model = StatementLine
        fields = ["position", "component", "version", "period_start", "period_end", "quantity",
                  "unit", "unit_price", "hub_multiplier", "amount", "vat_treatment", "vat_rate",
                  "net_amount", "vat_amount", "total", "basis", "usage_record_ids"]
        read_only_fields = fields


class StatementAllocationSerializer(serializers.ModelSerializer[StatementAllocation]):
    institution_idno = serializers.CharField(source="institution.idno", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)

    class Meta:
        model = StatementAllocation
        fields = ["institution", "institution_idno", "institution_name", "weight", "amount"]
        read_only_fields = fields


class StatementSerializer(serializers.ModelSerializer[Statement]):
    tenant: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    contract: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="number", read_only=True)
    credits: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="number", read_only=True)
    month = serializers.DateField(format="%Y-%m")

    class Meta:
        model = Statement
        fields = ["id", "number", "kind", "status", "tenant", "contract", "month",
                  "period_start", "period_end", "credits", "currency", "net_amount",
                  "vat_amount", "total", "allocation_key", "issued_at", "voided_at",
                  "void_reason"]
        read_only_fields = fields


class StatementDetailSerializer(StatementSerializer):
    lines = StatementLineSerializer(many=True, read_only=True)
    allocations = StatementAllocationSerializer(many=True, read_only=True)

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "lines", "allocations"]
        read_only_fields = fields


class StatementGenerateSerializer(serializers.Serializer[None]):
    contract = serializers.CharField(help_text="Numărul contractului.")
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="AAAA-LL")


class VoidSerializer(serializers.Serializer[None]):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class AllocationKeySerializer(serializers.Serializer[None]):
    key = serializers.ChoiceField(choices=AllocationKey.choices)
