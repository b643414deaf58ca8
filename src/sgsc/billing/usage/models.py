"""Usage records: one per tenant, day and metric (public schema), never overwritten.

A late correction is an ``adjustment`` record holding the difference, linked to the original it
corrects; the effective quantity of a day is the original plus its adjustments.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    SEATS = "seats", _("Locuri de operator active")
    STORAGE_GB = "storage_gb", _("Stocare (GB)")
    TICKETS_HANDLED = "tickets_handled", _("Solicitări tratate")
    CALL_MINUTES = "call_minutes", _("Minute de apel")


# A month's total is the sum of its daily records: for seats and storage that is seat-days and
# GB-days (what the statement divides by the days of the month), never seats or GB.
MONTH_TOTAL_LABELS = {
    Metric.SEATS: _("Locuri de operator (loc-zile)"),
    Metric.STORAGE_GB: _("Stocare (GB-zile)"),
    Metric.TICKETS_HANDLED: _("Solicitări tratate"),
    Metric.CALL_MINUTES: _("Minute de apel"),
}


class UsageRecord(models.Model):
    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Măsurare")
        ADJUSTMENT = "adjustment", _("Corecție")

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT,
                               related_name="usage_records")
    day = models.DateField(_("ziua"))
    metric = models.CharField(_("indicator"), max_length=24, choices=Metric.choices)
    # An adjustment holds the difference to add to what was recorded before.
    quantity = models.DecimalField(_("cantitate"), max_digits=18, decimal_places=6)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ORIGINAL)
    adjusts = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="adjustments")
    reason = models.TextField(_("motivul corecției"), blank=True)
    # What the figure was computed from (membership ids, byte counts, the meter's version...).
    source = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["tenant_id", "day", "metric", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day", "metric"],
                                    condition=Q(kind="original"),
                                    name="usage_record_original_once"),
            models.CheckConstraint(
                condition=(Q(kind="original", adjusts__isnull=True)
                           | Q(kind="adjustment", adjusts__isnull=False) & ~Q(reason="")),
                name="usage_record_adjustment_linked"),
        ]
        indexes = [models.Index(fields=["day", "tenant"], name="usage_record_day_tenant")]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.day} {self.metric} {self.quantity}"
