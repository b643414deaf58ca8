"""The menu shows an entry only where its capability, host and kind of tenant allow it."""

from __future__ import annotations

from sgsc.platform.navigation import visible_items
from sgsc.shared_apps.identity.roles import TenantRole, capabilities_for
from sgsc.tenants.models import Tenant


def _names(**where: object) -> set[str]:
    return {item.url_name for item in visible_items(**where)}  # type: ignore[arg-type]


def test_hub_entries_show_only_on_hub_hosts() -> None:
    admin = capabilities_for([TenantRole.TENANT_ADMIN])
    on_hub = _names(capabilities=admin, is_public_host=False, tenant_kind=Tenant.Kind.HUB)
    on_provider = _names(capabilities=admin, is_public_host=False,
                         tenant_kind=Tenant.Kind.PROVIDER)
    assert "hub-overview" in on_hub and "hub-overview" not in on_provider
    assert {"ticket-queue", "config-home"} <= on_provider


def test_operators_see_tickets_but_not_configuration() -> None:
    operator = capabilities_for([TenantRole.L1_OPERATOR])
    names = _names(capabilities=operator, is_public_host=False, tenant_kind=Tenant.Kind.HUB)
    assert {"ticket-queue", "ticket-intake"} <= names
    assert not {"config-home", "hub-overview", "member-list"} & names
