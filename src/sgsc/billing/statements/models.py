"""Monthly statements per contract, their lines, credit notes and hub allocations.

An issued statement is never edited: voiding it issues a credit note (a statement of kind
``credit_note`` with the same lines negated). Every line names the tariff version, the period
it covers and the usage records it summed, so each figure can be traced to what produced it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class StatementNumberCounter(models.Model):
    """Last statement number given in a year (S-YYYY-NNNNNN); locked while taken (no gaps)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class CreditNoteNumberCounter(models.Model):
    """Last credit note number given in a year (CN-YYYY-NNNNNN)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class AllocationKey(models.TextChoices):
    EQUAL = "equal", _("În părți egale")
    TICKETS = "tickets", _("După solicitările tratate")
    SEATS = "seats", _("După locurile de operator")


class HubAllocationKey(models.Model):
    """How a hub's cost is shared among its member institutions, per hub agreement (the key
    lives here so the registry's models stay as they are; no row means equal shares)."""

    agreement = models.OneToOneField("institutions.HubAgreement", on_delete=models.PROTECT,
                                     related_name="allocation_key")
    key = models.CharField(_("cheia de repartizare"), max_length=16,
                           choices=AllocationKey.choices, default=AllocationKey.EQUAL)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.key}"


class Statement(models.Model):
    class Kind(models.TextChoices):
        STATEMENT = "statement", _("Decont")
        CREDIT_NOTE = "credit_note", _("Notă de credit")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Proiect")
        ISSUED = "issued", _("Emis")
        VOID = "void", _("Anulat")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.STATEMENT)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    # Given when issued, so a discarded draft leaves no gap.
    number = models.CharField(_("număr"), max_length=20, blank=True)
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT,
                                 related_name="statements")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT,
                               related_name="statements")
    month = models.DateField(_("luna"))  # its first day
    period_start = models.DateField()  # the days of the month the contract was in force
    period_end = models.DateField()
    credits = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="credit_notes")
    currency = models.CharField(max_length=3, default="MDL")
    net_amount = models.DecimalField(_("valoare fără TVA"), max_digits=14, decimal_places=2)
    vat_amount = models.DecimalField(_("TVA"), max_digits=14, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    allocation_key = models.CharField(max_length=16, choices=AllocationKey.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    void_reason = models.TextField(_("motivul anulării"), blank=True)

    class Meta:
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "month"],
                                    condition=Q(kind="statement", status__in=["draft", "issued"]),
                                    name="statement_one_live_per_month"),
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""),
                                    name="statement_number_unique"),
            models.CheckConstraint(condition=Q(status="draft", number="")
                                   | ~Q(status="draft") & ~Q(number=""),
                                   name="statement_numbered_when_issued"),
            models.CheckConstraint(condition=Q(kind="statement", credits__isnull=True)
                                   | Q(kind="credit_note", credits__isnull=False),
                                   name="statement_credit_note_links"),
        ]
        indexes = [models.Index(fields=["month", "status"], name="statement_month_status")]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    component = models.CharField(max_length=24)  # TariffComponent.Kind
    version = models.ForeignKey("tariffs.TariffScheduleVersion", on_delete=models.PROTECT,
                                related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    quantity = models.DecimalField(max_digits=18, decimal_places=6)
    unit = models.CharField(max_length=32)
    # The unit price charged (the hub multiplier already applied) and the multiplier itself.
    unit_price = models.DecimalField(max_digits=14, decimal_places=4)
    hub_multiplier = models.DecimalField(max_digits=8, decimal_places=4)
    amount = models.DecimalField(max_digits=14, decimal_places=2)  # quantity x unit price
    vat_treatment = models.CharField(max_length=16)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    net_amount = models.DecimalField(max_digits=14, decimal_places=2)
    vat_amount = models.DecimalField(max_digits=14, decimal_places=2)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    # How the quantity was obtained (seat-days, GB-days, allowance...).
    basis = models.JSONField(default=dict)
    usage_record_ids = ArrayField(models.BigIntegerField(), default=list)

    class Meta:
        ordering = ["statement_id", "position"]

    def __str__(self) -> str:
        return f"{self.statement_id}/{self.position} {self.component}"


class StatementAllocation(models.Model):
    """A hub member institution's share of the statement's total (exact to the ban)."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE,
                                  related_name="allocations")
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT,
                                    related_name="+")
    weight = models.DecimalField(max_digits=18, decimal_places=6)
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["statement_id", "institution__name"]
        constraints = [models.UniqueConstraint(fields=["statement", "institution"],
                                               name="statement_allocation_once")]

    def __str__(self) -> str:
        return f"{self.statement_id} {self.institution_id} {self.amount}"
