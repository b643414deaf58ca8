"""Helpers of the workspace page tests: people signed in on a tenant's host, with the ticket
access the services see, and the hub's limited operators."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from django.test import Client

from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.shared_apps.identity.scoping import membership_scope_write
from sgsc.shared_apps.institutions.models import Institution
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for_user
from sgsc.tenants.models import Tenant
from tests.shared_apps.identity.member_helpers import hub_institutions

SignedIn = Callable[..., tuple[Client, User]]


def worker(signed_in: SignedIn, role: str, tenant: Tenant) -> tuple[Client, User, TicketAccess]:
    """A client signed in with ``role`` on ``tenant``'s host, and the person's ticket access."""
    client, user = signed_in(role, tenant)
    return client, user, ticket_access_for_user(user=user, tenant=tenant)


def limit_to(user: User, tenant: Tenant, institutions: list[Institution]) -> TicketAccess:
    """Limit the person's access in the hub to ``institutions``."""
    membership = Membership.objects.get(user=user, tenant=tenant)
    membership_scope_write(membership=membership,
                           institution_ids=[institution.pk for institution in institutions])
    return ticket_access_for_user(user=user, tenant=tenant)


class LimitedHub(NamedTuple):
    """An L1 operator of the hub, signed in and limited to ``ours``, and a coordinator who
    serves ``theirs`` too."""

    client: Client
    user: User
    operator: TicketAccess
    coordinator: TicketAccess
    ours: Institution
    theirs: Institution


def limited_hub_operator(signed_in: SignedIn, hub: Tenant) -> LimitedHub:
    ours, theirs = hub_institutions(hub, 2)
    client, user, _access = worker(signed_in, TenantRole.L1_OPERATOR, hub)
    operator = limit_to(user, hub, [ours])
    _c, _u, coordinator = worker(signed_in, TenantRole.COORDINATOR, hub)
    return LimitedHub(client, user, operator, coordinator, ours, theirs)


def error_code(html: str) -> str:
    """The service refusal a form carries (``data-error-code``) or the error page's code."""
    found = re.search(r'data-(?:error-)?code="([a-z_]+)"', html)
    return found.group(1) if found else ""


def page(response: Any) -> str:
    return str(response.content.decode())
