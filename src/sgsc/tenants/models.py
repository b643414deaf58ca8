"""Tenants (one PostgreSQL schema each) and the host names that route to them."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,40}[a-z0-9]$")
RESERVED_SLUGS = frozenset({"www", "api", "admin", "static", "public", "template", "mail"})


def schema_name_for_slug(slug: str) -> str:
    """``t_`` plus the slug with hyphens as underscores: always a valid, unquoted identifier."""
    return "t_" + slug.replace("-", "_")


def validate_slug(slug: str) -> None:
    if not SLUG_PATTERN.match(slug) or "--" in slug:
        raise ValidationError(
            _("Identificatorul trebuie să aibă 3-42 de caractere: litere mici, cifre și cratime."),
            code="invalid_slug",
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError(_("Identificatorul „%(slug)s” este rezervat."), code="reserved_slug",
                              params={"slug": slug})


class Tenant(TenantMixin):
    class Kind(models.TextChoices):
        PLATFORM = "platform", _("Platformă (AGE)")
        PROVIDER = "provider", _("Prestator de servicii")
        HUB = "hub", _("Hub comun de suport")

    class Status(models.TextChoices):
        PROVISIONING = "provisioning", _("În configurare")
        ACTIVE = "active", _("Activ")
        SUSPENDED = "suspended", _("Suspendat")
        TERMINATED = "terminated", _("Încetat")

    slug = models.SlugField(max_length=42, unique=True, validators=[validate_slug])
    name = models.CharField(_("denumire"), max_length=255)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROVISIONING)
    # The institution that runs the tenant (for a hub: the coordinating institution).
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="tenants")
    # The schema that new tenants are cloned from; never a real tenant.
    is_template = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_template"],
                condition=models.Q(is_template=True),
                name="tenants_single_template",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.kind == self.Kind.PLATFORM


class Domain(DomainMixin):
    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
