"""The navigation menu: each entry names the capability it needs (from the role table)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sgsc.shared_apps.identity.roles import Capability


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    capability: Capability | None  # None: every signed-in user
    public_host: bool | None = None  # True: only public host; False: only tenant hosts
    tenant_kind: str | None = None  # only on hosts of this kind of tenant (e.g. hubs)


NAVIGATION: tuple[NavItem, ...] = (
    NavItem(_("Acasă"), "home", None),
    NavItem(_("Cereri de conectare"), "connection-request-list", Capability.ONBOARDING_REVIEW,
            public_host=True),
    NavItem(_("Contracte"), "contract-list", Capability.ONBOARDING_REVIEW, public_host=True),
    NavItem(_("Grile tarifare"), "tariff-schedule-list", Capability.TARIFFS_MANAGE,
            public_host=True),
    NavItem(_("Grile tarifare în așteptare"), "tariff-pending", Capability.TARIFFS_REVIEW,
            public_host=True),
    NavItem(_("Prestatori"), "tenant-list", Capability.TENANTS_MANAGE, public_host=True),
    NavItem(_("Instituții"), "institution-list", Capability.INSTITUTIONS_MANAGE,
            public_host=True),
    NavItem(_("Calendar"), "calendar-exceptions", Capability.CALENDAR_MANAGE, public_host=True),
    NavItem(_("Solicitări"), "ticket-queue", Capability.TICKETS_WORK, public_host=False),
    NavItem(_("Apel nou"), "ticket-intake", Capability.TICKETS_WORK, public_host=False),
    NavItem(_("Apeluri"), "call-list", Capability.TICKETS_WORK, public_host=False),
    NavItem(_("Profilul spațiului"), "workspace-profile", Capability.WORKSPACE_VIEW,
            public_host=False),
    NavItem(_("Persoane și acces"), "console-person-list", Capability.ACCESS_ADMINISTER,
            public_host=True),
    NavItem(_("Utilizatori și roluri"), "member-list", Capability.MEMBERS_VIEW,
            public_host=False),
    NavItem(_("Instituții deservite"), "served-institution-list", Capability.WORKSPACE_VIEW,
            public_host=False),
    NavItem(_("Configurare"), "config-home", Capability.TICKETS_CONFIGURE, public_host=False),
    NavItem(_("Hub: instituții"), "hub-overview", Capability.HUB_COORDINATE, public_host=False,
            tenant_kind="hub"),
    NavItem(_("Revizuirea accesului"), "access-review", Capability.ACCESS_REVIEW),
    NavItem(_("Deconturi"), "statement-list", Capability.BILLING_MANAGE, public_host=True),
    NavItem(_("Utilizare și costuri"), "billing-console", Capability.TARIFFS_REVIEW,
            public_host=True),
    NavItem(_("Utilizare și deconturi"), "own-billing", Capability.BILLING_VIEW,
            public_host=False),
    NavItem(_("Notificări"), "notification-list", Capability.TICKETS_WORK, public_host=False),
    NavItem(_("Jurnal de audit"), "audit-list", Capability.AUDIT_VIEW),
    NavItem(_("Schimb de date"), "exchange-list", Capability.AUDIT_VIEW),
    NavItem(_("Tokenuri API"), "token-list", None),
    NavItem(_("Documentație API"), "api-docs", None),
)


def visible_items(*, capabilities: frozenset[Capability], is_public_host: bool,
                  tenant_kind: str | None = None) -> list[NavItem]:
    return [
        item for item in NAVIGATION
        if (item.capability is None or item.capability in capabilities)
        and (item.public_host is None or item.public_host == is_public_host)
        and (item.tenant_kind is None or item.tenant_kind == tenant_kind)
    ]
