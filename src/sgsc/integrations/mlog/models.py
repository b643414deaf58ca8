"""The outbox: one row per audit event to ship to MLog (public schema).

A row is written in the same transaction as its audit event, so an event that commits is
always shipped and one that rolls back never is. Rows are never deleted: a sent row keeps
the identifier MLog returned, an unsent one says why it is still waiting.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MLogOutboxEntry(models.Model):
    class ErrorKind(models.TextChoices):
        NONE = "", _("Fără eroare")
        # MLog unreachable, 5xx or 429: the whole outbox waits (backoff), nothing is lost.
        UNAVAILABLE = "unavailable", _("MLog indisponibil")
        # 401/403/404: our certificate or URL is not what MLog knows; the outbox waits too.
        CONFIGURATION = "configuration", _("Configurare greșită")
        # 400 or 413 for this one event: it waits alone; the others go on.
        REJECTED = "rejected", _("Respins de MLog")

    event = models.OneToOneField("audit.AuditEvent", on_delete=models.PROTECT,
                                 related_name="+")
    # Database defaults too: the audit service adds rows with a plain INSERT (services.py).
    created_at = models.DateTimeField(default=timezone.now, db_default=Now())
    attempts = models.PositiveIntegerField(default=0, db_default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_default=Now())
    sent_at = models.DateTimeField(null=True, blank=True)
    error_kind = models.CharField(max_length=16, choices=ErrorKind.choices, blank=True,
                                  default=ErrorKind.NONE, db_default=ErrorKind.NONE)
    last_error = models.TextField(blank=True, default="", db_default="")
    # MLog answers one UID per request: every event of a batch shares it.
    mlog_id = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        ordering = ["id"]
        indexes = [
            # The queue: unsent rows, oldest first, with the due time in the index.
            models.Index(fields=["id", "next_attempt_at"], condition=Q(sent_at__isnull=True),
                         name="mlog_outbox_unsent"),
        ]

    def __str__(self) -> str:
        return f"mlog#{self.pk} event {self.event_id} {'sent' if self.sent_at else 'unsent'}"
