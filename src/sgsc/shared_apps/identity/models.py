"""Global identities (public schema) and their memberships in tenants."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sgsc.shared_apps.identity.roles import PlatformRole, TenantRole
from sgsc.shared_apps.institutions.validators import validate_idnp


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """One person on the whole platform. MPass identifies people by IDNP."""

    email = models.EmailField(_("e-mail"), unique=True)
    idnp = models.CharField(_("IDNP"), max_length=13, unique=True, null=True, blank=True,
                            validators=[validate_idnp])
    first_name = models.CharField(_("prenume"), max_length=150, blank=True)
    last_name = models.CharField(_("nume"), max_length=150, blank=True)
    phone = models.CharField(_("telefon"), max_length=32, blank=True)
    preferred_language = models.CharField(
        _("limba preferată"), max_length=2, default="ro",
        choices=[("ro", "Română"), ("ru", "Русский"), ("en", "English")],
    )
    platform_roles = ArrayField(
        models.CharField(max_length=32, choices=[(r.value, r.value) for r in PlatformRole]),
        default=list, blank=True,
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class Membership(models.Model):
    """A person's access to one tenant, with the roles held there."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Activ")
        REVOKED = "revoked", _("Revocat")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT,
                               related_name="memberships")
    roles = ArrayField(
        models.CharField(max_length=32, choices=[(r.value, r.value) for r in TenantRole]),
        default=list,
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    valid_from = models.DateTimeField(default=timezone.now)
    valid_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant"], name="identity_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant}"
