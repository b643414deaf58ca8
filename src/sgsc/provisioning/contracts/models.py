"""Connection contracts (Annex 1 §9-11), made from a versioned standard contract."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractTemplate(models.Model):
    """One version of AGE's standard contract. A used version never changes: edits are new
    versions."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(_("titlu"), max_length=255)
    body = models.TextField(_("text (șablon Django)"))
    effective_from = models.DateField(_("aplicabil de la"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} {self.title}"


class ContractNumberCounter(models.Model):
    """Last contract number given in a year; locked while a number is taken (no gaps)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Contract(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Proiect")
        SIGNED = "signed", _("Semnat")
        ACTIVE = "active", _("În vigoare")
        SUSPENDED = "suspended", _("Suspendat")
        TERMINATED = "terminated", _("Reziliat")
        EXPIRED = "expired", _("Expirat")
        # A draft given up before signature (its request is closed with it).
        CANCELLED = "cancelled", _("Anulat")

    number = models.CharField(_("număr"), max_length=16, unique=True)
    request = models.OneToOneField("connection_requests.ConnectionRequest",
                                   on_delete=models.PROTECT, related_name="contract")
    template = models.ForeignKey(ContractTemplate, on_delete=models.PROTECT,
                                 related_name="contracts")
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT,
                                    related_name="contracts")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="contracts")
    tenant_slug = models.SlugField(_("identificatorul spațiului"), max_length=42)
    services = ArrayField(models.CharField(max_length=255))
    channels = ArrayField(models.CharField(max_length=16))
    tariff_schedule = models.ForeignKey("tariffs.TariffSchedule", on_delete=models.PROTECT,
                                        related_name="contracts",
                                        verbose_name=_("grila tarifară"))
    effective_date = models.DateField(_("data intrării în vigoare"), null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(_("durata (luni)"), default=36)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    handover_deadline = models.DateTimeField(_("termen de predare a accesului"), null=True,
                                             blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="+")
    # The last status change after signature (suspension, termination, expiry) and why.
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(_("motivul"), blank=True)
    status_legal_basis = models.CharField(_("temeiul legal"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "handover_deadline"],
                                name="contract_status_handover")]

    def __str__(self) -> str:
        return self.number

    @property
    def tariff_code(self) -> str:
        """The schedule's code (what stored contract-template bodies print)."""
        return str(self.tariff_schedule.code)


class ContractSignature(models.Model):
    class Party(models.TextChoices):
        AGE = "age", _("AGE")
        PROVIDER = "provider", _("Prestatorul")

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="signatures")
    party = models.CharField(max_length=16, choices=Party.choices)
    signer_name = models.CharField(_("semnatar"), max_length=255)
    signer_position = models.CharField(_("funcția"), max_length=255)
    signed_at = models.DateTimeField()
    # Both parties' rows point to the same stored file (one signed document).
    document = models.FileField(upload_to="contracts/%Y/")
    document_name = models.CharField(max_length=255, blank=True)
    document_size = models.PositiveIntegerField(default=0)
    # False: no scan was uploaded and the platform's own rendering is the signed document.
    document_uploaded = models.BooleanField(default=False)
    sha256 = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "party"], name="contract_one_per_party"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} / {self.party}"
