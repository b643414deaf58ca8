"""Tariff schedules approved by the State Chancellery (R2; seed 000 Annex 1 §13.1).

A schedule (its code is what contracts point to) has numbered versions. AGE drafts a version
and submits it; the Chancellery approves it with its decision or returns it with comments. An
approved version is frozen: a change is a new version copied from it.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

CURRENCY = "MDL"


class TariffSchedule(models.Model):
    code = models.CharField(_("cod"), max_length=32, unique=True)
    name = models.CharField(_("denumire"), max_length=255)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class TariffScheduleVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Proiect")
        SUBMITTED = "submitted", _("Transmisă spre aprobare")
        RETURNED = "returned", _("Returnată")
        APPROVED = "approved", _("Aprobată")

    class Vat(models.TextChoices):
        EXEMPT = "exempt", _("Scutit de TVA")
        EXCLUDED = "excluded", _("Prețuri fără TVA (TVA se adaugă)")
        INCLUDED = "included", _("Prețuri cu TVA inclus")

    # Only these statuses may be edited; an approved version never changes.
    EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})

    schedule = models.ForeignKey(TariffSchedule, on_delete=models.PROTECT,
                                 related_name="versions")
    number = models.PositiveIntegerField(_("versiunea"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    effective_from = models.DateField(_("în vigoare de la"))
    # The last day in force (inclusive); none: until a later version replaces it.
    effective_to = models.DateField(_("în vigoare până la"), null=True, blank=True)
    currency = models.CharField(max_length=3, default=CURRENCY, editable=False)
    vat_treatment = models.CharField(_("regimul TVA"), max_length=16, choices=Vat.choices,
                                     default=Vat.EXEMPT)
    vat_rate = models.DecimalField(_("cota TVA (%)"), max_digits=5, decimal_places=2,
                                   null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    # The Chancellery's decision that approved this version.
    decision_number = models.CharField(_("numărul deciziei"), max_length=64, blank=True)
    decision_date = models.DateField(_("data deciziei"), null=True, blank=True)
    decision_document = models.FileField(upload_to="tariffs/%Y/", blank=True)
    decision_document_name = models.CharField(max_length=255, blank=True)
    decision_sha256 = models.CharField(max_length=64, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["schedule__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "number"],
                                    name="tariff_version_number_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F(
                    "effective_from")), name="tariff_version_period_ordered"),
            models.CheckConstraint(
                condition=Q(vat_treatment="exempt", vat_rate__isnull=True)
                | Q(~Q(vat_treatment="exempt"), vat_rate__gte=0, vat_rate__lte=100),
                name="tariff_version_vat_rate"),
            models.CheckConstraint(
                condition=~Q(status="approved") | (~Q(decision_number="")
                                                  & Q(decision_date__isnull=False)
                                                  & ~Q(decision_sha256="")),
                name="tariff_version_approved_has_decision"),
        ]

    def __str__(self) -> str:
        return f"{self.schedule.code} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None
                                               or day <= self.effective_to)


class TariffComponent(models.Model):
    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription", _("Abonament lunar per spațiu")
        SEAT = "seat", _("Loc de operator pe lună (proporțional cu zilele active)")
        TICKET = "ticket", _("Solicitare tratată")
        CALL_MINUTE = "call_minute", _("Minut de apel")
        STORAGE_GB_MONTH = "storage_gb_month", _("GB-lună de stocare peste limita inclusă")

    version = models.ForeignKey(TariffScheduleVersion, on_delete=models.CASCADE,
                                related_name="components")
    kind = models.CharField(_("componenta"), max_length=24, choices=Kind.choices)
    unit_price = models.DecimalField(_("preț unitar (MDL)"), max_digits=14, decimal_places=4)
    # Storage only: the GB included each month before the price applies.
    allowance_gb = models.DecimalField(_("stocare inclusă (GB)"), max_digits=12,
                                       decimal_places=4, default=Decimal("0"))
    # Applied to the unit price for hub tenants (1 = the same price).
    hub_multiplier = models.DecimalField(_("coeficient pentru hub"), max_digits=8,
                                         decimal_places=4, default=Decimal("1"))

    class Meta:
        ordering = ["version", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "kind"], name="tariff_component_kind_once"),
            models.CheckConstraint(condition=Q(unit_price__gte=0),
                                   name="tariff_component_price_not_negative"),
            models.CheckConstraint(condition=Q(allowance_gb__gte=0),
                                   name="tariff_component_allowance_not_negative"),
            models.CheckConstraint(condition=Q(hub_multiplier__gte=0),
                                   name="tariff_component_hub_multiplier_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.kind}"

    def unit_price_for(self, *, is_hub: bool) -> Decimal:
        """The unit price a tenant pays (4 places, half up like every figure of a statement):
        the hub modifier applies to hubs only."""
        price = self.unit_price * self.hub_multiplier if is_hub else self.unit_price
        return price.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


class TariffVersionReturn(models.Model):
    """One return of a submitted version by the Chancellery, with its comments (the history)."""

    version = models.ForeignKey(TariffScheduleVersion, on_delete=models.CASCADE,
                                related_name="returns")
    comments = models.TextField(_("observații"))
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    returned_at = models.DateTimeField()

    class Meta:
        ordering = ["returned_at", "id"]

    def __str__(self) -> str:
        return f"{self.version} {self.returned_at:%Y-%m-%d}"
