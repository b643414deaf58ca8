"""Reads of the configuration pages and API (R4 §21): the lists with their search, what may be
chosen where (a hub's member institutions, the tenants that may hold an L3 team, the people
who may join a team), and the counts of the configuration home. Call inside the tenant's
schema."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Count, Model, Q, QuerySet
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from sgsc.platform.errors import NotFound
from sgsc.shared_apps.identity.models import Membership
from sgsc.shared_apps.identity.roles import ROLE_CAPABILITIES, TENANT_ROLES, Capability
from sgsc.shared_apps.institutions.models import Institution
from sgsc.tenant_apps.catalog.models import (
    CannedReply,
    Category,
    KnowledgeArticle,
    Priority,
    PriorityRule,
    Queue,
    RoutingRule,
    Service,
    ServiceGroup,
    Team,
    TeamMember,
)
from sgsc.tenant_apps.sla.models import LocalClosedDay, SlaPolicy
from sgsc.tenants.models import Tenant

M = TypeVar("M", bound=Model)

# How a referencing row is named in the refusal of a deletion.
_REFERENCE_LABELS: dict[str, StrOrPromise] = {
    "tickets.ticket": gettext_lazy("tichete"),
    "catalog.service": gettext_lazy("servicii"),
    "catalog.category": gettext_lazy("subcategorii"),
    "catalog.priorityrule": gettext_lazy("matricea de prioritate"),
    "catalog.queue": gettext_lazy("cozi"),
    "catalog.routingrule": gettext_lazy("reguli de rutare"),
    "catalog.cannedreply": gettext_lazy("răspunsuri predefinite"),
    "catalog.knowledgearticle": gettext_lazy("articole"),
    "sla.slapolicy": gettext_lazy("politici SLA"),
    "telephony.call": gettext_lazy("apeluri"),
    "telephony.phoneline": gettext_lazy("linii telefonice"),
}
# Rows that belong to the row they point at and go with it.
_OWNED: dict[type[Model], frozenset[type[Model]]] = {Team: frozenset({TeamMember})}
# The capability a team's level asks of its members, on top of tickets.work.
LEVEL_CAPABILITIES: dict[int, Capability | None] = {
    Team.Level.L1: None, Team.Level.L2: Capability.TICKETS_LEVEL2,
    Team.Level.L3: Capability.TICKETS_LEVEL3}


def current_tenant() -> Tenant:
    """The tenant whose schema the connection is in (``schema_context`` gives only a name)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.get(schema_name=connection.schema_name)  # type: ignore[attr-defined]


def institutions_allowed(*, tenant: Tenant) -> QuerySet[Institution]:
    """What a service, team or routing rule may name: in a hub, its current member
    institutions; in a provider, its own institution (if it has one)."""
    if tenant.kind == Tenant.Kind.HUB:
        return Institution.objects.filter(hub_memberships__hub=tenant,
                                          hub_memberships__left_at__isnull=True).order_by("name")
    return Institution.objects.filter(pk=tenant.institution_id).order_by("name")


def external_tenants_allowed(*, tenant: Tenant) -> QuerySet[Tenant]:
    """Who may hold an L3 team for this tenant: AGE's platform and the other active
    providers (a hub is not a technical level)."""
    return (Tenant.objects.filter(kind__in=[Tenant.Kind.PLATFORM, Tenant.Kind.PROVIDER],
                                  status=Tenant.Status.ACTIVE, is_template=False)
            .exclude(pk=tenant.pk).order_by("name"))


def member_candidates(*, level: int, tenant: Tenant) -> QuerySet[Membership]:
    """The people who may join a team of ``level``: an active membership in this tenant whose
    roles give tickets.work and, for an L2 or L3 team, that level's capability."""
    needed = {Capability.TICKETS_WORK}
    capability = LEVEL_CAPABILITIES.get(level)
    if capability is not None:
        needed.add(capability)
    roles = sorted(role for role, capabilities in ROLE_CAPABILITIES.items()
                   if role in TENANT_ROLES and needed <= capabilities)
    now = timezone.now()
    return (Membership.objects
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now), tenant=tenant,
                    state=Membership.State.ACTIVE, valid_from__lte=now, user__is_active=True,
                    roles__overlap=roles)
            .select_related("user").order_by("user__last_name", "user__first_name", "pk"))


def config_get(model: type[M], pk: int) -> M:
    """One configuration row, or a 404 with a stable code."""
    row = model._default_manager.filter(pk=pk).first()
    if row is None:
        raise NotFound(_("Înregistrarea nu există."), code="not_found")
    return row


def config_values(row: Model, inputs: type[Any]) -> dict[str, Any]:
    """A row's current values under the names of its input (a dataclass whose fields are
    named like the model's): a relation gives its id, a many-to-many relation its ids."""
    values: dict[str, Any] = {}
    for item in fields(inputs):
        field = row._meta.get_field(item.name)
        if field.many_to_many:
            values[item.name] = sorted(getattr(row, item.name).values_list("pk", flat=True))
        else:
            values[item.name] = getattr(row, field.attname)  # type: ignore[union-attr]
    return values


def active_flag(model: type[Model]) -> str | None:
    """The field that switches a row off (an article is unpublished), if it has one."""
    names = {field.name for field in model._meta.get_fields()}
    return next((name for name in ("is_active", "is_published") if name in names), None)


def config_references(row: Model) -> list[str]:
    """What points at ``row``, by kind (relations without a reverse name included): a row
    is deleted only while this is empty."""
    found: list[str] = []
    owned = _OWNED.get(type(row), frozenset())
    for relation in row._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel):
            continue
        related = relation.related_model
        # A many-to-many's join table is reached through its ManyToManyRel instead.
        if related._meta.auto_created or related in owned:
            continue
        if related._base_manager.filter(**{relation.field.name: row}).exists():
            label = _REFERENCE_LABELS.get(related._meta.label_lower,
                                          related._meta.verbose_name_plural)
            found.append(str(label))
    return sorted(set(found))


def matching(rows: QuerySet[M], search: str, *names: str) -> QuerySet[M]:
    """The rows in which each word of ``search`` occurs in one of the fields ``names``."""
    for word in search.split()[:10]:
        condition = Q()
        for name in names:
            condition |= Q(**{f"{name}__icontains": word})
        rows = rows.filter(condition)
    return rows


def service_group_list(search: str = "") -> QuerySet[ServiceGroup]:
    return matching(ServiceGroup.objects.annotate(service_count=Count("services")), search,
                    "code", "name").order_by("name", "pk")


def service_list(search: str = "") -> QuerySet[Service]:
    return matching(Service.objects.select_related("group", "institution"), search,
                    "code", "name", "name_ru", "name_en").order_by("code", "pk")


def category_list(search: str = "") -> QuerySet[Category]:
    return matching(Category.objects.all(), search, "name").order_by("name", "pk")


def category_paths() -> dict[int, str]:
    """Every category's place in the tree ("Parent / Child"), from one query."""
    rows = {pk: (name, parent) for pk, name, parent
            in Category.objects.values_list("pk", "name", "parent_id")}
    paths: dict[int, str] = {}

    def path_of(pk: int, seen: frozenset[int] = frozenset()) -> str:
        if pk not in paths:
            name, parent = rows[pk]
            # ``seen`` only guards the walk; the services never store a cycle.
            paths[pk] = (f"{path_of(parent, seen | {pk})} / {name}"
                         if parent is not None and parent not in seen else name)
        return paths[pk]

    for pk in rows:
        path_of(pk)
    return paths


def priority_list(search: str = "") -> QuerySet[Priority]:
    return matching(Priority.objects.all(), search, "code", "name").order_by("rank")


def priority_matrix() -> dict[tuple[int, int], int]:
    """(impact, urgency) -> priority id of every cell set."""
    return {(impact, urgency): priority for impact, urgency, priority
            in PriorityRule.objects.values_list("impact", "urgency", "priority_id")}


def team_list(search: str = "") -> QuerySet[Team]:
    return (matching(Team.objects.select_related("institution", "external_tenant"), search,
                     "name").annotate(member_count=Count("members")).order_by("level", "name"))


def team_member_list(*, team: Team) -> QuerySet[TeamMember]:
    return (TeamMember.objects.filter(team=team).select_related("user")
            .order_by("user__last_name", "user__first_name", "pk"))


def team_member_get(*, team_id: int, member_id: int, for_update: bool = False) -> TeamMember:
    """A member of that team only: another team's member id is a 404."""
    rows = TeamMember.objects.select_related("user")
    member = (rows.select_for_update(of=("self",)) if for_update else rows).filter(
        pk=member_id, team_id=team_id).first()
    if member is None:
        raise NotFound(_("Înregistrarea nu există."), code="not_found")
    return member


def queue_list(search: str = "") -> QuerySet[Queue]:
    return matching(Queue.objects.select_related("team"), search, "name",
                    "team__name").order_by("name", "pk")


def routing_rule_list(search: str = "") -> QuerySet[RoutingRule]:
    return matching(RoutingRule.objects.select_related("service", "institution", "queue"),
                    search, "name").order_by("position", "pk")


def canned_reply_list(search: str = "") -> QuerySet[CannedReply]:
    return matching(CannedReply.objects.select_related("service"), search,
                    "title", "body").order_by("title", "pk")


def article_list(search: str = "") -> QuerySet[KnowledgeArticle]:
    return matching(KnowledgeArticle.objects.prefetch_related("services"), search,
                    "title", "body").order_by("title", "pk")


def sla_policy_list(search: str = "") -> QuerySet[SlaPolicy]:
    return (matching(SlaPolicy.objects.select_related("priority", "service", "group"), search,
                     "priority__name", "service__code", "service__name", "group__name")
            .order_by("priority__rank", "group__name", "service__code", "pk"))


def closed_day_list(search: str = "") -> QuerySet[LocalClosedDay]:
    return matching(LocalClosedDay.objects.all(), search, "reason").order_by("-day")


def config_counts() -> dict[str, int]:
    """How much of each part is configured, for the configuration home."""
    return {
        "service_groups": ServiceGroup.objects.count(),
        "services": Service.objects.filter(is_active=True).count(),
        "categories": Category.objects.filter(is_active=True).count(),
        "priorities": Priority.objects.count(),
        "matrix_cells": PriorityRule.objects.count(),
        "sla_policies": SlaPolicy.objects.count(),
        "closed_days": LocalClosedDay.objects.filter(day__gte=timezone.localdate()).count(),
        "teams": Team.objects.filter(is_active=True).count(),
        "queues": Queue.objects.filter(is_active=True).count(),
        "routing_rules": RoutingRule.objects.filter(is_active=True).count(),
        "canned_replies": CannedReply.objects.filter(is_active=True).count(),
        "articles": KnowledgeArticle.objects.filter(is_published=True).count(),
    }
