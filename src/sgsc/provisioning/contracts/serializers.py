from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sgsc.provisioning.contracts.models import Contract, ContractSignature
from sgsc.provisioning.contracts.selectors import contract_handover_clock
from sgsc.provisioning.requests.models import Channel


class ContractSignatureSerializer(serializers.ModelSerializer[ContractSignature]):
    class Meta:
        model = ContractSignature
        fields = ["party", "signer_name", "signer_position", "signed_at", "sha256",
                  "document_name", "document_size", "document_uploaded"]
        read_only_fields = fields


class ContractInstitutionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    idno = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class ContractSerializer(serializers.ModelSerializer[Contract]):
    institution = ContractInstitutionSerializer(read_only=True)
    request = serializers.IntegerField(source="request_id", read_only=True)
    request_number = serializers.CharField(source="request.number", read_only=True)
    template_version = serializers.IntegerField(source="template.version", read_only=True)
    tenant = serializers.CharField(source="tenant.slug", read_only=True, allow_null=True,
                                   default=None)
    signatures = ContractSignatureSerializer(many=True, read_only=True)
    handover_state = serializers.SerializerMethodField()
    handover_working_days_left = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = ["id", "number", "status", "request", "request_number", "institution",
                  "template_version", "tenant_slug", "tenant", "services", "channels",
                  "tariff_code", "effective_date", "term_months", "signed_at",
                  "handover_deadline", "handover_state", "handover_working_days_left",
                  "handed_over_at", "status_reason", "status_legal_basis", "signatures",
                  "pdf_url", "created_at", "updated_at"]
        read_only_fields = fields

    def _clock(self, contract: Contract) -> Any:
        cached = getattr(contract, "_handover_clock", None)
        if cached is None:
            cached = contract_handover_clock(contract=contract,
                                             calendar=self.context.get("calendar"))
            contract._handover_clock = cached  # type: ignore[attr-defined]
        return cached

    @extend_schema_field(serializers.ChoiceField(
        choices=["none", "ok", "at_risk", "late", "done", "done_late"]))
    def get_handover_state(self, contract: Contract) -> str:
        return str(self._clock(contract).state)

    @extend_schema_field(OpenApiTypes.INT)
    def get_handover_working_days_left(self, contract: Contract) -> int | None:
        days: int | None = self._clock(contract).days_left
        return days

    def get_pdf_url(self, contract: Contract) -> str:
        return reverse("contract-pdf", kwargs={"pk": contract.pk})


class ContractDraftPatchSerializer(serializers.Serializer[Any]):
    tenant_slug = serializers.CharField(max_length=42, required=False)
    tariff_code = serializers.CharField(max_length=32, required=False)
    effective_date = serializers.DateField(required=False, allow_null=True)
    term_months = serializers.IntegerField(min_value=1, max_value=120, required=False)
    services = serializers.ListField(child=serializers.CharField(max_length=255),
                                     required=False, allow_empty=False)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices),
                                     required=False, allow_empty=False)


class ContractCancelSerializer(serializers.Serializer[Any]):
    # Checked by the service (reason_required), so that the refusal is audited.
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ContractSignSerializer(serializers.Serializer[Any]):
    age_signer_name = serializers.CharField(max_length=255)
    age_signer_position = serializers.CharField(max_length=255)
    provider_signer_name = serializers.CharField(max_length=255)
    provider_signer_position = serializers.CharField(max_length=255)
    signed_document = serializers.FileField(required=False, allow_null=True,
                                            help_text="PDF semnat (cel mult 10 MB); fără el, "
                                                      "documentul semnat este cel generat de "
                                                      "platformă.")


class ContractSignJsonSerializer(serializers.Serializer[Any]):
    """The JSON form of the signature (no scan: the platform's PDF is signed)."""

    age_signer_name = serializers.CharField(max_length=255)
    age_signer_position = serializers.CharField(max_length=255)
    provider_signer_name = serializers.CharField(max_length=255)
    provider_signer_position = serializers.CharField(max_length=255)
