"""Provisioning jobs (named, resumable steps) and the provider admin's activation link."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProvisioningJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("În așteptare")
        RUNNING = "running", _("În desfășurare")
        FAILED = "failed", _("Eșuat")
        DONE = "done", _("Finalizat")

    contract = models.OneToOneField("contracts.Contract", on_delete=models.PROTECT,
                                    related_name="provisioning_job")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"job {self.pk} ({self.status})"


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

    def __str__(self) -> str:
        return f"activation {self.user_id}@{self.tenant_id}"
