"""Cross-tenant data exchange (R8; R5, Annex 1 §18.4/§18.10), in the public schema.

An ``Exchange`` is one hand-over between two tenants: today an L2's escalation to an L3 team
that belongs to another tenant. It keeps the minimised payload sent, where it went and what
became of it; neither tenant ever reads the other's schema, only this row moves between them.
``ExchangeEvent`` is the trace of every crossing, append-only (PostgreSQL refuses UPDATE,
DELETE and TRUNCATE, migration 0002), each with the SHA-256 of what crossed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Exchange(models.Model):
    class Kind(models.TextChoices):
        L3_ESCALATION = "l3_escalation", _("Escaladare la nivelul 3")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Cerută")
        DELIVERED = "delivered", _("Înregistrată la destinatar")
        ANSWERED = "answered", _("Cu răspuns")
        RESOLVED = "resolved", _("Soluționată de destinatar")
        RETURNED = "returned", _("Returnată de destinatar")
        FAILED = "failed", _("Eșuată")

    # Still running: one at most per source ticket.
    OPEN_STATUSES = (Status.REQUESTED, Status.DELIVERED, Status.ANSWERED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("tip"), max_length=20, choices=Kind.choices,
                            default=Kind.L3_ESCALATION)
    source_tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("expeditor"))
    # Ids inside the tenants' own schemas: no foreign key can cross schemas.
    source_ticket_id = models.BigIntegerField()
    source_ticket_number = models.CharField(_("solicitarea expeditorului"), max_length=32)
    target_tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("destinatar"))
    target_ticket_id = models.BigIntegerField(null=True, blank=True)
    target_ticket_number = models.CharField(_("solicitarea destinatarului"), max_length=32,
                                            blank=True)
    status = models.CharField(_("stare"), max_length=10, choices=Status.choices,
                              default=Status.REQUESTED)
    failure_reason = models.CharField(_("motivul eșecului"), max_length=500, blank=True)

    # The payload sent, minimised to what L3 needs (see ``services.exchange_payload``).
    channel = models.CharField(_("canal"), max_length=10)
    title = models.CharField(_("titlu"), max_length=255)
    description = models.TextField(_("descriere"), blank=True)
    reason = models.CharField(_("motivul escaladării"), max_length=500)
    service_code = models.CharField(_("cod serviciu"), max_length=40, blank=True)
    service_name = models.CharField(_("serviciu"), max_length=255, blank=True)
    requester_kind = models.CharField(_("tip solicitant"), max_length=10)
    requester_name = models.CharField(_("solicitant"), max_length=255, blank=True)
    requester_idno = models.CharField("IDNO", max_length=13, blank=True)
    impact = models.PositiveSmallIntegerField(_("impact"))
    urgency = models.PositiveSmallIntegerField(_("urgență"))
    # The originating level's deadline: the source keeps it, the target gets it fixed.
    level_due_at = models.DateTimeField(_("termenul nivelului"), null=True, blank=True)
    payload_sha256 = models.CharField(max_length=64)

    # The last entry of the target ticket's journal already looked at for answers.
    relayed_seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("creată la"))
    updated_at = models.DateTimeField(_("modificată la"))

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_tenant", "source_ticket_id"],
                                    condition=Q(status__in=["requested", "delivered", "answered"]),
                                    name="exchange_one_open_per_source_ticket"),
            models.UniqueConstraint(fields=["target_tenant", "target_ticket_id"],
                                    condition=Q(target_ticket_id__isnull=False),
                                    name="exchange_one_per_target_ticket"),
        ]
        indexes = [
            models.Index(fields=["source_tenant", "-created_at"], name="exchange_by_source"),
            models.Index(fields=["target_tenant", "-created_at"], name="exchange_by_target"),
            models.Index(fields=["-created_at"], name="exchange_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.source_ticket_number} → {self.target_ticket_number or '…'}"


class ExchangeEvent(models.Model):
    """One crossing (or failed attempt): who, when, which way, and the hash of what crossed.
    Append-only (trigger in migration 0002)."""

    class Direction(models.TextChoices):
        TO_TARGET = "to_target", _("Către destinatar")
        TO_SOURCE = "to_source", _("Către expeditor")

    class Action(models.TextChoices):
        REQUESTED = "requested", _("Cerere de escaladare")
        DELIVERED = "delivered", _("Înregistrată la destinatar")
        FAILED = "failed", _("Transmitere eșuată")
        REPLY = "reply", _("Răspuns")
        RESOLVED = "resolved", _("Soluționare")
        RETURNED = "returned", _("Returnare")

    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("momentul"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    actor_label = models.CharField(_("autor"), max_length=255, blank=True)
    direction = models.CharField(_("sens"), max_length=10, choices=Direction.choices)
    action = models.CharField(_("acțiune"), max_length=10, choices=Action.choices)
    # SHA-256 of the canonical JSON of what crossed; empty when nothing did (a failure).
    payload_sha256 = models.CharField(max_length=64, blank=True)
    summary = models.CharField(_("rezumat"), max_length=500)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["exchange", "at"], name="exchange_event_order")]

    def __str__(self) -> str:
        return f"{self.exchange_id} {self.action}"
