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
        domain = tenant.get_primary_domain()
        return domain.domain if domain is not None else ""


class TenantStatusChangeSerializer(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=Tenant.Status.choices)
    reason = serializers.CharField(max_length=1000)
