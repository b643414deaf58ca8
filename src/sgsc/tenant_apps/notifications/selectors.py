"""Reads of notifications, and who is to be told about a ticket; call inside the tenant's
schema.

A notice names a ticket (its number and title), so it goes only to people who may see that
ticket (invariant 1): an active membership of the tenant with the right capability and, for
someone limited to some institutions of a hub, the ticket's institution among them (the rule
of ``tickets.selectors.tickets_visible``).
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import ROLE_CAPABILITIES, Capability, capabilities_for
from sgsc.shared_apps.identity.scoping import membership_scopes
from sgsc.tenant_apps.catalog.models import TeamMember
from sgsc.tenant_apps.notifications.models import Notification
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenants.models import Tenant

_READ = ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField())


def notifications_of(*, user: User) -> QuerySet[Notification]:
    """The person's notifications in this tenant: unread first, then the newest."""
    return (Notification.objects.filter(recipient=user).select_related("ticket")
            .order_by(_READ.asc(), "-created_at", "-id"))


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def _roles_with(capability: Capability) -> list[str]:
    return [role for role, held in ROLE_CAPABILITIES.items() if capability in held]


def people_seeing(*, tenant: Tenant, ticket: Ticket, capability: Capability,
                  user_ids: Collection[int] | None = None) -> list[User]:
    """The people holding ``capability`` in ``tenant`` now who may see ``ticket``: among
    ``user_ids`` when given, else all of them (e.g. the supervisors)."""
    if user_ids is not None and not user_ids:
        return []
    now = timezone.now()
    memberships = (Membership.objects
                   .filter(tenant=tenant, state=Membership.State.ACTIVE, valid_from__lte=now,
                           user__is_active=True, roles__overlap=_roles_with(capability))
                   .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
                   .select_related("user").order_by("user_id"))
    if user_ids is not None:
        memberships = memberships.filter(user_id__in=user_ids)
    found = list(memberships)
    # Limited people see only their institutions' tickets, unless a role covers them all.
    limited = [m.user_id for m in found if m.limited_to_institutions
               and Capability.INSTITUTIONS_ALL not in capabilities_for(m.roles)]
    scopes = (membership_scopes(tenant_schema=tenant.schema_name, user_ids=limited)
              if limited else {})
    return [m.user for m in found
            if m.user_id not in limited or ticket.institution_id in scopes.get(m.user_id, ())]


def ticket_responsible_ids(*, ticket: Ticket) -> set[int]:
    """Whoever answers for the ticket now: its assignee or, while nobody is assigned, the
    members of its team (the team of its queue when no team is set)."""
    if ticket.assignee_id is not None:
        return {ticket.assignee_id}
    if ticket.team_id is None and ticket.queue is not None:
        return team_member_ids(team_id=ticket.queue.team_id)
    return team_member_ids(team_id=ticket.team_id)


def team_member_ids(*, team_id: int | None) -> set[int]:
    if team_id is None:
        return set()
    return set(TeamMember.objects.filter(team_id=team_id).values_list("user_id", flat=True))
