"""Provisioning jobs (named, resumable steps) and the provider admin's activation link."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Longer than the provisioning task's hard time limit (300 s) plus its retries' first backoff.
STALE_AFTER = timedelta(minutes=15)

# The steps of a job, in order, with the names shown to AGE.
STEP_LABELS = {
    "schema": _("Schema spațiului"),
    "domain": _("Adresa (domeniul)"),
    "configuration": _("Configurarea implicită"),
    "invitation": _("Invitația administratorului"),
    "access": _("Pachetul de acces"),
}


class ProvisioningJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("În așteptare")
        RUNNING = "running", _("În desfășurare")
        FAILED = "failed", _("Eșuat")
        DONE = "done", _("Finalizat")

    contract = models.OneToOneField("contracts.Contract", on_delete=models.PROTECT,
                                    related_name="provisioning_job")
    # The tenant this job created; set in the same transaction as the schema, so a resumed
    # job recognises its own tenant (the contract points to it only once it is active).
    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="provisioning_job")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"job {self.pk} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING) and not self.is_stale

    @property
    def is_stale(self) -> bool:
        """Pending or running with no progress for longer than a task may live: its worker
        was lost (hard time limit, crash), so AGE may resume it like a failed job."""
        return (self.status in (self.Status.PENDING, self.Status.RUNNING)
                and self.updated_at is not None
                and timezone.now() - self.updated_at > STALE_AFTER)

    @property
    def can_resume(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stale


class ProvisioningStep(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("În așteptare")
        RUNNING = "running", _("În desfășurare")
        FAILED = "failed", _("Eșuat")
        DONE = "done", _("Finalizat")

    job = models.ForeignKey(ProvisioningJob, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=32)
    position = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["job_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "name"], name="onboarding_step_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.name} {self.state}"

    @property
    def label(self) -> str:
        return str(STEP_LABELS.get(self.name, self.name))


class ActivationLink(models.Model):
    """A one-time, expiring link with which the provider admin sets a password. Only the
    SHA-256 of the token is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="activation_links")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="+")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer link replaces this one (the access package was sent again).
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "tenant"], name="onboarding_link_user_tenant")]

    def __str__(self) -> str:
        return f"activation {self.user_id}@{self.tenant_id}"
