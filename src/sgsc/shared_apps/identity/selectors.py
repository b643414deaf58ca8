"""Reads about people and what they may do where."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from sgsc.platform.errors import InvalidInput, NotFound
from sgsc.shared_apps.identity.models import Membership, SignInSession, User
from sgsc.shared_apps.identity.roles import (
    ROLE_LABELS,
    TENANT_ROLES,
    Capability,
    capabilities_for,
)
from sgsc.shared_apps.identity.scoping import membership_scopes
from sgsc.shared_apps.institutions.models import Institution
from sgsc.tenants.models import Tenant

IDNP_MASK = "•"


def host_tenant(request: Any) -> Tenant | None:
    """The tenant a request is served for; ``None`` on the public host."""
    tenant = getattr(request, "tenant", None)
    if isinstance(tenant, Tenant) and not tenant.is_public:
        return tenant
    return None


def membership_get_active(*, user: User, tenant: Tenant) -> Membership | None:
    """The membership giving ``user`` access to ``tenant`` now (active, within its dates)."""
    now = timezone.now()
    return (
        Membership.objects.filter(user=user, tenant=tenant, state=Membership.State.ACTIVE,
                                  valid_from__lte=now)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .first()
    )


def user_roles_on(*, user: User, tenant: Tenant | None) -> tuple[str, ...]:
    """The roles a person holds on a host: platform roles on the public host, else tenant roles."""
    if not user.is_authenticated or not user.is_active:
        return ()
    if tenant is None or tenant.is_public:
        return tuple(user.platform_roles)
    membership = membership_get_active(user=user, tenant=tenant)
    return tuple(membership.roles) if membership else ()


def user_capabilities_on(*, user: User, tenant: Tenant | None) -> frozenset[Capability]:
    return capabilities_for(user_roles_on(user=user, tenant=tenant))


def grantor_capabilities(*, user: User, tenant: Tenant) -> frozenset[Capability]:
    """What ``user`` may hand out in ``tenant`` (``roles.role_is_grantable``): their roles
    there plus their platform roles, since AGE's access administrators act on any tenant."""
    return user_capabilities_on(user=user, tenant=tenant) | user_capabilities_on(
        user=user, tenant=None)


def idnp_masked(idnp: str | None) -> str:
    """``2000•••••1234``: enough to tell two people apart, not enough to identify one."""
    if not idnp:
        return ""
    return idnp[:4] + IDNP_MASK * (len(idnp) - 8) + idnp[-4:]


def membership_list(*, tenant: Tenant, search: str = "", role: str = "", state: str = "",
                    search_idnp: bool = False) -> QuerySet[Membership]:
    """The people with access to ``tenant`` (in any state), each with their last sign-in
    there. ``search`` matches every word against names and e-mail, and the IDNP's start when
    ``search_idnp`` (only for those who see IDNPs: a prefix search would unmask them)."""
    if role and role not in TENANT_ROLES:
        raise InvalidInput(_("Rol necunoscut: %(roles)s.") % {"roles": role},
                           code="unknown_role", fields={"role": [role]})
    if state and state not in Membership.State.values:
        raise InvalidInput(_("Stare necunoscută."), code="invalid_state",
                           fields={"state": [state]})
    last_sign_in = (SignInSession.objects.filter(user_id=OuterRef("user_id"), tenant=tenant)
                    .order_by("-started_at").values("started_at")[:1])
    memberships = (Membership.objects.filter(tenant=tenant).select_related("user")
                   .annotate(last_sign_in=Subquery(last_sign_in)))
    for term in search.split():
        match = (Q(user__first_name__icontains=term) | Q(user__last_name__icontains=term)
                 | Q(user__email__icontains=term))
        if search_idnp and term.isdigit():
            match |= Q(user__idnp__startswith=term)
        memberships = memberships.filter(match)
    if role:
        memberships = memberships.filter(roles__contains=[role])
    if state:
        memberships = memberships.filter(state=state)
    return memberships.order_by("user__last_name", "user__first_name", "pk")


def membership_get(*, tenant: Tenant, membership_id: int) -> Membership:
    """One membership of ``tenant``; another tenant's is as absent as one that never was."""
    membership = (membership_list(tenant=tenant).filter(pk=membership_id)
                  .select_related("tenant", "granted_by", "ended_by").first())
    if membership is None:
        raise NotFound(_("Persoana nu a fost găsită."), code="member_not_found")
    return membership


def membership_institutions(*, tenant: Tenant,
                            memberships: Iterable[Membership]) -> dict[int, list[Institution]]:
    """The institutions each limited membership (by pk) is limited to, in two queries."""
    limited = {m.user_id: m.pk for m in memberships if m.limited_to_institutions}
    if not limited:
        return {}
    scopes = membership_scopes(tenant_schema=tenant.schema_name, user_ids=list(limited))
    wanted = set().union(*scopes.values()) if scopes else set()
    by_id = Institution.objects.in_bulk(wanted)
    return {
        membership_pk: sorted((by_id[pk] for pk in scopes.get(user_id, ()) if pk in by_id),
                              key=lambda institution: institution.name)
        for user_id, membership_pk in limited.items()
    }


def sign_in_sessions_recent(*, user_id: int, tenant: Tenant, limit: int = 10
                            ) -> list[SignInSession]:
    return list(SignInSession.objects.filter(user_id=user_id, tenant=tenant)
                .order_by("-started_at")[:limit])


@dataclass(frozen=True)
class MemberRow:
    """A membership as the pages and the API show it."""

    membership: Membership
    idnp: str  # masked unless the viewer manages members
    role_labels: list[StrOrPromise]
    institutions: list[Institution] | None  # None: not limited


def member_rows(*, tenant: Tenant, memberships: list[Membership],
                full_idnp: bool) -> list[MemberRow]:
    """Rows for memberships of ``membership_list``; a hub's limits cost two queries in all."""
    limits = (membership_institutions(tenant=tenant, memberships=memberships)
              if tenant.kind == Tenant.Kind.HUB else {})
    return [MemberRow(membership=m,
                      idnp=(m.user.idnp or "") if full_idnp else idnp_masked(m.user.idnp),
                      role_labels=[ROLE_LABELS.get(r, r) for r in m.roles],
                      institutions=limits.get(m.pk))
            for m in memberships]
