from __future__ import annotations

from rest_framework import serializers

from sgsc.tenants.models import Tenant


class TenantSerializer(serializers.ModelSerializer[Tenant]):
    host = serializers.SerializerMethodField()

    class Meta:
        model = Tenant
        fields = ["id", "slug", "name", "kind", "status", "schema_name", "host", "created_at"]
        read_only_fields = fields

    def get_host(self, tenant: Tenant) -> str:
        # Reads the prefetched domains: one query for the whole page.
        return next((d.domain for d in tenant.domains.all() if d.is_primary), "")


class TenantStatusChangeSerializer(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=Tenant.Status.choices)
    reason = serializers.CharField(max_length=1000)
