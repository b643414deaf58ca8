from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sgsc.shared_apps.exchange.models import Exchange, ExchangeEvent
from sgsc.shared_apps.exchange.selectors import INCOMING, OUTGOING


class ExchangeEventSerializer(serializers.ModelSerializer[ExchangeEvent]):
    """Who acted by name only: a user id of one tenant means nothing to the other."""

    class Meta:
        model = ExchangeEvent
        fields = ["at", "direction", "action", "actor_label", "payload_sha256", "summary"]
        read_only_fields = fields


class ExchangeSerializer(serializers.ModelSerializer[Exchange]):
    """An exchange without its payload's text: the numbers, where it went, what became of
    it, and the trace (the payload's SHA-256 lets either side prove what crossed)."""

    # Tenants come with the row and events with the page (selector): no query per row.
    source_tenant: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True)
    target_tenant: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True)
    source_tenant_name = serializers.CharField(source="source_tenant.name", read_only=True)
    target_tenant_name = serializers.CharField(source="target_tenant.name", read_only=True)
    direction = serializers.SerializerMethodField(
        help_text="Pe gazda unui spațiu: „out” (trimis) sau „in” (primit); null pe gazda "
                  "publică.")
    events = ExchangeEventSerializer(many=True, read_only=True)

    class Meta:
        model = Exchange
        fields = ["id", "kind", "status", "direction", "source_tenant", "source_tenant_name",
                  "source_ticket_number", "target_tenant", "target_tenant_name",
                  "target_ticket_number", "title", "service_code", "level_due_at",
                  "failure_reason", "payload_sha256", "created_at", "updated_at", "events"]
        read_only_fields = fields

    def get_direction(self, exchange: Exchange) -> str | None:
        host = self.context["host"]
        if host.is_public:
            return None
        return OUTGOING if exchange.source_tenant_id == host.pk else INCOMING
