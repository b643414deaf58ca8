"""Public institutions (IDNO) and which hub tenant serves which member institutions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sgsc.shared_apps.institutions.validators import validate_idno


# Tenant derives from untyped django-tenants, so the plugin cannot type its reverse manager.
class Institution(models.Model):  # type: ignore[django-manager-missing]
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Minister")
        AGENCY = "agency", _("Agenție")
        LOCAL_AUTHORITY = "local_authority", _("Autoritate publică locală")
        OTHER = "other", _("Altă instituție")

    idno = models.CharField("IDNO", max_length=13, unique=True, validators=[validate_idno])
    name = models.CharField(_("denumire"), max_length=255)
    kind = models.CharField(_("tip"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HubMembership(models.Model):
    """An institution served by a hub tenant under an interinstitutional agreement."""

    hub = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT,
                            related_name="hub_memberships")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT,
                                    related_name="hub_memberships")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["hub_id", "institution__name"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "institution"], name="institutions_hub_member"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} ∈ {self.hub}"
