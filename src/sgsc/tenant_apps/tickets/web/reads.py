"""The reads the workspace pages need beyond the tickets' selectors: the choices their forms
offer and the side panels of the ticket page. Offering a choice grants nothing: the services
judge every value they receive."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import ROLE_CAPABILITIES
from sgsc.shared_apps.identity.scoping import membership_scopes
from sgsc.shared_apps.institutions.models import HubMembership
from sgsc.tenant_apps.catalog.models import (
    CannedReply,
    Category,
    KnowledgeArticle,
    Priority,
    Queue,
    Service,
    Team,
    TeamMember,
)
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.lifecycle import can_work_level
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.selectors import tickets_visible
from sgsc.tenants.models import Tenant

Choices = list[tuple[Any, str]]
OTHER_TICKETS = 10


def _roles_that_work(level: int) -> list[str]:
    return [role for role, capabilities in ROLE_CAPABILITIES.items()
            if can_work_level(level=level, capabilities=capabilities)]


def people_working(*, tenant: Tenant, level: int = 1,
                   institution_id: int | None = None) -> list[User]:
    """The tenant's people whose access lets them work tickets of ``level`` (and of the
    institution, when they are limited to some in a hub): whom a supervisor may assign."""
    now = timezone.now()
    memberships = list(
        Membership.objects.filter(tenant=tenant, state=Membership.State.ACTIVE,
                                  valid_from__lte=now, user__is_active=True,
                                  roles__overlap=_roles_that_work(level))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .select_related("user").order_by("user__last_name", "user__first_name", "pk"))
    limited = [m.user_id for m in memberships if m.limited_to_institutions]
    scopes = (membership_scopes(tenant_schema=tenant.schema_name, user_ids=limited)
              if limited else {})
    return [m.user for m in memberships
            if not m.limited_to_institutions
            or (institution_id is not None and institution_id in scopes.get(m.user_id, ()))]


def person_choices(people: list[User]) -> Choices:
    return [(person.pk, person.get_full_name() or person.email) for person in people]


def institution_choices(*, tenant: Tenant, access: TicketAccess) -> Choices | None:
    """The hub's current member institutions the person serves; ``None`` outside a hub."""
    if tenant.kind != Tenant.Kind.HUB:
        return None
    members = (HubMembership.objects.filter(hub=tenant, left_at__isnull=True)
               .select_related("institution").order_by("institution__name", "pk"))
    return [(m.institution_id, m.institution.name) for m in members
            if access.institution_scope is None or m.institution_id in access.institution_scope]


def service_choices() -> Choices:
    return [(pk, f"{code} · {name}") for pk, code, name in
            Service.objects.filter(is_active=True).values_list("pk", "code", "name")]


def services_active() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True).only("code", "name")


def category_choices() -> Choices:
    categories = Category.objects.filter(is_active=True).select_related("parent")
    return [(c.pk, f"{c.parent.name} / {c.name}" if c.parent else c.name) for c in categories]


def priority_choices() -> Choices:
    return [(pk, name) for pk, name in Priority.objects.values_list("pk", "name")]


def queue_choices() -> Choices:
    return [(pk, name) for pk, name in
            Queue.objects.filter(is_active=True).values_list("pk", "name")]


def team_choices(*, level: int | None = None) -> Choices:
    teams = Team.objects.filter(is_active=True)
    if level is not None:
        teams = teams.filter(level=level)
    return [(team.pk, team.name if level is not None else f"{team.name} (N{team.level})")
            for team in teams]


def canned_replies(*, service_id: int | None) -> QuerySet[CannedReply]:
    """The replies for any service, and the ticket's service's own."""
    replies = CannedReply.objects.filter(is_active=True)
    return replies.filter(Q(service__isnull=True) | Q(service_id=service_id))


def articles(*, service_id: int | None) -> QuerySet[KnowledgeArticle]:
    if service_id is None:
        return KnowledgeArticle.objects.none()
    return KnowledgeArticle.objects.filter(is_published=True, services=service_id)


def contact_tickets(*, access: TicketAccess, contact_id: int, exclude_id: int | None = None,
                    active_only: bool = False) -> list[Ticket]:
    """The requester's latest tickets the person may see (hub scoping holds here too)."""
    tickets = tickets_visible(access=access).filter(contact_id=contact_id)
    if active_only:
        tickets = tickets.filter(status__in=Ticket.ACTIVE_STATUSES)
    if exclude_id is not None:
        tickets = tickets.exclude(pk=exclude_id)
    return list(tickets.only("number", "title", "status", "created_at")
                .order_by("-created_at", "-id")[:OTHER_TICKETS])


def shift_memberships(*, user: User) -> list[TeamMember]:
    return list(TeamMember.objects.filter(user=user, team__is_active=True)
                .select_related("team").order_by("team__level", "team__name"))

