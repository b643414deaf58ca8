"""The append-only, hash-chained audit log (public schema).

One chain per tenant and one for the platform, so writers in different tenants never wait
on each other's chain head. PostgreSQL refuses UPDATE and DELETE on ``AuditEvent``
(trigger in migration 0004).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PLATFORM_CHAIN = "platform"


class AuditChainHead(models.Model):
    """The last event of one chain; locked while an event is appended."""

    chain = models.CharField(max_length=63, primary_key=True)
    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"{self.chain}#{self.last_sequence}"


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Reușit")
        FAILURE = "failure", _("Eșuat")

    chain = models.CharField(max_length=63)
    sequence = models.BigIntegerField()
    occurred_at = models.DateTimeField(db_index=True)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    actor_label = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="audit_chain_sequence"),
        ]
        indexes = [models.Index(fields=["tenant", "-occurred_at"], name="audit_tenant_time")]

    def __str__(self) -> str:
        return f"{self.chain}#{self.sequence} {self.action} {self.outcome}"
