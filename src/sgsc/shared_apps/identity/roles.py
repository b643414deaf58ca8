"""The one table of roles and what each may do. UI navigation and API permissions read it.

Platform roles belong to a person on the public host; tenant roles come with a membership
in one tenant. A capability is a short dotted name; ``capabilities_for`` turns roles into them.
``role_is_grantable`` is the rule against escalation; ``docs/ARCHITECTURE.md`` prints the table
(a test keeps the two equal).
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class PlatformRole(StrEnum):
    AGE_ADMIN = "age_admin"
    AGE_ONBOARDING_OFFICER = "age_onboarding_officer"
    CHANCELLERY_REVIEWER = "chancellery_reviewer"
    ASP_MONITOR = "asp_monitor"
    STISC_TECHNICAL = "stisc_technical"


class TenantRole(StrEnum):
    TENANT_ADMIN = "tenant_admin"
    COORDINATOR = "coordinator"
    SUPERVISOR = "supervisor"
    L1_OPERATOR = "l1_operator"
    L2_SPECIALIST = "l2_specialist"
    L3_TECHNICAL = "l3_technical"
    AUDITOR = "auditor"


class Capability(StrEnum):
    PLATFORM_CONSOLE = "platform.console"
    TENANTS_MANAGE = "tenants.manage"
    ONBOARDING_REVIEW = "onboarding.review"
    CALENDAR_MANAGE = "calendar.manage"
    INSTITUTIONS_MANAGE = "institutions.manage"
    TARIFFS_REVIEW = "tariffs.review"
    KPI_MONITOR = "kpi.monitor"
    AUDIT_VIEW = "audit.view"
    WORKSPACE_VIEW = "workspace.view"
    WORKSPACE_MANAGE = "workspace.manage"
    MEMBERS_VIEW = "members.view"
    MEMBERS_MANAGE = "members.manage"
    TICKETS_WORK = "tickets.work"
    TICKETS_LEVEL2 = "tickets.level2"
    TICKETS_LEVEL3 = "tickets.level3"
    TICKETS_SUPERVISE = "tickets.supervise"
    TICKETS_CONFIGURE = "tickets.configure"
    HUB_COORDINATE = "hub.coordinate"
    INSTITUTIONS_ALL = "institutions.all"
    ACCESS_REVIEW = "access.review"
    ACCESS_ADMINISTER = "access.administer"
    TARIFFS_MANAGE = "tariffs.manage"
    BILLING_MANAGE = "billing.manage"
    BILLING_VIEW = "billing.view"


ROLE_LABELS: dict[str, StrOrPromise] = {
    PlatformRole.AGE_ADMIN: _("Administrator AGE"),
    PlatformRole.AGE_ONBOARDING_OFFICER: _("Ofițer de conectare AGE"),
    PlatformRole.CHANCELLERY_REVIEWER: _("Evaluator Cancelaria de Stat"),
    PlatformRole.ASP_MONITOR: _("Monitor ASP"),
    PlatformRole.STISC_TECHNICAL: _("Administrator tehnic STISC"),
    TenantRole.TENANT_ADMIN: _("Administrator al prestatorului"),
    TenantRole.COORDINATOR: _("Coordonator de hub"),
    TenantRole.SUPERVISOR: _("Supervizor"),
    TenantRole.L1_OPERATOR: _("Operator nivel 1"),
    TenantRole.L2_SPECIALIST: _("Specialist nivel 2"),
    TenantRole.L3_TECHNICAL: _("Administrator tehnic nivel 3"),
    TenantRole.AUDITOR: _("Auditor"),
}

C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    PlatformRole.AGE_ADMIN: frozenset(
        {C.PLATFORM_CONSOLE, C.TENANTS_MANAGE, C.AUDIT_VIEW, C.KPI_MONITOR, C.ONBOARDING_REVIEW,
         C.CALENDAR_MANAGE, C.INSTITUTIONS_MANAGE, C.ACCESS_REVIEW, C.ACCESS_ADMINISTER,
         C.TARIFFS_MANAGE, C.BILLING_MANAGE}
    ),
    PlatformRole.AGE_ONBOARDING_OFFICER: frozenset(
        {C.PLATFORM_CONSOLE, C.TENANTS_MANAGE, C.ONBOARDING_REVIEW, C.INSTITUTIONS_MANAGE}
    ),
    PlatformRole.CHANCELLERY_REVIEWER: frozenset({C.PLATFORM_CONSOLE, C.TARIFFS_REVIEW}),
    PlatformRole.ASP_MONITOR: frozenset({C.PLATFORM_CONSOLE, C.KPI_MONITOR}),
    PlatformRole.STISC_TECHNICAL: frozenset({C.PLATFORM_CONSOLE}),
    TenantRole.TENANT_ADMIN: frozenset(
        {C.WORKSPACE_VIEW, C.WORKSPACE_MANAGE, C.MEMBERS_VIEW, C.MEMBERS_MANAGE,
         C.INSTITUTIONS_ALL, C.TICKETS_WORK, C.TICKETS_LEVEL2, C.TICKETS_LEVEL3,
         C.TICKETS_SUPERVISE, C.TICKETS_CONFIGURE, C.HUB_COORDINATE, C.ACCESS_REVIEW,
         C.BILLING_VIEW}
    ),
    TenantRole.COORDINATOR: frozenset(
        {C.WORKSPACE_VIEW, C.MEMBERS_VIEW, C.TICKETS_WORK, C.TICKETS_LEVEL2, C.TICKETS_LEVEL3,
         C.TICKETS_SUPERVISE, C.TICKETS_CONFIGURE, C.HUB_COORDINATE, C.INSTITUTIONS_ALL}
    ),
    TenantRole.SUPERVISOR: frozenset({C.WORKSPACE_VIEW, C.MEMBERS_VIEW, C.TICKETS_WORK,
                                      C.TICKETS_LEVEL2, C.TICKETS_LEVEL3,
                                      C.TICKETS_SUPERVISE}),
    TenantRole.L1_OPERATOR: frozenset({C.WORKSPACE_VIEW, C.TICKETS_WORK}),
    TenantRole.L2_SPECIALIST: frozenset({C.WORKSPACE_VIEW, C.TICKETS_WORK, C.TICKETS_LEVEL2}),
    TenantRole.L3_TECHNICAL: frozenset({C.WORKSPACE_VIEW, C.TICKETS_WORK, C.TICKETS_LEVEL3}),
    TenantRole.AUDITOR: frozenset({C.WORKSPACE_VIEW, C.AUDIT_VIEW, C.ACCESS_REVIEW}),
}

PLATFORM_ROLES = frozenset(r.value for r in PlatformRole)
TENANT_ROLES = frozenset(r.value for r in TenantRole)


def role_is_grantable(*, role: str, grantor_capabilities: frozenset[Capability]) -> bool:
    """No one hands out powers they do not hold: a role is grantable by whoever manages
    members and holds every capability of that role; AGE's access administrators grant any."""
    if C.ACCESS_ADMINISTER in grantor_capabilities:
        return True
    return (C.MEMBERS_MANAGE in grantor_capabilities
            and ROLE_CAPABILITIES.get(role, frozenset()) <= grantor_capabilities)


def capabilities_for(roles: list[str] | tuple[str, ...]) -> frozenset[Capability]:
    result: set[Capability] = set()
    for role in roles:
        result |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(result)
