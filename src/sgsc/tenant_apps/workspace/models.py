"""The tenant's own profile, kept inside its schema: what its users and requesters see."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkspaceProfile(models.Model):
    """Exactly one row per tenant schema (enforced by the constant primary key)."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    display_name = models.CharField(_("denumire afișată"), max_length=255)
    support_email = models.EmailField(_("e-mail de suport"), blank=True)
    support_phone = models.CharField(_("telefon de suport"), max_length=32, blank=True)
    default_language = models.CharField(
        _("limba implicită"), max_length=2, default="ro",
        choices=[("ro", "Română"), ("ru", "Русский"), ("en", "English")],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="workspace_profile_singleton"),
        ]

    def __str__(self) -> str:
        return self.display_name
