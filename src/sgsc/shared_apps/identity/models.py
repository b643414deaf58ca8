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


class RevocationReason(models.TextChoices):
    """Why access ended (Annex 2 §37)."""

    EMPLOYMENT_CHANGED = "employment_changed", _("Schimbarea raporturilor de muncă")
    EMPLOYMENT_ENDED = "employment_ended", _("Încetarea raporturilor de muncă")
    RULE_VIOLATION = "rule_violation", _("Încălcarea regulilor de utilizare")
    SECURITY_VIOLATION = "security_violation", _("Încălcarea cerințelor de securitate")
    CONTRACT_SUSPENDED = "contract_suspended", _("Suspendarea contractului")
    CONTRACT_EXPIRED = "contract_expired", _("Expirarea contractului")
    CONTRACT_TERMINATED = "contract_terminated", _("Încetarea contractului")
    ACCESS_EXPIRED = "access_expired", _("Expirarea accesului temporar")


class Membership(models.Model):
    """A person's access to one tenant, with the roles held there.

    ``limited_to_institutions``: in a hub, the person serves only the institutions granted
    as guardian object permissions in the hub's schema (``identity.scoping``)."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Activ")
        SUSPENDED = "suspended", _("Suspendat")
        EXPIRED = "expired", _("Expirat")
        REVOKED = "revoked", _("Revocat")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT,
                               related_name="memberships")
    roles = ArrayField(
        models.CharField(max_length=32, choices=[(r.value, r.value) for r in TenantRole]),
        default=list,
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    limited_to_institutions = models.BooleanField(default=False)
    valid_from = models.DateTimeField(default=timezone.now)
    valid_until = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    end_reason = models.CharField(max_length=32, choices=RevocationReason.choices, blank=True)
    end_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant"], name="identity_membership_unique"),
        ]
        indexes = [
            # The periodic expiry job looks only at active memberships with an end date.
            models.Index(fields=["valid_until"], name="identity_membership_expiring",
                         condition=models.Q(state="active", valid_until__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant}"


class SignInSession(models.Model):
    """A Django session opened by a person on one host, so that revoking access can end it."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="sign_in_sessions")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    method = models.CharField(max_length=16, default="password")
    started_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "tenant"], name="identity_session_user_tenant",
                                condition=models.Q(ended_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.tenant_id or 'public'} {self.started_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A personal API token valid on one host; only the SHA-256 of the key is stored."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    name = models.CharField(_("denumire"), max_length=100)
    prefix = models.CharField(max_length=8)
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
