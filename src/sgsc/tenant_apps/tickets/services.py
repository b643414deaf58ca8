"""Writes of tickets: registration, data updates, transitions, replies, assignment, deadline
edits and corrections. Each runs in one transaction holding the ticket's row lock, appends
its journal entry and its audit event, and refuses bad input with a stable code, audited.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.platform.errors import AccessDenied, Conflict, InvalidInput
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.institutions.models import Institution
from sgsc.shared_apps.workdays.selectors import local_date
from sgsc.tenant_apps.catalog.models import Category, Queue, Service, Team
from sgsc.tenant_apps.catalog.selectors import priority_for, routing_decide
from sgsc.tenant_apps.notifications.services import notify_assigned, notify_escalated
from sgsc.tenant_apps.sla import services as sla
from sgsc.tenant_apps.sla.clock import WorkingTime
from sgsc.tenant_apps.sla.selectors import working_time
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for_user
from sgsc.tenant_apps.tickets.contacts import Requester, contact_resolve
from sgsc.tenant_apps.tickets.journal import (
    CORRECTABLE_FIELDS,
    diff,
    journal_append,
    snapshot,
)
from sgsc.tenant_apps.tickets.lifecycle import (
    REASON_REQUIRED,
    TRANSITIONS,
    Action,
    allowed_actions,
    can_work_level,
)
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket, TicketCounter, TicketSettings
from sgsc.tenant_apps.tickets.search_index import document_vector, ticket_document
from sgsc.tenant_apps.tickets.selectors import ticket_get, ticket_settings_get
from sgsc.tenants.models import Tenant
from sgsc.tenants.schemas import current_schema_name

MAX_TITLE = 255
MAX_TEXT = 20_000
K = JournalEntry.Kind


@contextmanager
def _refusal(action: str, access: TicketAccess, object_id: int | str = "",
             details: dict[str, Any] | None = None) -> Iterator[None]:
    with audited_refusal(action=action, actor=access.user, object_type="ticket",
                         object_id=object_id, details=details, with_fields=True):
        yield


def _require(access: TicketAccess, capability: Capability) -> None:
    if not access.can(capability):
        raise AccessDenied(_("Nu aveți dreptul să efectuați această acțiune."),
                           code="permission_denied")


def ticket_settings_ensure() -> TicketSettings:
    """The tenant's ticket settings; the number prefix defaults to its slug in capitals."""
    settings = ticket_settings_get()
    if settings is None:
        # The tenant's slug, letters and digits only (``schema_context`` gives no slug).
        slug = Tenant.objects.filter(schema_name=current_schema_name()).values_list(
            "slug", flat=True).first() or ""
        prefix = re.sub(r"[^A-Z0-9]", "", slug.upper())[:12] or "SGSC"
        settings, _created = TicketSettings.objects.get_or_create(
            pk=TicketSettings.SINGLETON_ID, defaults={"number_prefix": prefix})
    return settings


def _number_next(*, year: int, prefix: str) -> tuple[int, str]:
    """Gap-free per year: the counter row stays locked until the ticket commits."""
    counter, _created = TicketCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{prefix}-{year}-{counter.last:06d}"


def _text(value: str, *, field: str, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("Completați câmpul."), code="required",
                           fields={field: [_("Câmp obligatoriu.")]})
    if len(value) > limit:
        raise InvalidInput(_("Textul este prea lung."), code="too_long",
                           fields={field: [_("Cel mult %(limit)d caractere.") % {"limit": limit}]})
    return value


def _exists(model: type[Any], pk: int | None, *, field: str, code: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None or getattr(found, "is_active", True) is False:
        raise InvalidInput(_("Valoarea aleasă nu există."), code=code,
                           fields={field: [_("Valoare necunoscută.")]})
    return found


def _institution(pk: int | None, access: TicketAccess) -> Institution | None:
    institution = _exists(Institution, pk, field="institution", code="unknown_institution")
    if institution is not None and access.institution_scope is not None \
            and institution.pk not in access.institution_scope:
        raise AccessDenied(_("Nu deserviți această instituție."), code="institution_not_served")
    return institution


def _reindex(ticket: Ticket) -> None:
    contact = ticket.contact
    ticket.search_vector = document_vector(ticket_document(
        number=ticket.number, subject=ticket.subject, title=ticket.title,
        description=ticket.description,
        contact_text=" ".join(filter(None, (contact.name, contact.idnp, contact.idno,
                                            contact.email, contact.phone)))))


def _save(ticket: Ticket, now: datetime) -> None:
    ticket.updated_at = now
    ticket.save()


@dataclass(frozen=True)
class TicketInput:
    channel: str
    title: str
    requester: Requester
    description: str = ""
    subject: str = ""
    service_id: int | None = None
    category_id: int | None = None
    institution_id: int | None = None
    impact: int = 2
    urgency: int = 2


def ticket_create(*, access: TicketAccess, data: TicketInput,
                  now: datetime | None = None) -> Ticket:
    """Primary registration (amended pt. 33): number, requester, routing, SLA clock."""
    with _refusal("ticket.create", access, details={"channel": data.channel}):
        _require(access, Capability.TICKETS_WORK)
        return _ticket_create(access=access, data=data, now=now or timezone.now())


def _ticket_create(*, access: TicketAccess, data: TicketInput, now: datetime) -> Ticket:
    if data.channel not in Ticket.Channel.values:
        raise InvalidInput(_("Canal necunoscut."), code="unknown_channel",
                           fields={"channel": [_("Valoare necunoscută.")]})
    title = _text(data.title, field="title", required=True, limit=MAX_TITLE)
    subject = _text(data.subject, field="subject", limit=MAX_TITLE)
    description = _text(data.description, field="description")
    service: Service | None = _exists(Service, data.service_id, field="service",
                                      code="unknown_service")
    category = _exists(Category, data.category_id, field="category", code="unknown_category")
    institution_id = data.institution_id
    if institution_id is None and service is not None:
        institution_id = service.institution_id
    institution = _institution(institution_id, access)
    priority = priority_for(impact=data.impact, urgency=data.urgency)
    clock = working_time()
    with transaction.atomic():
        settings = ticket_settings_ensure()
        contact = contact_resolve(requester=data.requester)
        year = local_date(now).year
        sequence, number = _number_next(year=year, prefix=settings.number_prefix)
        route = routing_decide(channel=data.channel, service_id=service.pk if service else None,
                               institution_id=institution.pk if institution else None,
                               text=f"{title} {description}")
        ticket = Ticket(
            number=number, year=year, sequence=sequence, channel=data.channel, contact=contact,
            subject=subject, title=title, description=description, impact=data.impact,
            urgency=data.urgency, priority=priority, category=category, service=service,
            institution=institution, queue=route.queue,
            team=route.queue.team if route.queue else None, created_by=access.user,
            created_at=now, updated_at=now,
        )
        sla.sla_start(ticket=ticket, now=now, clock=clock)
        _reindex(ticket)
        ticket.save(force_insert=True)
        journal_append(ticket=ticket, kind=K.CREATED, actor=access.user, at=now,
                       changes=diff({}, snapshot(ticket)), body=description,
                       visibility=JournalEntry.Visibility.PUBLIC)
        if route.queue is not None and route.queue.auto_assign:
            _assign_round_robin(ticket=ticket, queue=route.queue, actor=access.user, now=now)
        _save(ticket, now)
        audit_record(action="ticket.create", actor=access.user, object_type="ticket",
                     object_id=ticket.pk, details={"number": number, "channel": data.channel,
                                                   "routing_rule": route.rule_id})
    return ticket


def _assign_round_robin(*, ticket: Ticket, queue: Queue, actor: User | None,
                        now: datetime) -> None:
    """The queue team's member on shift who was assigned longest ago takes the ticket."""
    member = (queue.team.members.select_for_update(skip_locked=True)
              .filter(on_shift=True, user__is_active=True)
              # Someone never assigned yet goes first (PostgreSQL sorts NULLs last).
              .order_by(F("last_assigned_at").asc(nulls_first=True), "pk").first())
    if member is None:
        return
    before = snapshot(ticket)
    ticket.assignee_id = member.user_id
    member.last_assigned_at = now
    member.save(update_fields=["last_assigned_at"])
    journal_append(ticket=ticket, kind=K.ASSIGNED, actor=actor, at=now,
                   changes=diff(before, snapshot(ticket)), reason=_("Repartizare automată"))
    notify_assigned(ticket=ticket, actor=actor)


UPDATABLE = ("subject", "title", "description", "service_id", "category_id", "institution_id",
             "impact", "urgency", "queue_id", "team_id")


def ticket_update(*, access: TicketAccess, ticket_id: int, changes: dict[str, Any],
                  reason: str = "", now: datetime | None = None) -> Ticket:
    """A data update (amended pt. 33): new values, one journal entry, deadlines recomputed
    when the priority or the service changes."""
    with _refusal("ticket.update", access, ticket_id, {"fields": sorted(changes)}):
        _require(access, Capability.TICKETS_WORK)
        unknown = sorted(set(changes) - set(UPDATABLE))
        if unknown:
            raise InvalidInput(_("Câmpuri necunoscute."), code="unknown_fields",
                               fields={name: [_("Câmp necunoscut.")] for name in unknown})
        now = now or timezone.now()
        with transaction.atomic():
            ticket = _locked(access, ticket_id)
            _check_level(access, ticket)
            if not ticket.is_active:
                raise Conflict(_("O solicitare închisă nu se mai modifică; redeschideți-o."),
                               code="ticket_not_active")
            before = snapshot(ticket)
            _apply_data(ticket, changes, access)
            _after_data_change(ticket, before, now)
            entry_changes = diff(before, snapshot(ticket))
            if not entry_changes:
                return ticket
            journal_append(ticket=ticket, kind=K.UPDATED, actor=access.user, at=now,
                           changes=entry_changes, reason=_text(reason, field="reason",
                                                               limit=500))
            _reindex(ticket)
            _save(ticket, now)
            audit_record(action="ticket.update", actor=access.user, object_type="ticket",
                         object_id=ticket.pk, details={"fields": sorted(entry_changes)})
        return ticket


def _apply_data(ticket: Ticket, changes: dict[str, Any], access: TicketAccess) -> None:
    for name, value in changes.items():
        if name in ("subject", "title"):
            setattr(ticket, name, _text(value, field=name, required=name == "title",
                                        limit=MAX_TITLE))
        elif name == "description":
            ticket.description = _text(value, field=name)
        elif name == "service_id":
            ticket.service = _exists(Service, value, field="service", code="unknown_service")
        elif name == "category_id":
            ticket.category = _exists(Category, value, field="category", code="unknown_category")
        elif name == "institution_id":
            ticket.institution = _institution(value, access)
        elif name == "queue_id":
            queue = _exists(Queue, value, field="queue", code="unknown_queue")
            ticket.queue = queue
            if queue is not None:
                ticket.team = queue.team
        elif name == "team_id":
            ticket.team = _exists(Team, value, field="team", code="unknown_team")
        elif name in ("impact", "urgency"):
            setattr(ticket, name, value)
    ticket.priority = priority_for(impact=ticket.impact, urgency=ticket.urgency)


def _after_data_change(ticket: Ticket, before: dict[str, Any], now: datetime) -> None:
    if (before["priority_id"], before["service_id"]) != (ticket.priority_id, ticket.service_id):
        sla.sla_recompute(ticket=ticket, now=now, clock=working_time())


def _locked(access: TicketAccess, ticket_id: int) -> Ticket:
    return ticket_get(access=access, ticket_id=ticket_id, for_update=True)


def _check_level(access: TicketAccess, ticket: Ticket) -> None:
    if not can_work_level(level=ticket.level, capabilities=access.capabilities):
        raise AccessDenied(_("Solicitarea este la nivelul %(level)d de suport; nu aveți acest "
                             "nivel.") % {"level": ticket.level}, code="level_not_allowed")


@dataclass(frozen=True)
class Escalation:
    level: int
    team_id: int | None = None
    due_at: datetime | None = None


def ticket_transition(*, access: TicketAccess, ticket_id: int, action: str, reason: str = "",
                      escalation: Escalation | None = None,
                      now: datetime | None = None) -> Ticket:
    """Move the ticket along the state machine (``lifecycle.TRANSITIONS``)."""
    known = action in {move.value for move in Action}
    with _refusal(f"ticket.{action}" if known else "ticket.transition", access, ticket_id,
                  {"action": action}):
        now = now or timezone.now()
        with transaction.atomic():
            ticket = _locked(access, ticket_id)
            _transition(access=access, ticket=ticket, action=action, reason=reason,
                        escalation=escalation, now=now)
        return ticket


def _transition(*, access: TicketAccess, ticket: Ticket, action: str, reason: str,
                escalation: Escalation | None, now: datetime) -> None:
    if action not in {a.value for a in Action}:
        raise InvalidInput(_("Acțiune necunoscută."), code="unknown_action")
    move = Action(action)
    _check_level(access, ticket)
    if move not in allowed_actions(ticket=ticket, capabilities=access.capabilities):
        raise Conflict(_("Acțiunea „%(action)s” nu este permisă din starea „%(status)s”.")
                       % {"action": TRANSITIONS[move].label,
                          "status": ticket.get_status_display()},
                       code="invalid_transition")
    reason = _text(reason, field="reason", required=move in REASON_REQUIRED, limit=500)
    before = snapshot(ticket)
    clock = working_time()
    kind = K.STATUS
    if move is Action.ESCALATE:
        _escalate(ticket, escalation, access, now, reason)
        kind = K.ESCALATED
    elif move is Action.RETURN:
        _return_to_level1(ticket)
    elif move is Action.REOPEN:
        _check_reopen(ticket, now)
    ticket.status = TRANSITIONS[move].target
    _clock_follows(ticket, move, clock, now)
    journal_append(ticket=ticket, kind=kind, actor=access.user, at=now,
                   changes=diff(before, snapshot(ticket)), reason=reason,
                   visibility=(JournalEntry.Visibility.PUBLIC if move in (
                       Action.RESOLVE, Action.WAIT) else JournalEntry.Visibility.INTERNAL))
    _save(ticket, now)
    audit_record(action=f"ticket.{move.value}", actor=access.user, object_type="ticket",
                 object_id=ticket.pk, details={"from": before["status"], "to": ticket.status,
                                               "level": ticket.level})
    _exchange_notify(ticket)


def _escalate(ticket: Ticket, escalation: Escalation | None, access: TicketAccess,
              now: datetime, reason: str) -> None:
    target = escalation.level if escalation is not None else ticket.level + 1
    if target != ticket.level + 1 or target > 3:
        raise InvalidInput(_("Escaladarea se face la nivelul următor."),
                           code="invalid_escalation_level",
                           fields={"level": [_("Nivel nevalid.")]})
    team: Team | None = None
    if escalation is not None and escalation.team_id is not None:
        team = _exists(Team, escalation.team_id, field="team", code="unknown_team")
        if team is not None and team.level != target:
            raise InvalidInput(_("Echipa aleasă nu lucrează la nivelul %(level)d.")
                               % {"level": target}, code="team_level_mismatch",
                               fields={"team": [_("Echipă de alt nivel.")]})
    due_at = escalation.due_at if escalation is not None else None
    # The originating level keeps control of the deadline (Annex 1 §18.4, §18.10): the
    # level's deadline is within the ticket's, unless a supervisor decides otherwise.
    limit = ticket.resolution_due_at
    if due_at is not None:
        if due_at <= now:
            raise InvalidInput(_("Termenul nivelului trebuie să fie în viitor."),
                               code="level_deadline_past", fields={"due_at": [_("Termen trecut.")]})
        if limit is not None and due_at > limit and not access.can(Capability.TICKETS_SUPERVISE):
            raise InvalidInput(_("Termenul nivelului nu poate depăși termenul solicitării."),
                               code="level_deadline_after_resolution",
                               fields={"due_at": [_("După termenul solicitării.")]})
    ticket.level = target
    ticket.level_due_at = due_at or limit
    ticket.team = team
    ticket.queue = team.queues.filter(is_active=True).first() if team is not None else None
    ticket.assignee = None
    notify_escalated(ticket=ticket, actor=access.user)
    if team is not None and team.external_tenant_id is not None:
        # Another tenant's L3 team: the hand-over goes through the public exchange.
        from sgsc.shared_apps.exchange.services import exchange_l3_request

        exchange_l3_request(ticket=ticket, target_tenant_id=team.external_tenant_id,
                            reason=reason, actor=access.user, now=now)


def _return_to_level1(ticket: Ticket) -> None:
    """Back to level 1, into the team and queue it left when it was escalated from there (the
    escalation's entry recorded them), so that L1's queues show it again."""
    sent = (ticket.journal.filter(kind=K.ESCALATED, changes__level=[1, 2])
            .order_by("-seq").first())
    previous = sent.changes if sent is not None else {}
    ticket.level = 1
    ticket.level_due_at = None
    if "team_id" in previous:
        ticket.team = Team.objects.filter(pk=previous["team_id"][0], is_active=True).first()
    if "queue_id" in previous:
        ticket.queue = Queue.objects.filter(pk=previous["queue_id"][0],
                                            is_active=True).first()


def _check_reopen(ticket: Ticket, now: datetime) -> None:
    settings = ticket_settings_ensure()
    since = ticket.closed_at or ticket.resolved_at
    if since is not None and (now - since).days >= settings.reopen_days:
        raise Conflict(_("Termenul de redeschidere (%(days)d zile) a expirat; înregistrați o "
                         "solicitare nouă.") % {"days": settings.reopen_days},
                       code="reopen_period_over")


def _clock_follows(ticket: Ticket, move: Action, clock: WorkingTime, now: datetime) -> None:
    if move is Action.WAIT:
        sla.sla_pause(ticket=ticket, now=now, clock=clock)
    elif move in (Action.RESUME, Action.REOPEN):
        sla.sla_resume(ticket=ticket, now=now, clock=clock)
        ticket.resolved_at = None
        ticket.closed_at = None
    elif move is Action.RESOLVE:
        sla.sla_stop(ticket=ticket, now=now, clock=clock)
        ticket.resolved_at = now
    elif move is Action.CLOSE:
        ticket.closed_at = now
    elif move is Action.ARCHIVE:
        ticket.archived_at = now


def ticket_reply(*, access: TicketAccess, ticket_id: int, body: str, public: bool,
                 now: datetime | None = None) -> JournalEntry:
    """A public reply to the requester (the first one meets the first-response target) or an
    internal note."""
    action = "ticket.reply" if public else "ticket.note"
    with _refusal(action, access, ticket_id):
        now = now or timezone.now()
        body = _text(body, field="body", required=True)
        with transaction.atomic():
            ticket = _locked(access, ticket_id)
            _check_level(access, ticket)
            if ticket.status == Ticket.Status.ARCHIVED:
                raise Conflict(_("O solicitare arhivată nu se mai modifică."),
                               code="ticket_archived")
            before = snapshot(ticket)
            if public and ticket.first_responded_at is None:
                ticket.first_responded_at = now
            if ticket.status == Ticket.Status.NEW:
                ticket.status = Ticket.Status.OPEN
            entry = journal_append(
                ticket=ticket, kind=K.REPLY if public else K.NOTE, actor=access.user, at=now,
                changes=diff(before, snapshot(ticket)), body=body,
                visibility=(JournalEntry.Visibility.PUBLIC if public
                            else JournalEntry.Visibility.INTERNAL))
            _save(ticket, now)
            audit_record(action=action, actor=access.user, object_type="ticket",
                         object_id=ticket.pk, details={"entry": entry.seq})
            _exchange_notify(ticket)
        return entry


def ticket_assign(*, access: TicketAccess, ticket_id: int, assignee: User | None,
                  now: datetime | None = None) -> Ticket:
    """Assign by hand: anyone takes a ticket of their level for themselves; assigning someone
    else or unassigning needs the supervisor's right."""
    with _refusal("ticket.assign", access, ticket_id,
                  {"assignee": assignee.pk if assignee else None}):
        now = now or timezone.now()
        with transaction.atomic():
            ticket = _locked(access, ticket_id)
            _check_level(access, ticket)
            if not ticket.is_active:
                raise Conflict(_("Doar solicitările active se repartizează."),
                               code="ticket_not_active")
            if assignee != access.user:
                _require(access, Capability.TICKETS_SUPERVISE)
            if assignee is not None:
                _check_assignee(ticket, assignee)
            before = snapshot(ticket)
            ticket.assignee = assignee
            if ticket.status == Ticket.Status.NEW and assignee is not None:
                ticket.status = Ticket.Status.OPEN
            journal_append(ticket=ticket, kind=K.ASSIGNED, actor=access.user, at=now,
                           changes=diff(before, snapshot(ticket)))
            notify_assigned(ticket=ticket, actor=access.user)
            _save(ticket, now)
            audit_record(action="ticket.assign", actor=access.user, object_type="ticket",
                         object_id=ticket.pk,
                         details={"assignee": assignee.pk if assignee else None})
        return ticket


def _check_assignee(ticket: Ticket, assignee: User) -> None:
    target = ticket_access_for_user(user=assignee)
    if not can_work_level(level=ticket.level, capabilities=target.capabilities) or (
            target.institution_scope is not None
            and ticket.institution_id not in target.institution_scope):
        raise InvalidInput(_("Persoana aleasă nu poate lucra această solicitare."),
                           code="assignee_not_eligible",
                           fields={"assignee": [_("Fără dreptul necesar.")]})


def ticket_deadline_set(*, access: TicketAccess, ticket_id: int, due_at: datetime, reason: str,
                        now: datetime | None = None) -> Ticket:
    """A supervisor fixes the resolution deadline by hand, with a reason; later priority or
    service changes keep it."""
    with _refusal("ticket.deadline", access, ticket_id):
        if not access.can(Capability.TICKETS_SUPERVISE):
            raise AccessDenied(_("Doar supervizorul modifică termenul."),
                               code="deadline_edit_denied")
        now = now or timezone.now()
        reason = _text(reason, field="reason", required=True, limit=500)
        if due_at <= now:
            raise InvalidInput(_("Termenul trebuie să fie în viitor."), code="deadline_past",
                               fields={"due_at": [_("Termen trecut.")]})
        with transaction.atomic():
            ticket = _locked(access, ticket_id)
            if not ticket.is_active:
                raise Conflict(_("Doar solicitările active au termen."),
                               code="ticket_not_active")
            before = snapshot(ticket)
            ticket.deadline_fixed = True
            ticket.resolution_due_at = due_at
            clock = working_time()
            if ticket.sla_running_since is not None:
                sla.sla_recompute(ticket=ticket, now=now, clock=clock)
            journal_append(ticket=ticket, kind=K.SLA, actor=access.user, at=now,
                           changes=diff(before, snapshot(ticket)), reason=reason)
            _save(ticket, now)
            audit_record(action="ticket.deadline", actor=access.user, object_type="ticket",
                         object_id=ticket.pk, details={"due_at": due_at.isoformat()})
        return ticket


def journal_correct(*, access: TicketAccess, ticket_id: int, entry_seq: int,
                    changes: dict[str, Any], reason: str,
                    now: datetime | None = None) -> JournalEntry:
    """Put right the data an entry registered (R4 §23): a new entry annuls it and replaces
    its values; the earlier entry stays, marked annulled."""
    with _refusal("ticket.correct", access, ticket_id, {"entry": entry_seq}):
        now = now or timezone.now()
        reason = _text(reason, field="reason", required=True, limit=500)
        with transaction.atomic():
            ticket = _locked(access, ticket_id)
            _check_level(access, ticket)
            entry = ticket.journal.filter(seq=entry_seq).first()
            if entry is None:
                raise InvalidInput(_("Înregistrarea din jurnal nu există."),
                                   code="entry_not_found")
            _check_correctable(ticket, entry, changes)
            before = snapshot(ticket)
            _apply_data(ticket, changes, access)
            _after_data_change(ticket, before, now)
            after = snapshot(ticket)
            replaced = {name: [values[0], after.get(name, values[1])]
                        for name, values in entry.changes.items()}
            replaced.update({name: [before.get(name), after.get(name)]
                             for name in after if before.get(name) != after.get(name)})
            correction = journal_append(ticket=ticket, kind=K.CORRECTION, actor=access.user,
                                        at=now, changes=replaced, reason=reason, annuls=entry)
            _reindex(ticket)
            _save(ticket, now)
            audit_record(action="ticket.correct", actor=access.user, object_type="ticket",
                         object_id=ticket.pk, details={"annuls": entry.seq,
                                                       "fields": sorted(changes)})
        return correction


def _check_correctable(ticket: Ticket, entry: JournalEntry, changes: dict[str, Any]) -> None:
    names = set(changes)
    if not names or not names <= (CORRECTABLE_FIELDS & set(UPDATABLE)):
        raise InvalidInput(_("Se pot corecta doar datele înregistrate ale solicitării."),
                           code="field_not_correctable")
    if entry.kind == K.CORRECTION or entry.annulled_by.exists():
        raise Conflict(_("Această înregistrare a fost deja corectată."),
                       code="entry_already_corrected")
    if not names <= set(entry.changes):
        raise InvalidInput(_("Înregistrarea nu a stabilit aceste câmpuri."),
                           code="field_not_in_entry")
    later = ticket.journal.filter(seq__gt=entry.seq).exclude(kind=K.CORRECTION)
    for other in later:
        if names & set(other.changes):
            raise Conflict(_("Valoarea a fost modificată ulterior; corectați ultima "
                             "înregistrare."), code="correction_outdated")
    if not ticket.is_active:
        raise Conflict(_("O solicitare închisă nu se mai modifică; redeschideți-o."),
                       code="ticket_not_active")


# --- Tickets handed over between tenants (``sgsc.shared_apps.exchange``) ---------------------
# The exchange calls these inside one tenant's schema at a time, with only the minimised
# payload it carries. No person of this tenant acts: the journal's actor stays empty and the
# audit names the exchange.

EXCHANGE_ACTOR_LABEL = "schimb de date"


@dataclass(frozen=True)
class ReceivedTicket:
    """What another tenant's L2 sends to this tenant's L3."""

    source_label: str  # the sending tenant's name
    source_number: str
    channel: str
    title: str
    description: str
    reason: str  # what the sending L2 asks of L3
    service_code: str
    requester: Requester
    impact: int
    urgency: int
    due_at: datetime | None  # the originating level's deadline, kept fixed here


def ticket_receive(*, received: ReceivedTicket, now: datetime | None = None) -> Ticket:
    """Register at level 3 a ticket another tenant escalated to this tenant: it goes to this
    tenant's first active L3 team, and its deadline is the originating level's, fixed (the
    originating level keeps control of it, Annex 1 §18.4)."""
    now = now or timezone.now()
    if received.channel not in Ticket.Channel.values:
        raise InvalidInput(_("Canal necunoscut."), code="unknown_channel",
                           fields={"channel": [_("Valoare necunoscută.")]})
    title = _text(received.title, field="title", required=True, limit=MAX_TITLE)
    description = _text(received.description, field="description")
    service = (Service.objects.filter(code=received.service_code, is_active=True).first()
               if received.service_code else None)
    team = (Team.objects.filter(level=3, is_active=True, external_tenant__isnull=True)
            .order_by("name", "pk").first())
    queue = team.queues.filter(is_active=True).first() if team is not None else None
    priority = priority_for(impact=received.impact, urgency=received.urgency)
    origin = {"tenant": received.source_label, "number": received.source_number}
    clock = working_time()
    with transaction.atomic():
        settings = ticket_settings_ensure()
        contact = contact_resolve(requester=received.requester)
        year = local_date(now).year
        sequence, number = _number_next(year=year, prefix=settings.number_prefix)
        ticket = Ticket(
            number=number, year=year, sequence=sequence, channel=received.channel,
            contact=contact, subject=(_("Primită de la %(tenant)s") % origin)[:MAX_TITLE],
            title=title, description=description, status=Ticket.Status.ESCALATED, level=3,
            impact=received.impact, urgency=received.urgency, priority=priority,
            service=service, institution_id=service.institution_id if service else None,
            queue=queue, team=team, deadline_fixed=received.due_at is not None,
            resolution_due_at=received.due_at, level_due_at=received.due_at,
            created_at=now, updated_at=now,
        )
        sla.sla_start(ticket=ticket, now=now, clock=clock)
        _reindex(ticket)
        ticket.save(force_insert=True)
        journal_append(ticket=ticket, kind=K.CREATED, actor=None, actor_label=EXCHANGE_ACTOR_LABEL, at=now,
                       changes=diff({}, snapshot(ticket)), body=description,
                       reason=_("Primită de la %(tenant)s, solicitarea nr. %(number)s")
                       % origin)
        journal_append(ticket=ticket, kind=K.NOTE, actor=None, actor_label=EXCHANGE_ACTOR_LABEL, at=now,
                       body=_text(received.reason, field="reason"),
                       reason=_("Motivul escaladării"))
        if queue is not None and queue.auto_assign:
            _assign_round_robin(ticket=ticket, queue=queue, actor=None, now=now)
        _save(ticket, now)
        audit_record(action="ticket.receive", actor_label=EXCHANGE_ACTOR_LABEL,
                     object_type="ticket", object_id=ticket.pk,
                     details={"number": number, "from": received.source_label,
                              "source_number": received.source_number})
    return ticket


def ticket_exchange_record(*, ticket_id: int, body: str, reason: str, back_to_level2: bool,
                           now: datetime | None = None) -> JournalEntry:
    """Record on a ticket this tenant escalated to another tenant's L3 what the exchange
    brings back (its registration there, an answer, the resolution, a return or a failed
    delivery). With ``back_to_level2`` the ticket, still escalated and with its deadlines
    untouched, goes back to the L2 team that escalated it, which decides what the requester
    is told."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        before = snapshot(ticket)
        if back_to_level2 and ticket.is_active and ticket.level == 3:
            sent = ticket.journal.filter(kind=K.ESCALATED).order_by("-seq").first()
            previous = sent.changes if sent is not None else {}
            ticket.level = 2
            ticket.team = Team.objects.filter(
                pk=previous.get("team_id", [None])[0], is_active=True).first()
            ticket.queue = Queue.objects.filter(
                pk=previous.get("queue_id", [None])[0], is_active=True).first()
        changes = diff(before, snapshot(ticket))
        entry = journal_append(ticket=ticket, kind=K.STATUS if changes else K.NOTE,
                               actor=None, actor_label=EXCHANGE_ACTOR_LABEL, at=now,
                               changes=changes, body=body,
                               reason=reason[:500])
        _save(ticket, now)
        audit_record(action="ticket.exchange", actor_label=EXCHANGE_ACTOR_LABEL,
                     object_type="ticket", object_id=ticket.pk,
                     details={"entry": entry.seq, "level": ticket.level})
    return entry


def _exchange_notify(ticket: Ticket) -> None:
    """A ticket received from another tenant passes its answers back (after the commit)."""
    # Imported here: the exchange's services build on this module.
    from sgsc.shared_apps.exchange.services import exchange_notify_source_if_linked

    exchange_notify_source_if_linked(ticket_id=ticket.pk)
