"""What the platform tells the tenant's people about their tickets: SLA warnings and breaches,
a level's deadline missed, a ticket assigned to them or escalated to their team.

Kept in the tenant's schema, next to the tickets they name. The text is written once, when the
notification is made, in the platform's language (the e-mail copy says the same).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sgsc.tenant_apps.public_refs import ON_PUBLIC_DELETE


class Notification(models.Model):
    class Kind(models.TextChoices):
        SLA_WARNING = "sla_warning", _("Termen aproape de expirare")
        SLA_BREACH = "sla_breach", _("Termen depășit")
        LEVEL_BREACH = "level_breach", _("Termenul nivelului depășit")
        ASSIGNED = "assigned", _("Solicitare repartizată")
        ESCALATED_TO_YOU = "escalated_to_you", _("Solicitare escaladată către echipa dvs.")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=ON_PUBLIC_DELETE,
                                  related_name="+", verbose_name=_("destinatar"))
    kind = models.CharField(_("tip"), max_length=20, choices=Kind.choices)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+", verbose_name=_("solicitare"))
    title = models.CharField(_("titlu"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("primită la"))
    read_at = models.DateTimeField(_("citită la"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One unread notice of a kind per person and ticket: a repeated event waits in
            # the one already there (``services.notification_send``).
            models.UniqueConstraint(fields=["recipient", "kind", "ticket"],
                                    condition=Q(read_at__isnull=True, ticket__isnull=False),
                                    name="notifications_one_unread_per_ticket"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"],
                         name="notifications_by_recipient"),
            models.Index(fields=["recipient", "-created_at", "-id"],
                         condition=Q(read_at__isnull=True), name="notifications_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
