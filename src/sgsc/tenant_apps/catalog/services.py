"""Writes of the tenant's support configuration (R4 §21): the services catalogue and its
groups, categories, priorities and their impact x urgency matrix, teams and their members,
queues, routing rules, canned replies, knowledge-base articles and the ticket settings.

Each write takes a typed input (a dataclass named like the model's fields; a relation is
given by id), runs in one transaction, records an audit event naming the fields it changed,
and refuses bad input with a stable code, the refusal audited too (``config_refusal``).
A row is deleted only while nothing references it; otherwise it is deactivated.
The SLA side (policies, business hours, closed days) is in ``sla.config_services`` and
shares the helpers here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Max, Model, Q, QuerySet
from django.utils.translation import gettext as _

from sgsc.platform.errors import Conflict, InvalidInput, NotFound
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.institutions.models import Institution
from sgsc.tenant_apps.catalog.config_selectors import (
    active_flag,
    config_references,
    current_tenant,
    external_tenants_allowed,
    institutions_allowed,
    member_candidates,
    team_member_get,
)
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
from sgsc.tenant_apps.tickets.models import Ticket, TicketSettings
from sgsc.tenant_apps.tickets.services import ticket_settings_ensure

M = TypeVar("M", bound=Model)

NAME_LIMIT = 255
BODY_LIMIT = 20_000
ARTICLE_LIMIT = 100_000
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
PREFIX_PATTERN = re.compile(r"^[A-Z0-9]{2,12}$")
MATRIX_LEVELS = (1, 2, 3)
KEYWORD_LIMIT = 100
KEYWORDS_MAX = 30
# The delivery standard may not exceed a year of round-the-clock hours (the model's bound).
RESOLUTION_HOURS_MAX = 24 * 365
# Ticket settings, in days: the bounds keep a typing mistake from closing tickets at once or
# never archiving them.
REOPEN_DAYS = (1, 365)
CLOSE_AFTER_DAYS = (1, 90)
ARCHIVE_AFTER_DAYS = (1, 3650)



# --- the shared machinery ------------------------------------------------------------------

def _verb(pk: int | None) -> str:
    return "create" if pk is None else "update"


@contextmanager
def config_refusal(model: type[Model], verb: str, *, actor: User | None,
                   object_id: int | str | None = None) -> Iterator[None]:
    """Audit a refused configuration change (action ``config.<model>.<verb>``), then let the
    error go on. Wrap the transaction too: the event is written after the rollback."""
    with audited_refusal(action=f"config.{model._meta.model_name}.{verb}", actor=actor,
                         object_type=model._meta.label_lower,
                         object_id=object_id if object_id is not None else "",
                         with_fields=True):
        yield


@contextmanager
def config_writing(model: type[Model], pk: int | None, *, actor: User | None,
                   verb: str | None = None) -> Iterator[None]:
    """One audited, atomic configuration change."""
    with config_refusal(model, verb or _verb(pk), actor=actor, object_id=pk), \
            transaction.atomic():
        yield


def config_load(model: type[M], pk: int | None) -> M:
    """A new row for ``None``, else the row locked for the change (404 ``not_found``)."""
    if pk is None:
        return model()
    row = model._default_manager.select_for_update().filter(pk=pk).first()
    if row is None:
        raise NotFound(_("Înregistrarea nu există."), code="not_found")
    return row


def config_text(value: str | None, *, field: str, required: bool = False,
                limit: int = NAME_LIMIT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(_("Completați câmpurile obligatorii."), code="required",
                           fields={field: [_("Câmp obligatoriu.")]})
    if len(text) > limit:
        raise InvalidInput(_("Textul este prea lung."), code="too_long",
                           fields={field: [_("Cel mult %(limit)d caractere.") % {"limit": limit}]})
    return text


def config_number(value: int | None, *, field: str, low: int, high: int) -> int:
    if value is None:
        raise InvalidInput(_("Completați câmpurile obligatorii."), code="required",
                           fields={field: [_("Câmp obligatoriu.")]})
    if isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(_("Valoarea trebuie să fie între %(low)d și %(high)d.")
                           % {"low": low, "high": high}, code="out_of_range",
                           fields={field: [_("Între %(low)d și %(high)d.")
                                           % {"low": low, "high": high}]})
    return value


def config_optional_number(value: int | None, *, field: str, low: int,
                           high: int) -> int | None:
    return None if value is None else config_number(value, field=field, low=low, high=high)


def config_reference(rows: QuerySet[M], pk: int | None, *, field: str, code: str,
                     keep: int | None = None, required: bool = False) -> M | None:
    """The chosen row of ``rows``; refused when it does not exist or is inactive, unless it is
    the one already set (``keep``): a row deactivated since stays where it is used."""
    if pk is None:
        if required:
            raise InvalidInput(_("Completați câmpurile obligatorii."), code="required",
                               fields={field: [_("Câmp obligatoriu.")]})
        return None
    row = (rows.model._default_manager if pk == keep else rows).filter(pk=pk).first()
    if row is None or (pk != keep and getattr(row, "is_active", True) is False):
        raise InvalidInput(_("Valoarea aleasă nu există sau nu este activă."), code=code,
                           fields={field: [_("Valoare necunoscută.")]})
    return row


def config_code(value: str | None, *, limit: int) -> str:
    code = config_text(value, field="code", required=True, limit=limit)
    if not CODE_PATTERN.match(code):
        raise InvalidInput(_("Codul conține doar litere latine, cifre, „-” și „_”."),
                           code="invalid_code", fields={"code": [_("Cod nevalid.")]})
    return code


def config_unique(row: Model, clash: Q, *, field: str, code: str, message: str) -> None:
    """Refuse when another row matches ``clash`` (compared case-insensitively by callers)."""
    if type(row)._default_manager.filter(clash).exclude(pk=row.pk).exists():
        raise Conflict(message, code=code, fields={field: [message]})


def _audit_value(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def config_store(row: M, values: Mapping[str, Any], *, actor: User | None, clash_code: str,
                 clash_field: str, many: Mapping[str, Sequence[Model]] | None = None) -> M:
    """Set ``values`` (and the many-to-many ``many``) on ``row``, save it and audit the
    fields that changed (``[before, after]``; all of them on creation). Nothing changed:
    nothing saved, nothing recorded. A unique constraint met by a concurrent writer is the
    same refusal as the callers' own check (``clash_code``)."""
    model = type(row)
    created = row._state.adding
    changes: dict[str, Any] = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        before = None if created else _audit_value(getattr(row, field.attname))  # type: ignore[union-attr]
        after = _audit_value(value)
        if created or before != after:
            changes[name] = after if created else [before, after]
        setattr(row, name, value)
    for name, related in (many or {}).items():
        before_ids = [] if created else sorted(getattr(row, name).values_list("pk", flat=True))
        after_ids = sorted(item.pk for item in related)
        if created or before_ids != after_ids:
            changes[name] = after_ids if created else [before_ids, after_ids]
    if not changes:
        return row
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as error:
        raise Conflict(_("Valoarea există deja."), code=clash_code,
                       fields={clash_field: [_("Valoarea există deja.")]}) from error
    for name, related in (many or {}).items():
        getattr(row, name).set(related)
    audit_record(action=f"config.{model._meta.model_name}.{'create' if created else 'update'}",
                 actor=actor, object_type=model._meta.label_lower, object_id=row.pk,
                 details={"values" if created else "changes": changes})
    return row


def config_delete(*, actor: User | None, model: type[Model], pk: int) -> None:
    """Delete a row nothing references (code ``in_use`` otherwise: deactivate it instead)."""
    with config_writing(model, pk, actor=actor, verb="delete"):
        row = config_load(model, pk)
        users = config_references(row)
        if users:
            message = (_("„%(row)s” este folosit de: %(users)s. Dezactivați-l în loc să-l "
                         "ștergeți.") if active_flag(model) is not None
                       else _("„%(row)s” este folosit de: %(users)s. Eliminați mai întâi "
                              "aceste legături."))
            raise Conflict(message % {"row": row, "users": ", ".join(users)}, code="in_use",
                           details={"used_by": users})
        label = str(row)
        row.delete()
        audit_record(action=f"config.{model._meta.model_name}.delete", actor=actor,
                     object_type=model._meta.label_lower, object_id=pk,
                     details={"name": label})


def config_institution(pk: int | None, *, keep: int | None) -> Institution | None:
    """In a hub, a current member institution; in a provider, its own institution."""
    try:
        return config_reference(institutions_allowed(tenant=current_tenant()), pk,
                                field="institution", code="institution_not_allowed",
                                keep=keep)
    except InvalidInput as error:
        raise InvalidInput(_("Instituția aleasă nu este deservită de acest spațiu."),
                           code=error.code, fields=error.fields) from error


# --- service groups and services ------------------------------------------------------------

@dataclass(frozen=True)
class ServiceGroupInput:
    code: str = ""
    name: str = ""


def service_group_save(*, actor: User | None, data: ServiceGroupInput,
                       pk: int | None = None) -> ServiceGroup:
    with config_writing(ServiceGroup, pk, actor=actor):
        group = config_load(ServiceGroup, pk)
        code = config_code(data.code, limit=40)
        _check_code_free(group, code)
        return config_store(group, {"code": code, "name": config_text(
            data.name, field="name", required=True)}, actor=actor,
            clash_code="duplicate_code", clash_field="code")


def _check_code_free(row: Model, code: str) -> None:
    config_unique(row, Q(code__iexact=code), field="code", code="duplicate_code",
                  message=_("Codul „%(code)s” este deja folosit.") % {"code": code})


@dataclass(frozen=True)
class ServiceInput:
    code: str = ""
    name: str = ""
    name_ru: str = ""
    name_en: str = ""
    group: int | None = None
    institution: int | None = None
    resolution_hours: int | None = None
    is_active: bool = True


def service_save(*, actor: User | None, data: ServiceInput, pk: int | None = None) -> Service:
    with config_writing(Service, pk, actor=actor):
        service = config_load(Service, pk)
        code = config_code(data.code, limit=40)
        values = {
            "code": code,
            "name": config_text(data.name, field="name", required=True),
            "name_ru": config_text(data.name_ru, field="name_ru"),
            "name_en": config_text(data.name_en, field="name_en"),
            "group": config_reference(ServiceGroup.objects.all(), data.group, field="group",
                                      code="unknown_group"),
            "institution": config_institution(data.institution, keep=service.institution_id),
            "resolution_hours": config_optional_number(
                data.resolution_hours, field="resolution_hours", low=1,
                high=RESOLUTION_HOURS_MAX),
            "is_active": bool(data.is_active),
        }
        _check_code_free(service, code)
        return config_store(service, values, actor=actor, clash_code="duplicate_code",
                            clash_field="code")


# --- categories ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CategoryInput:
    name: str = ""
    parent: int | None = None
    is_active: bool = True


def category_save(*, actor: User | None, data: CategoryInput, pk: int | None = None) -> Category:
    with config_writing(Category, pk, actor=actor):
        category = config_load(Category, pk)
        name = config_text(data.name, field="name", required=True)
        parent = config_reference(Category.objects.all(), data.parent, field="parent",
                                  code="unknown_category", keep=category.parent_id)
        if parent is not None and category.pk is not None:
            _refuse_cycle(category.pk, parent.pk)
        message = _("O categorie „%(name)s” există deja la acest nivel.") % {"name": name}
        config_unique(category, Q(name__iexact=name, parent=parent), field="name",
                      code="duplicate_name", message=message)
        return config_store(category, {"name": name, "parent": parent,
                                       "is_active": bool(data.is_active)},
                            actor=actor, clash_code="duplicate_name", clash_field="name")


def _refuse_cycle(category_id: int, parent_id: int) -> None:
    """A category may not sit under itself or under one of its descendants."""
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    ancestor: int | None = parent_id
    seen: set[int] = set()
    while ancestor is not None and ancestor not in seen:
        if ancestor == category_id:
            raise InvalidInput(_("O categorie nu poate fi pusă sub ea însăși sau sub una "
                                 "dintre subcategoriile ei."), code="category_cycle",
                               fields={"parent": [_("Ar forma un ciclu.")]})
        seen.add(ancestor)
        ancestor = parents.get(ancestor)


# --- priorities and the matrix ---------------------------------------------------------

@dataclass(frozen=True)
class PriorityInput:
    code: str = ""
    name: str = ""
    rank: int | None = None


def priority_save(*, actor: User | None, data: PriorityInput, pk: int | None = None) -> Priority:
    with config_writing(Priority, pk, actor=actor):
        priority = config_load(Priority, pk)
        code = config_code(data.code, limit=20)
        rank = config_number(data.rank, field="rank", low=1, high=99)
        _check_code_free(priority, code)
        config_unique(priority, Q(rank=rank), field="rank", code="duplicate_rank",
                      message=_("Rangul %(rank)s este deja al altei priorități.")
                      % {"rank": rank})
        return config_store(priority, {"code": code, "rank": rank, "name": config_text(
            data.name, field="name", required=True, limit=100)}, actor=actor,
            clash_code="duplicate_code", clash_field="code")


def matrix_field(impact: int, urgency: int) -> str:
    """The name a matrix cell has in forms and refusals."""
    return f"cell_{impact}_{urgency}"


def priority_matrix_set(*, actor: User | None,
                        cells: Mapping[tuple[int, int], int | None]) -> dict[tuple[int, int], int]:
    """Set the whole impact x urgency matrix: every one of the nine cells names a priority."""
    with config_writing(PriorityRule, None, actor=actor, verb="update"):
        unknown_cells = [cell for cell in cells if not (
            cell[0] in MATRIX_LEVELS and cell[1] in MATRIX_LEVELS)]
        if unknown_cells:
            raise InvalidInput(_("Impactul și urgența sunt valori de la 1 la 3."),
                               code="invalid_priority_input",
                               fields={"cells": [_("Valoare între 1 și 3.")]})
        missing = [matrix_field(i, u) for i in MATRIX_LEVELS for u in MATRIX_LEVELS
                   if cells.get((i, u)) is None]
        if missing:
            raise InvalidInput(_("Fiecare celulă a matricei trebuie să aibă o prioritate."),
                               code="matrix_incomplete",
                               fields={name: [_("Alegeți prioritatea.")] for name in missing})
        chosen = {cell: int(pk) for cell, pk in cells.items() if pk is not None}
        known = {p.pk: p.code for p in Priority.objects.filter(pk__in=set(chosen.values()))}
        unknown = [matrix_field(*cell) for cell, pk in chosen.items() if pk not in known]
        if unknown:
            raise InvalidInput(_("Prioritatea aleasă nu există."), code="unknown_priority",
                               fields={name: [_("Valoare necunoscută.")] for name in unknown})
        current = {(rule.impact, rule.urgency): rule
                   for rule in PriorityRule.objects.select_for_update().select_related(
                       "priority")}
        changes: dict[str, list[str | None]] = {}
        for cell, pk in sorted(chosen.items()):
            rule = current.get(cell)
            if rule is not None and rule.priority_id == pk:
                continue
            changes[f"{cell[0]}x{cell[1]}"] = [rule.priority.code if rule else None, known[pk]]
            if rule is None:
                PriorityRule.objects.create(impact=cell[0], urgency=cell[1], priority_id=pk)
            else:
                rule.priority_id = pk
                rule.save(update_fields=["priority"])
        if changes:
            audit_record(action="config.priorityrule.update", actor=actor,
                         object_type=PriorityRule._meta.label_lower,
                         details={"changes": changes})
        return chosen


# --- teams, members, queues ---------------------------------------------------------------

@dataclass(frozen=True)
class TeamInput:
    name: str = ""
    level: int | None = Team.Level.L1
    institution: int | None = None
    external_tenant: int | None = None
    is_active: bool = True


def team_save(*, actor: User | None, data: TeamInput, pk: int | None = None) -> Team:
    with config_writing(Team, pk, actor=actor):
        team = config_load(Team, pk)
        name = config_text(data.name, field="name", required=True)
        level = config_number(data.level, field="level", low=1, high=3)
        tenant = current_tenant()
        external = config_reference(external_tenants_allowed(tenant=tenant),
                                    data.external_tenant, field="external_tenant",
                                    code="external_tenant_not_allowed",
                                    keep=team.external_tenant_id)
        if external is not None and level != Team.Level.L3:
            raise InvalidInput(_("Doar o echipă de nivelul 3 poate aparține altui prestator."),
                               code="external_team_level",
                               fields={"external_tenant": [_("Doar pentru nivelul 3.")]})
        if team.pk is not None and not data.is_active and team.is_active \
                and team.queues.filter(is_active=True).exists():
            raise Conflict(_("Echipa are cozi active: dezactivați-le sau mutați-le mai întâi."),
                           code="team_has_active_queues")
        config_unique(team, Q(name__iexact=name), field="name", code="duplicate_name",
                      message=_("O echipă „%(name)s” există deja.") % {"name": name})
        values = {"name": name, "level": level, "external_tenant": external,
                  "institution": config_institution(data.institution, keep=team.institution_id),
                  "is_active": bool(data.is_active)}
        if team.pk is not None and level != team.level:  # the members must suit it
            _refuse_ineligible(level, list(TeamMember.objects.filter(team=team).values_list(
                "user_id", flat=True)))
        return config_store(team, values, actor=actor, clash_code="duplicate_name",
                            clash_field="name")


def _refuse_ineligible(level: int, user_ids: Sequence[int]) -> None:
    eligible = set(member_candidates(level=level, tenant=current_tenant())
                   .filter(user_id__in=user_ids).values_list("user_id", flat=True))
    refused = [pk for pk in user_ids if pk not in eligible]
    if refused:
        raise InvalidInput(
            _("Doar persoanele cu acces activ care lucrează tichete la nivelul echipei pot fi "
              "membri (nivelul %(level)s).") % {"level": level},
            code="member_not_eligible", fields={"user": [_("Persoană neeligibilă.")]},
            details={"users": refused})


def team_member_add(*, actor: User | None, team_id: int, user_id: int | None,
                    on_shift: bool = False) -> TeamMember:
    with config_writing(TeamMember, None, actor=actor):
        team = config_load(Team, team_id)
        if user_id is None:
            raise InvalidInput(_("Alegeți persoana."), code="required",
                               fields={"user": [_("Câmp obligatoriu.")]})
        _refuse_ineligible(team.level, [user_id])
        message = _("Persoana este deja membru al echipei.")
        member = TeamMember(team=team)
        config_unique(member, Q(team=team, user_id=user_id), field="user",
                      code="duplicate_member", message=message)
        return config_store(member, {"team": team, "user": User.objects.get(pk=user_id),
                                     "on_shift": bool(on_shift)},
                            actor=actor, clash_code="duplicate_member", clash_field="user")


def team_member_update(*, actor: User | None, team_id: int, member_id: int,
                       on_shift: bool) -> TeamMember:
    with config_writing(TeamMember, member_id, actor=actor):
        member = team_member_get(team_id=team_id, member_id=member_id, for_update=True)
        return config_store(member, {"on_shift": bool(on_shift)}, actor=actor,
                            clash_code="duplicate_member", clash_field="user")


def team_member_remove(*, actor: User | None, team_id: int, member_id: int) -> None:
    with config_writing(TeamMember, member_id, actor=actor, verb="delete"):
        member = team_member_get(team_id=team_id, member_id=member_id, for_update=True)
        member.delete()
        audit_record(action="config.teammember.delete", actor=actor,
                     object_type=TeamMember._meta.label_lower, object_id=member_id,
                     details={"team": team_id, "user": member.user_id})


@dataclass(frozen=True)
class QueueInput:
    name: str = ""
    team: int | None = None
    auto_assign: bool = False
    is_active: bool = True


def queue_save(*, actor: User | None, data: QueueInput, pk: int | None = None) -> Queue:
    with config_writing(Queue, pk, actor=actor):
        queue = config_load(Queue, pk)
        name = config_text(data.name, field="name", required=True)
        team = config_reference(Team.objects.all(), data.team, field="team",
                                code="unknown_team", keep=queue.team_id, required=True)
        config_unique(queue, Q(name__iexact=name), field="name", code="duplicate_name",
                      message=_("O coadă „%(name)s” există deja.") % {"name": name})
        return config_store(queue, {"name": name, "team": team,
                                    "auto_assign": bool(data.auto_assign),
                                    "is_active": bool(data.is_active)},
                            actor=actor, clash_code="duplicate_name", clash_field="name")


# --- routing rules ------------------------------------------------------------------------

@dataclass(frozen=True)
class RoutingRuleInput:
    name: str = ""
    channel: str = ""
    service: int | None = None
    institution: int | None = None
    keywords: Sequence[str] = ()
    queue: int | None = None
    is_active: bool = True


def _keywords(values: Sequence[str]) -> list[str]:
    words: list[str] = []
    for value in values:
        word = str(value).strip()
        if word and word.casefold() not in (known.casefold() for known in words):
            words.append(word)
    if len(words) > KEYWORDS_MAX or any(len(word) > KEYWORD_LIMIT for word in words):
        raise InvalidInput(_("Cel mult %(count)d cuvinte-cheie, fiecare de cel mult "
                             "%(limit)d caractere.") % {"count": KEYWORDS_MAX,
                                                         "limit": KEYWORD_LIMIT},
                           code="invalid_keywords", fields={"keywords": [_("Prea multe sau "
                                                                           "prea lungi.")]})
    return words


def routing_rule_save(*, actor: User | None, data: RoutingRuleInput,
                      pk: int | None = None) -> RoutingRule:
    """A new rule goes last; ``routing_rule_move`` changes the order."""
    with config_writing(RoutingRule, pk, actor=actor):
        rule = config_load(RoutingRule, pk)
        channel = (data.channel or "").strip()
        if channel and channel not in Ticket.Channel.values:
            raise InvalidInput(_("Canal necunoscut."), code="unknown_channel",
                               fields={"channel": [_("Valoare necunoscută.")]})
        values: dict[str, Any] = {
            "name": config_text(data.name, field="name", required=True),
            "channel": channel,
            "service": config_reference(Service.objects.all(), data.service, field="service",
                                        code="unknown_service", keep=rule.service_id),
            "institution": config_institution(data.institution, keep=rule.institution_id),
            "keywords": _keywords(data.keywords),
            "queue": config_reference(Queue.objects.all(), data.queue, field="queue",
                                      code="unknown_queue", keep=rule.queue_id,
                                      required=True),
            "is_active": bool(data.is_active),
        }
        if rule.pk is None:
            last = RoutingRule.objects.aggregate(last=Max("position"))["last"]
            values["position"] = (last or 0) + 1
        return config_store(rule, values, actor=actor, clash_code="duplicate_rule",
                            clash_field="name")


def routing_rule_move(*, actor: User | None, pk: int, up: bool) -> list[int]:
    """Swap the rule with its neighbour; positions are renumbered 1..n on the way. Returns
    the rule ids in their new order (unchanged at either end)."""
    with config_writing(RoutingRule, pk, actor=actor, verb="move"):
        rules = list(RoutingRule.objects.select_for_update().order_by("position", "pk"))
        order = [rule.pk for rule in rules]
        if pk not in order:
            raise NotFound(_("Înregistrarea nu există."), code="not_found")
        index = order.index(pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(order):
            return order
        order[index], order[other] = order[other], order[index]
        by_pk = {rule.pk: rule for rule in rules}
        for position, rule_id in enumerate(order, start=1):
            rule = by_pk[rule_id]
            if rule.position != position:
                rule.position = position
                rule.save(update_fields=["position"])
        audit_record(action="config.routingrule.move", actor=actor,
                     object_type=RoutingRule._meta.label_lower, object_id=pk,
                     details={"position": [index + 1, other + 1]})
        return order


# --- canned replies and articles -----------------------------------------------------------

@dataclass(frozen=True)
class CannedReplyInput:
    title: str = ""
    body: str = ""
    service: int | None = None
    is_active: bool = True


def canned_reply_save(*, actor: User | None, data: CannedReplyInput,
                      pk: int | None = None) -> CannedReply:
    with config_writing(CannedReply, pk, actor=actor):
        reply = config_load(CannedReply, pk)
        return config_store(reply, {
            "title": config_text(data.title, field="title", required=True),
            "body": config_text(data.body, field="body", required=True, limit=BODY_LIMIT),
            "service": config_reference(Service.objects.all(), data.service, field="service",
                                        code="unknown_service", keep=reply.service_id),
            "is_active": bool(data.is_active),
        }, actor=actor, clash_code="duplicate_reply", clash_field="title")


@dataclass(frozen=True)
class ArticleInput:
    title: str = ""
    body: str = ""
    services: Sequence[int] = ()
    is_published: bool = True


def article_save(*, actor: User | None, data: ArticleInput,
                 pk: int | None = None) -> KnowledgeArticle:
    with config_writing(KnowledgeArticle, pk, actor=actor):
        article = config_load(KnowledgeArticle, pk)
        linked = set() if pk is None else set(article.services.values_list("pk", flat=True))
        wanted = set(data.services)
        # A service deactivated since stays linked; a new link needs an active service.
        services = list(Service.objects.filter(
            Q(pk__in=wanted & linked) | Q(pk__in=wanted - linked, is_active=True)))
        if len(services) != len(wanted):
            raise InvalidInput(_("Valoarea aleasă nu există sau nu este activă."),
                               code="unknown_service",
                               fields={"services": [_("Valoare necunoscută.")]})
        return config_store(article, {
            "title": config_text(data.title, field="title", required=True),
            "body": config_text(data.body, field="body", required=True, limit=ARTICLE_LIMIT),
            "is_published": bool(data.is_published),
        }, actor=actor, clash_code="duplicate_article", clash_field="title",
            many={"services": services})


# --- ticket settings ----------------------------------------------------------------------

@dataclass(frozen=True)
class TicketSettingsInput:
    number_prefix: str = ""
    reopen_days: int | None = None
    close_after_days: int | None = None
    archive_after_days: int | None = None


def ticket_settings_update(*, actor: User | None, data: TicketSettingsInput) -> TicketSettings:
    """A new prefix applies to the numbers given from now on; numbers given keep theirs."""
    with config_writing(TicketSettings, TicketSettings.SINGLETON_ID, actor=actor):
        ticket_settings_ensure()
        settings = config_load(TicketSettings, TicketSettings.SINGLETON_ID)
        prefix = (data.number_prefix or "").strip().upper()
        if not PREFIX_PATTERN.match(prefix):
            raise InvalidInput(_("Prefixul are 2-12 caractere: litere latine mari și cifre."),
                               code="invalid_prefix",
                               fields={"number_prefix": [_("Prefix nevalid.")]})
        return config_store(settings, {
            "number_prefix": prefix,
            "reopen_days": config_number(data.reopen_days, field="reopen_days",
                                         low=REOPEN_DAYS[0], high=REOPEN_DAYS[1]),
            "close_after_days": config_number(data.close_after_days, field="close_after_days",
                                              low=CLOSE_AFTER_DAYS[0],
                                              high=CLOSE_AFTER_DAYS[1]),
            "archive_after_days": config_number(data.archive_after_days,
                                                field="archive_after_days",
                                                low=ARCHIVE_AFTER_DAYS[0],
                                                high=ARCHIVE_AFTER_DAYS[1]),
        }, actor=actor, clash_code="invalid_prefix", clash_field="number_prefix")
