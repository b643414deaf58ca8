"""API shapes of connection requests. Input serializers check shape only; the services check
meaning and answer with stable codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sgsc.provisioning.requests.models import (
    Channel,
    ConnectionRequest,
    RequestDocument,
    RequestEvent,
)
from sgsc.provisioning.requests.selectors import DeadlineState
from sgsc.shared_apps.institutions.models import Institution
from sgsc.shared_apps.workdays.selectors import local_date


class LocalDateField(serializers.DateField):
    """A moment shown as its date in Europe/Chisinau (a deadline's day)."""

    def to_representation(self, value: Any) -> Any:
        if isinstance(value, datetime):
            value = local_date(value)
        return super().to_representation(value)


def _code(choices: list[tuple[str, Any]], **kwargs: Any) -> serializers.CharField:
    """Text documented as an enum but checked by the service, which answers with its own
    stable code (``invalid_mode``, ``invalid_kind``, ``invalid_channel``)."""
    field_class = extend_schema_field(serializers.ChoiceField(choices=choices))(
        type("CodeField", (serializers.CharField,), {}))
    return field_class(max_length=32, **kwargs)


def _text(max_length: int | None = None, **kwargs: Any) -> serializers.CharField:
    # Blank allowed: the service names what is missing with its own code.
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length,
                                 default="", **kwargs)


class ConnectionRequestCreateSerializer(serializers.Serializer[None]):
    institution_idno = serializers.CharField(max_length=20)
    institution_name = serializers.CharField(max_length=255)
    institution_kind = _code(Institution.Kind.choices, required=False,
                             default=Institution.Kind.OTHER)
    mode = _code(ConnectionRequest.Mode.choices)
    coordinator_idno = _text(20)
    coordinator_name = _text(255)
    members = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list,
        help_text=_("Instituțiile membre (hub): „IDNO” sau „IDNO Denumire” (denumirea doar "
                    "pentru instituțiile care nu sunt în registru)."))
    agreement_number = _text(64)
    agreement_date = serializers.DateField(required=False, allow_null=True, default=None)
    services = serializers.ListField(child=serializers.CharField(max_length=255),
                                     allow_empty=True)
    channels = serializers.ListField(child=_code(Channel.choices), allow_empty=True)
    expected_seats = serializers.IntegerField(min_value=1)
    expected_requests_month = serializers.IntegerField(min_value=0)
    expected_call_minutes = serializers.IntegerField(min_value=0, required=False, default=0)
    contact_name = serializers.CharField(max_length=255)
    contact_idnp = serializers.CharField(max_length=20)
    contact_email = serializers.CharField(max_length=254)
    contact_phone = serializers.CharField(max_length=32)
    document_application = serializers.FileField(required=False)
    document_agreement = serializers.FileField(required=False)
    document_mandate = serializers.FileField(required=False)
    document_other = serializers.ListField(child=serializers.FileField(), required=False,
                                           default=list)


class ConnectionRequestCreatedSerializer(serializers.ModelSerializer[ConnectionRequest]):
    review_deadline = LocalDateField(
        help_text=_("Ultima zi a termenului de examinare (Europe/Chisinau)."))

    class Meta:
        model = ConnectionRequest
        fields = ["id", "number", "received_at", "review_deadline", "status"]
        read_only_fields = fields


class InstitutionBriefSerializer(serializers.ModelSerializer[Institution]):
    class Meta:
        model = Institution
        fields = ["id", "idno", "name", "kind"]
        read_only_fields = fields


class ConnectionRequestSerializer(serializers.ModelSerializer[ConnectionRequest]):
    institution = InstitutionBriefSerializer(read_only=True)
    review_deadline = LocalDateField(read_only=True)
    review_deadline_at = serializers.DateTimeField(source="review_deadline", read_only=True)
    working_days_left = serializers.SerializerMethodField(
        help_text=_("Zile lucrătoare rămase: 0 în ultima zi, negativ după termen; cât rămăsese "
                    "la suspendare cât se așteaptă informații; nul după decizie."))
    deadline_state = serializers.SerializerMethodField()

    class Meta:
        model = ConnectionRequest
        fields = ["id", "number", "status", "mode", "institution", "received_at",
                  "review_deadline", "review_deadline_at", "working_days_left",
                  "deadline_state", "decided_at"]
        read_only_fields = fields

    def get_working_days_left(self, row: ConnectionRequest) -> int | None:
        return getattr(row, "working_days_left", None)

    @extend_schema_field(serializers.ChoiceField(choices=[s.value for s in DeadlineState]))
    def get_deadline_state(self, row: ConnectionRequest) -> str:
        return str(getattr(row, "deadline_state", DeadlineState.CLOSED))


class RequestDocumentSerializer(serializers.ModelSerializer[RequestDocument]):
    class Meta:
        model = RequestDocument
        fields = ["id", "kind", "original_name", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class RequestEventSerializer(serializers.ModelSerializer[RequestEvent]):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = RequestEvent
        fields = ["occurred_at", "action", "from_status", "to_status", "note", "actor",
                  "details"]
        read_only_fields = fields

    def get_actor(self, event: RequestEvent) -> str:
        return event.actor.email if event.actor is not None else ""


class ConnectionRequestDetailSerializer(ConnectionRequestSerializer):
    coordinator = InstitutionBriefSerializer(read_only=True, allow_null=True)
    members = InstitutionBriefSerializer(many=True, read_only=True)
    documents = RequestDocumentSerializer(many=True, read_only=True)
    events = RequestEventSerializer(many=True, read_only=True)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices),
                                     read_only=True)
    contract_id = serializers.SerializerMethodField()

    class Meta(ConnectionRequestSerializer.Meta):
        fields = [*ConnectionRequestSerializer.Meta.fields, "coordinator", "members",
                  "agreement_number", "agreement_date", "services", "channels",
                  "expected_seats", "expected_requests_month", "expected_call_minutes",
                  "contact_name", "contact_idnp", "contact_email", "contact_phone",
                  "decision_reasons", "decision_legal_basis", "documents", "events",
                  "contract_id"]
        read_only_fields = fields

    def get_contract_id(self, row: ConnectionRequest) -> int | None:
        contract = self.context.get("contract")
        return contract.pk if contract is not None else None


class NoBodySerializer(serializers.Serializer[None]):
    """An action that takes no input."""


class ApproveSerializer(serializers.Serializer[None]):
    note = _text()


class RejectSerializer(serializers.Serializer[None]):
    reasons = _text(help_text=_("Motivele respingerii (obligatoriu, §10)."))
    legal_basis = _text(500, help_text=_("Temeiul legal (obligatoriu)."))


class AskInfoSerializer(serializers.Serializer[None]):
    message = _text(help_text=_("Ce informații sunt necesare (obligatoriu)."))


class WithdrawSerializer(serializers.Serializer[None]):
    note = _text()


class InfoProvidedSerializer(serializers.Serializer[None]):
    note = _text()
    document_other = serializers.ListField(child=serializers.FileField(), required=False,
                                           default=list)
