from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sgsc.provisioning.onboarding.models import ProvisioningStep
from sgsc.shared_apps.institutions.models import HubAmendment, HubMembership
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


class ProvisioningStepSerializer(serializers.ModelSerializer[ProvisioningStep]):
    class Meta:
        model = ProvisioningStep
        fields = ["name", "state", "started_at", "finished_at", "error"]
        read_only_fields = fields


class TenantDetailSerializer(TenantSerializer):
    """One tenant with its contract's hand-over deadline and its provisioning steps; the view
    passes the contract and the job in the context (``contract``, ``job``)."""

    contract_number = serializers.SerializerMethodField()
    handover_deadline = serializers.SerializerMethodField()
    handed_over_at = serializers.SerializerMethodField()
    provisioning_status = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()

    class Meta(TenantSerializer.Meta):
        fields = [*TenantSerializer.Meta.fields, "contract_number", "handover_deadline",
                  "handed_over_at", "provisioning_status", "steps"]
        read_only_fields = fields

    def get_contract_number(self, tenant: Tenant) -> str | None:
        contract = self.context.get("contract")
        return contract.number if contract is not None else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_handover_deadline(self, tenant: Tenant) -> Any:
        contract = self.context.get("contract")
        deadline = contract.handover_deadline if contract is not None else None
        return serializers.DateTimeField().to_representation(deadline) if deadline else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_handed_over_at(self, tenant: Tenant) -> Any:
        contract = self.context.get("contract")
        moment = contract.handed_over_at if contract is not None else None
        return serializers.DateTimeField().to_representation(moment) if moment else None

    def get_provisioning_status(self, tenant: Tenant) -> str | None:
        job = self.context.get("job")
        return str(job.status) if job is not None else None

    @extend_schema_field(ProvisioningStepSerializer(many=True))
    def get_steps(self, tenant: Tenant) -> list[dict[str, Any]]:
        job = self.context.get("job")
        if job is None:
            return []
        return list(ProvisioningStepSerializer(job.steps.all(), many=True).data)


class TenantStatusChangeSerializer(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=Tenant.Status.choices)
    reason = serializers.CharField(max_length=1000)
    legal_basis = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="",
        help_text="Temeiul legal; obligatoriu pentru suspendare și încetare.")


class HubMembershipSerializer(serializers.ModelSerializer[HubMembership]):
    idno = serializers.CharField(source="institution.idno", read_only=True)
    name = serializers.CharField(source="institution.name", read_only=True)
    joined_by = serializers.CharField(source="joined_by.number", read_only=True,
                                      allow_null=True, default=None)
    left_by = serializers.CharField(source="left_by.number", read_only=True, allow_null=True,
                                    default=None)

    class Meta:
        model = HubMembership
        fields = ["id", "idno", "name", "joined_at", "joined_by", "left_at", "left_by"]
        read_only_fields = fields


class HubAmendmentInputSerializer(serializers.Serializer[None]):
    number = serializers.CharField(max_length=64)
    signed_on = serializers.DateField()
    add_idnos = serializers.ListField(child=serializers.CharField(max_length=13),
                                      required=False, default=list)
    remove_idnos = serializers.ListField(child=serializers.CharField(max_length=13),
                                         required=False, default=list)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                 default="")


class HubAmendmentSerializer(serializers.ModelSerializer[HubAmendment]):
    added = serializers.SerializerMethodField()
    removed = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()

    class Meta:
        model = HubAmendment
        fields = ["id", "number", "signed_on", "note", "recorded_at", "added", "removed",
                  "members"]
        read_only_fields = fields

    def get_added(self, amendment: HubAmendment) -> list[str]:
        return [m.institution.idno for m in amendment.joined.select_related("institution")]

    def get_removed(self, amendment: HubAmendment) -> list[str]:
        return [m.institution.idno for m in amendment.left.select_related("institution")]

    @extend_schema_field(HubMembershipSerializer(many=True))
    def get_members(self, amendment: HubAmendment) -> list[dict[str, Any]]:
        members = self.context.get("members", [])
        return list(HubMembershipSerializer(members, many=True).data)
