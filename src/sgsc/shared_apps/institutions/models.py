"""Public institutions (IDNO) and hubs: who coordinates, who is served, under which agreement."""

from __future__ import annotations

from django.conf import settings
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
    name_ru = models.CharField(_("denumire (rusă)"), max_length=255, blank=True)
    name_en = models.CharField(_("denumire (engleză)"), max_length=255, blank=True)
    kind = models.CharField(_("tip"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    address = models.CharField(_("adresă"), max_length=500, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telefon"), max_length=32, blank=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("instituție ierarhic superioară"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        # Granted per object (django-guardian, in a hub's schema) to a person limited to
        # serving some of the hub's member institutions.
        permissions = [("serve_institution", "Can serve the institution's requests")]

    def __str__(self) -> str:
        return self.name


class HubAgreement(models.Model):
    """The interinstitutional agreement under which a hub tenant serves its members."""

    hub = models.OneToOneField("tenants.Tenant", on_delete=models.PROTECT,
                               related_name="hub_agreement")
    coordinator = models.ForeignKey(Institution, on_delete=models.PROTECT,
                                    related_name="coordinated_hubs")
    number = models.CharField(_("număr"), max_length=64)
    signed_on = models.DateField(_("data"))
    document_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.number} ({self.hub})"


class HubAmendment(models.Model):
    """A change of the hub's members; the original agreement is amendment zero."""

    agreement = models.ForeignKey(HubAgreement, on_delete=models.PROTECT,
                                  related_name="amendments")
    number = models.CharField(_("număr"), max_length=64)
    signed_on = models.DateField(_("data"))
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement_id", "signed_on", "id"]

    def __str__(self) -> str:
        return self.number


class HubMembership(models.Model):
    """An institution served by a hub tenant, from one amendment until (maybe) another."""

    hub = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT,
                            related_name="hub_memberships")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT,
                                    related_name="hub_memberships")
    joined_by = models.ForeignKey(HubAmendment, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="joined")
    left_by = models.ForeignKey(HubAmendment, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="left")
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["hub_id", "institution__name"]
        constraints = [
            # One current membership per institution and hub; history rows have left_at set.
            models.UniqueConstraint(fields=["hub", "institution"],
                                    condition=models.Q(left_at__isnull=True),
                                    name="institutions_hub_member_current"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} ∈ {self.hub}"
