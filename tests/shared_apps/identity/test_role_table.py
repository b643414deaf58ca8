"""The role table is written once in code and once in docs/ARCHITECTURE.md: they must agree."""

from __future__ import annotations

import re
from pathlib import Path

from sgsc.shared_apps.identity.roles import (
    PLATFORM_ROLES,
    ROLE_CAPABILITIES,
    Capability,
    TenantRole,
    role_is_grantable,
)

ARCHITECTURE = Path(__file__).resolve().parents[3] / "docs" / "ARCHITECTURE.md"
ROW = re.compile(r"^\| `(?P<role>[a-z0-9_]+)` \| (?P<kind>platform|tenant) \| (?P<caps>.+) \|$")


def _documented_table() -> dict[str, tuple[str, frozenset[str]]]:
    rows = {}
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            caps = frozenset(re.findall(r"`([a-z0-9.]+)`", match["caps"]))
            rows[match["role"]] = (match["kind"], caps)
    return rows


def test_docs_table_equals_code_table() -> None:
    documented = _documented_table()
    in_code = {role: ("platform" if role in PLATFORM_ROLES else "tenant",
                      frozenset(c.value for c in caps))
               for role, caps in ROLE_CAPABILITIES.items()}
    assert documented == in_code


def test_no_one_grants_powers_they_do_not_hold() -> None:
    admin = ROLE_CAPABILITIES[TenantRole.TENANT_ADMIN]
    grantable = {role for role in TenantRole if role_is_grantable(role=role,
                                                                  grantor_capabilities=admin)}
    assert grantable == set(TenantRole) - {TenantRole.AUDITOR}
    supervisor = ROLE_CAPABILITIES[TenantRole.SUPERVISOR]
    assert not any(role_is_grantable(role=role, grantor_capabilities=supervisor)
                   for role in TenantRole)
    age = frozenset({Capability.ACCESS_ADMINISTER})
    assert all(role_is_grantable(role=role, grantor_capabilities=age)
               for role in ROLE_CAPABILITIES)
