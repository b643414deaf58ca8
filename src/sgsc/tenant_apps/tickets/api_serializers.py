"""Tickets over the API: what is shown and what is accepted.

Input serializers check types and ranges only (an id is a positive 64-bit number, a moment is
ISO 8601); meaning (an unknown service, a title too long, a transition not allowed) is the
services' business, refused with their stable codes.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sgsc.shared_apps.identity.models import User
from sgsc.tenant_apps.catalog.models import Priority, Service
from sgsc.tenant_apps.sla.clock import WorkingTime
from sgsc.tenant_apps.sla.selectors import SlaFigure, sla_figure
from sgsc.tenant_apps.tickets.lifecycle import TRANSITIONS, allowed_actions
from sgsc.tenant_apps.tickets.models import Contact, JournalEntry, Ticket
from sgsc.tenant_apps.tickets.queues import QUEUE_LABELS, QueueName, queue_count_label

MAX_ID = 2**63 - 1


def object_id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# --- shown ------------------------------------------------------------------------------------


class NamedSerializer(serializers.Serializer[Any]):
    """A reference to a category, institution, team or queue."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class PrioritySerializer(serializers.ModelSerializer[Priority]):
    class Meta:
        model = Priority
        fields = ["id", "code", "name", "rank"]
        read_only_fields = fields


class ServiceRefSerializer(serializers.ModelSerializer[Service]):
    class Meta:
        model = Service
        fields = ["id", "code", "name"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer[User]):
    full_name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "full_name", "email"]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer[Contact]):
    class Meta:
        model = Contact
        fields = ["id", "kind", "name", "idnp", "idno", "email", "phone"]
        read_only_fields = fields


class SlaFigureSerializer(serializers.Serializer[SlaFigure]):
    """The one SLA figure of the ticket (the same on every page, queue and report)."""

    state = serializers.ChoiceField(
        choices=["running", "warning", "breached", "paused", "stopped"], read_only=True)
    elapsed_minutes = serializers.IntegerField(read_only=True,
                                               help_text="Minute lucrătoare consumate.")
    target_minutes = serializers.IntegerField(read_only=True)
    remaining_minutes = serializers.IntegerField(
        read_only=True, help_text="Minute lucrătoare rămase; negativ după depășire.")
    percent = serializers.IntegerField(read_only=True)
    due_at = serializers.DateTimeField(read_only=True, allow_null=True)


class SlaContext:
    """The clock and the moment, read once per response, for every ticket's figure."""

    def __init__(self, *, now: datetime, clock: WorkingTime, warning_percent: int) -> None:
        self.now, self.clock, self.warning_percent = now, clock, warning_percent

    def figure(self, ticket: Ticket) -> SlaFigure:
        return sla_figure(ticket=ticket, now=self.now, clock=self.clock,
                          warning_percent=self.warning_percent)


class TicketSerializer(serializers.ModelSerializer[Ticket]):
    """A ticket in a list. Needs ``context["sla"]`` (a ``SlaContext``)."""

    status = serializers.ChoiceField(choices=Ticket.Status.choices, read_only=True)
    channel = serializers.ChoiceField(choices=Ticket.Channel.choices, read_only=True)
    contact = ContactSerializer(read_only=True)
    priority = PrioritySerializer(read_only=True)
    service = ServiceRefSerializer(read_only=True, allow_null=True)
    category = NamedSerializer(read_only=True, allow_null=True)
    institution = NamedSerializer(read_only=True, allow_null=True)
    queue = NamedSerializer(read_only=True, allow_null=True)
    team = NamedSerializer(read_only=True, allow_null=True)
    assignee = PersonSerializer(read_only=True, allow_null=True)
    sla = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = ["id", "number", "channel", "status", "level", "subject", "title", "contact",
                  "priority", "service", "category", "institution", "queue", "team",
                  "assignee", "created_at", "updated_at", "resolution_due_at", "sla"]
        read_only_fields = fields

    @cached_property
    def _sla_serializer(self) -> SlaFigureSerializer:
        # One for all the rows of a list: building a serializer per row costs more than
        # the figure itself.
        return SlaFigureSerializer()

    @extend_schema_field(SlaFigureSerializer)
    def get_sla(self, ticket: Ticket) -> dict[str, Any]:
        figure: SlaFigure = self.context["sla"].figure(ticket)
        return dict(self._sla_serializer.to_representation(figure))


class ActionSerializer(serializers.Serializer[Any]):
    action = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]  # a field


class TicketDetailSerializer(TicketSerializer):
    """One ticket with what the person may do with it now. Needs ``context["access"]``."""

    allowed_actions = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "description", "impact", "urgency",
                  "response_due_at", "level_due_at", "deadline_fixed", "first_responded_at",
                  "resolved_at", "closed_at", "archived_at", "journal_length",
                  "allowed_actions"]
        read_only_fields = fields

    @extend_schema_field(ActionSerializer(many=True))
    def get_allowed_actions(self, ticket: Ticket) -> list[dict[str, str]]:
        actions = allowed_actions(ticket=ticket, capabilities=self.context["access"].capabilities)
        return [{"action": action.value, "label": str(TRANSITIONS[action].label)}
                for action in actions]


class TicketPageSerializer(serializers.Serializer[Any]):
    next = serializers.URLField(allow_null=True, read_only=True)
    previous = serializers.URLField(allow_null=True, read_only=True)
    results = TicketSerializer(many=True, read_only=True)


class JournalEntrySerializer(serializers.ModelSerializer[JournalEntry]):
    kind = serializers.ChoiceField(choices=JournalEntry.Kind.choices, read_only=True)
    visibility = serializers.ChoiceField(choices=JournalEntry.Visibility.choices,
                                         read_only=True)
    annuls = serializers.SerializerMethodField(help_text="seq al înregistrării anulate")
    annulled_by = serializers.SerializerMethodField(
        help_text="seq al corectării care a anulat această înregistrare; null: valabilă")

    class Meta:
        model = JournalEntry
        fields = ["seq", "at", "kind", "visibility", "actor", "actor_label", "changes", "body",
                  "reason", "annuls", "annulled_by"]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_annuls(self, entry: JournalEntry) -> int | None:
        return entry.annuls.seq if entry.annuls is not None else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_annulled_by(self, entry: JournalEntry) -> int | None:
        # Prefetched by ``ticket_journal``: no query per entry.
        corrections = list(entry.annulled_by.all())
        return corrections[0].seq if corrections else None


class AsOfSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField(read_only=True)
    registered = serializers.BooleanField(
        read_only=True, help_text="false: solicitarea nu era încă înregistrată la acel moment")
    values = serializers.DictField(read_only=True,
                                   help_text="Câmpurile urmărite de jurnal, cum erau atunci.")


class QueueCountSerializer(serializers.Serializer[Any]):
    queue = serializers.ChoiceField(choices=[q.value for q in QueueName], read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]  # a field
    count = serializers.IntegerField(
        read_only=True, help_text="Numărul, numărat până la plafon; peste plafon: plafon + 1.")
    display = serializers.CharField(read_only=True, help_text="De afișat, de ex. „1000+”.")


def queue_count_rows(counts: dict[QueueName, int]) -> list[dict[str, Any]]:
    return [{"queue": queue.value, "label": str(QUEUE_LABELS[queue]), "count": count,
             "display": queue_count_label(count)} for queue, count in counts.items()]


# --- accepted ---------------------------------------------------------------------------------


def _text(**kwargs: Any) -> serializers.CharField:
    # Lengths are the services' (codes required / too_long); blank is theirs to refuse.
    return serializers.CharField(allow_blank=True, trim_whitespace=False, **kwargs)


class RequesterSerializer(serializers.Serializer[Any]):
    name = _text(required=False, default="")
    idnp = _text(required=False, default="")
    idno = _text(required=False, default="")
    email = _text(required=False, default="")
    phone = _text(required=False, default="")


class TicketCreateSerializer(serializers.Serializer[Any]):
    channel = _text(help_text="phone, email, portal sau chat")
    title = _text()
    description = _text(required=False, default="")
    subject = _text(required=False, default="")
    requester = RequesterSerializer()
    service = object_id(required=False, allow_null=True, default=None,
                        help_text="id-ul serviciului (sau service_code)")
    service_code = _text(required=False, default="", help_text="codul serviciului din catalog")
    category = object_id(required=False, allow_null=True, default=None)
    institution = object_id(required=False, allow_null=True, default=None)
    impact = serializers.IntegerField(required=False, default=2,
                                      help_text="1 (mare) - 3 (mic)")
    urgency = serializers.IntegerField(required=False, default=2,
                                       help_text="1 (mare) - 3 (mică)")


class TicketUpdateSerializer(serializers.Serializer[Any]):
    """The fields a data update may change (``services.UPDATABLE``); left out: unchanged."""

    subject = _text(required=False)
    title = _text(required=False)
    description = _text(required=False)
    service = object_id(required=False, allow_null=True, source="service_id")
    category = object_id(required=False, allow_null=True, source="category_id")
    institution = object_id(required=False, allow_null=True, source="institution_id")
    queue = object_id(required=False, allow_null=True, source="queue_id")
    team = object_id(required=False, allow_null=True, source="team_id")
    impact = serializers.IntegerField(required=False)
    urgency = serializers.IntegerField(required=False)


class TicketPatchSerializer(TicketUpdateSerializer):
    reason = _text(required=False, default="")


class TransitionSerializer(serializers.Serializer[Any]):
    reason = _text(required=False, default="")
    level = serializers.IntegerField(required=False,
                                     help_text="Doar la escaladare: nivelul următor.")
    team = object_id(required=False, allow_null=True, default=None,
                     help_text="Doar la escaladare: echipa nivelului.")
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                       help_text="Doar la escaladare: termenul nivelului.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("team") is not None or attrs.get("due_at") is not None) \
                and "level" not in attrs:
            raise serializers.ValidationError(
                {"level": [_("Indicați nivelul escaladării.")]})
        return attrs


class ReplySerializer(serializers.Serializer[Any]):
    body = _text()
    public = serializers.BooleanField(help_text="true: răspuns către solicitant; "
                                                "false: notă internă")


class AssignSerializer(serializers.Serializer[Any]):
    assignee = object_id(allow_null=True, help_text="id-ul persoanei; null: fără operator")


class DeadlineSerializer(serializers.Serializer[Any]):
    due_at = serializers.DateTimeField()
    reason = _text()


class CorrectionSerializer(serializers.Serializer[Any]):
    changes = serializers.DictField(help_text="Câmpurile de corectat, ca la PATCH.")
    reason = _text()
