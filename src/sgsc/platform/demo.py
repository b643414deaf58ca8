"""Demo data for development and the first look: loaded by ``sgsc up`` into an empty database.

The identifiers are synthetic but valid (check digits computed); the password comes from
the settings (dev, or test for the tests) and is never part of production settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_tenants.utils import schema_context

from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import PlatformRole, TenantRole
from sgsc.shared_apps.institutions.models import HubMembership, Institution
from sgsc.tenant_apps.workspace.services import workspace_profile_update
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_list_real
from sgsc.tenants.services import tenant_create, tenant_host_for, tenant_set_status


@dataclass(frozen=True)
class DemoLogin:
    email: str
    host: str
    roles: tuple[str, ...]


PROVIDER_SLUG = "cnas"
HUB_SLUG = "hub-social"

_INSTITUTIONS = {
    "age": ("1003600008057", "Agenția de Guvernare Electronică", Institution.Kind.AGENCY),
    "cnas": ("1003600008068", "Casa Națională de Asigurări Sociale", Institution.Kind.AGENCY),
    "mmps": ("1003600008079", "Ministerul Muncii și Protecției Sociale",
             Institution.Kind.MINISTRY),
    "anofm": ("1003600008080", "Agenția Națională pentru Ocuparea Forței de Muncă",
              Institution.Kind.AGENCY),
    "anas": ("1003600008091", "Agenția Națională Asistență Socială", Institution.Kind.AGENCY),
}

_PLATFORM_USERS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("admin@age.gov.md", "Ion", "Rusu", (PlatformRole.AGE_ADMIN,)),
    ("conectare@age.gov.md", "Elena", "Ciobanu", (PlatformRole.AGE_ONBOARDING_OFFICER,)),
    ("tarife@gov.md", "Mihai", "Popa", (PlatformRole.CHANCELLERY_REVIEWER,)),
    ("calitate@asp.gov.md", "Ana", "Lungu", (PlatformRole.ASP_MONITOR,)),
]
_TENANT_USERS: dict[str, list[tuple[str, str, str, tuple[str, ...]]]] = {
    PROVIDER_SLUG: [
        ("admin@cnas.gov.md", "Victor", "Munteanu", (TenantRole.TENANT_ADMIN,)),
        ("operator@cnas.gov.md", "Maria", "Sârbu", (TenantRole.L1_OPERATOR,)),
        ("specialist@cnas.gov.md", "Andrei", "Țurcanu", (TenantRole.L2_SPECIALIST,)),
        ("auditor@cnas.gov.md", "Natalia", "Ursu", (TenantRole.AUDITOR,)),
    ],
    HUB_SLUG: [
        ("admin@hub-social.gov.md", "Sergiu", "Cojocaru", (TenantRole.TENANT_ADMIN,)),
        ("coordonator@hub-social.gov.md", "Diana", "Moraru",
         (TenantRole.COORDINATOR, TenantRole.SUPERVISOR)),
        ("operator@hub-social.gov.md", "Vasile", "Rotaru", (TenantRole.L1_OPERATOR,)),
    ],
}


def demo_logins() -> list[DemoLogin]:
    """The demo accounts, when they exist (to print them again on every start)."""
    if not User.objects.filter(email=_PLATFORM_USERS[0][0]).exists():
        return []
    logins = [DemoLogin(email, settings.PUBLIC_HOST, tuple(roles))
              for email, _first, _last, roles in _PLATFORM_USERS]
    for slug, users in _TENANT_USERS.items():
        logins += [DemoLogin(email, tenant_host_for(slug=slug), tuple(roles))
                   for email, _first, _last, roles in users]
    return logins


def demo_is_needed() -> bool:
    return not tenant_list_real().exists() and not User.objects.exists()


def _user(email: str, first: str, last: str, password: str,
          platform_roles: Sequence[str] = ()) -> User:
    return User.objects.create_user(email, password, first_name=first, last_name=last,
                                    platform_roles=list(platform_roles))


@transaction.atomic
def demo_load(*, password: str) -> None:
    """Create the demo institutions, tenants and users. Call only on an empty platform.

    One transaction (PostgreSQL DDL included): an interrupted load leaves nothing behind.
    """
    institutions = {
        key: Institution.objects.create(idno=idno, name=name, kind=kind)
        for key, (idno, name, kind) in _INSTITUTIONS.items()
    }
    for email, first, last, roles in _PLATFORM_USERS:
        _user(email, first, last, password, roles)

    provider = tenant_create(slug=PROVIDER_SLUG, name=institutions["cnas"].name,
                             kind=Tenant.Kind.PROVIDER)
    hub = tenant_create(slug=HUB_SLUG, name="Hubul de suport al sectorului social",
                        kind=Tenant.Kind.HUB)
    Tenant.objects.filter(pk=provider.pk).update(institution=institutions["cnas"])
    Tenant.objects.filter(pk=hub.pk).update(institution=institutions["mmps"])
    for key in ("anofm", "anas"):
        HubMembership.objects.create(hub=hub, institution=institutions[key])
    for tenant in (provider, hub):
        tenant_set_status(tenant=tenant, status=Tenant.Status.ACTIVE,
                          reason="Date demonstrative: spațiu activat la încărcare.")
        with schema_context(tenant.schema_name):
            workspace_profile_update(display_name=tenant.name,
                                     support_email=f"suport@{tenant.slug}.gov.md")
        for email, first, last, roles in _TENANT_USERS[tenant.slug]:
            user = _user(email, first, last, password)
            Membership.objects.create(user=user, tenant=tenant, roles=list(roles))
