from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.selectors import ChainPosition


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    # The tenant comes with the row (select_related): no query per event.
    tenant: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True,
                                          help_text="Spațiul; null pentru lanțul platformei.")
    tenant_name = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["id", "chain", "sequence", "occurred_at", "tenant", "tenant_name", "actor",
                  "actor_label", "action", "object_type", "object_id", "outcome", "ip",
                  "request_id", "details", "previous_hash", "hash"]
        read_only_fields = fields

    def get_tenant_name(self, event: AuditEvent) -> str:
        return event.tenant.name if event.tenant is not None else ""


class ChainPositionSerializer(serializers.Serializer[ChainPosition]):
    length = serializers.IntegerField(help_text="Numărul de evenimente din lanț.")
    previous_id = serializers.IntegerField(allow_null=True)
    next_id = serializers.IntegerField(allow_null=True)
    linked = serializers.BooleanField(
        help_text="Hash-ul anterior coincide cu hash-ul evenimentului precedent din lanț.")


class AuditEventDetailSerializer(AuditEventSerializer):
    """One event with its place in the chain; the view passes it in the context
    (``position``)."""

    position = serializers.SerializerMethodField()

    class Meta(AuditEventSerializer.Meta):
        fields = [*AuditEventSerializer.Meta.fields, "position"]
        read_only_fields = fields

    @extend_schema_field(ChainPositionSerializer)
    def get_position(self, event: AuditEvent) -> dict[str, Any]:
        return dict(ChainPositionSerializer(self.context["position"]).data)
