from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
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


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-10"})
class MonthField(serializers.DateField):
    """A statement's month, written ``YYYY-MM``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m", **kwargs)


class StatementSerializer(serializers.ModelSerializer[Statement]):
    tenant: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    contract: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="number", read_only=True)
    # A credit note names the statement it voids; a statement names none.
    credits: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True)
    month = MonthField()

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
