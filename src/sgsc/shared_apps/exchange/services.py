"""The cross-tenant L3 hand-over (R5, Annex 1 §18.4/§18.10; R8 traceability).

1. An L2 escalates to an L3 team whose ``external_tenant`` is set: ``exchange_l3_request``
   runs inside the escalation's transaction (source schema), refuses a target that is not
   active, stores the minimised payload and queues ``exchange.deliver`` after the commit.
2. ``exchange_deliver`` (source schema, the task) registers the ticket at level 3 in the
   target's schema from the payload alone, with the originating level's deadline fixed, and
   tells the source ticket where it went; a delivery that fails marks the exchange failed and
   gives the source ticket back to its L2.
3. When the target's L3 replies publicly, resolves or returns the ticket,
   ``exchange_notify_source_if_linked`` (target schema, inside that change's transaction)
   queues ``exchange.relay_answers``, which brings each answer back to the source ticket's
   journal. The source's deadlines are never touched by the target.

Each side's schema is entered only through ``tenant_context`` and the tickets app's typed
functions, and nothing of one tenant's schema is read while in the other's: only the rows of
this app, in the public schema, carry data across. Every crossing is an ``ExchangeEvent`` with
the SHA-256 of what crossed, and is recorded on both tenants' audit chains.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from sgsc.platform.errors import ApplicationError, Conflict, InvalidInput, NotFound
from sgsc.platform.queue import enqueue_on_commit
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.exchange.models import Exchange, ExchangeEvent
from sgsc.shared_apps.identity.models import User
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.models import Contact, JournalEntry, Ticket
from sgsc.tenant_apps.tickets.services import (
    EXCHANGE_ACTOR_LABEL,
    ReceivedTicket,
    ticket_exchange_record,
    ticket_receive,
)
from sgsc.tenants.models import Tenant
from sgsc.tenants.schemas import current_schema_name

DELIVER_TASK = "exchange.deliver"
RELAY_TASK = "exchange.relay_answers"

S = Exchange.Status
A = ExchangeEvent.Action
D = ExchangeEvent.Direction


def payload_digest(payload: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of what crossed."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def exchange_payload(exchange: Exchange) -> dict[str, Any]:
    """What the source sends the target, minimised to what L3 needs to work the case.

    The requester's kind and name, and a company's IDNO (a public register's identifier),
    tell L3 whose case it is; the IDNP, e-mail and phone stay with the originating provider,
    which keeps the relationship with the requester and answers them. When L3 does need the
    IDNP (to find the person's record in its information system) the L2 writes it in the
    escalation's reason: a deliberate act, kept in the source's journal and in this hash.
    """
    return {
        "kind": exchange.kind,
        "source": {"tenant": exchange.source_tenant.slug, "ticket": exchange.source_ticket_number},
        "target": exchange.target_tenant.slug,
        "channel": exchange.channel,
        "title": exchange.title,
        "description": exchange.description,
        "reason": exchange.reason,
        "service": {"code": exchange.service_code, "name": exchange.service_name},
        "requester": {"kind": exchange.requester_kind, "name": exchange.requester_name,
                      "idno": exchange.requester_idno},
        "impact": exchange.impact,
        "urgency": exchange.urgency,
        "level_due_at": exchange.level_due_at.isoformat() if exchange.level_due_at else None,
    }


def _record_language() -> translation.override:
    """Journals, events and audit details are the record: written in the platform's
    language, whoever triggered them."""
    return translation.override(settings.LANGUAGE_CODE)


def _tenant_here() -> Tenant | None:
    """The tenant row of the schema the connection is in (``schema_context`` gives only a
    stand-in without the row's fields)."""
    return Tenant.objects.filter(schema_name=current_schema_name()).first()


def _event_add(*, exchange: Exchange, action: str, direction: str, summary: str, at: datetime,
               digest: str = "", actor_id: int | None = None,
               actor_label: str = EXCHANGE_ACTOR_LABEL) -> ExchangeEvent:
    return ExchangeEvent.objects.create(
        exchange=exchange, at=at, actor_id=actor_id, actor_label=actor_label,
        direction=direction, action=action, payload_sha256=digest, summary=summary[:500])


def _audit_both(*, exchange: Exchange, action: str, details: dict[str, Any]) -> None:
    """The same crossing on the source's and the target's audit chains."""
    for tenant in (exchange.source_tenant, exchange.target_tenant):
        audit_record(action=action, actor_label=EXCHANGE_ACTOR_LABEL,
                     tenant=tenant, object_type="exchange", object_id=str(exchange.pk),
                     details={"source": exchange.source_tenant.slug,
                              "target": exchange.target_tenant.slug, **details})


# --- 1. the request, inside the escalation (source schema) -----------------------------------

def _target_check(*, source: Tenant, target: Tenant | None) -> Tenant:
    if target is None or target.is_template or target.is_public or target.pk == source.pk:
        raise InvalidInput(_("Echipa externă nu indică un alt prestator al platformei."),
                           code="exchange_target_invalid",
                           fields={"team": [_("Prestator extern nevalid.")]})
    if target.status != Tenant.Status.ACTIVE:
        raise Conflict(_("Prestatorul „%(tenant)s” nu este activ; escaladarea către echipa lui "
                         "nu poate fi transmisă.") % {"tenant": target.name},
                       code="exchange_target_unavailable")
    return target


def exchange_l3_request(*, ticket: Ticket, target_tenant_id: int, reason: str, actor: User,
                        now: datetime) -> Exchange:
    """Hand a ticket escalated to another tenant's L3 team over to that tenant.

    Runs inside the escalation's transaction, so the exchange exists exactly when the
    escalation does; the delivery is queued for after the commit. Refused (and with it the
    escalation) when the target tenant is not active.
    """
    source = _tenant_here()
    if source is None or source.is_public:
        raise InvalidInput(_("Escaladarea externă pornește din spațiul unui prestator."),
                           code="exchange_source_invalid")
    target = _target_check(source=source,
                           target=Tenant.objects.filter(pk=target_tenant_id).first())
    if ticket.level != 3:
        raise InvalidInput(_("Doar escaladarea la nivelul 3 se transmite altui prestator."),
                           code="exchange_level_invalid", fields={"team": [_("Nivel nevalid.")]})
    if Exchange.objects.filter(source_tenant=source, source_ticket_id=ticket.pk,
                               status__in=Exchange.OPEN_STATUSES).exists():
        raise Conflict(_("Solicitarea este deja transmisă altui prestator."),
                       code="exchange_already_open")
    contact = ticket.contact
    service = ticket.service
    exchange = Exchange(
        source_tenant=source, source_ticket_id=ticket.pk, source_ticket_number=ticket.number,
        target_tenant=target, channel=ticket.channel, title=ticket.title,
        description=ticket.description, reason=reason,
        service_code=service.code if service is not None else "",
        service_name=service.name if service is not None else "",
        requester_kind=contact.kind, requester_name=contact.name,
        requester_idno=contact.idno if contact.kind == Contact.Kind.COMPANY else "",
        impact=ticket.impact, urgency=ticket.urgency, level_due_at=ticket.level_due_at,
        created_at=now, updated_at=now,
    )
    exchange.payload_sha256 = payload_digest(exchange_payload(exchange))
    exchange.save(force_insert=True)
    with _record_language():
        summary = _("Escaladare la nivelul 3 către %(tenant)s: %(title)s") % {
            "tenant": target.name, "title": ticket.title}
    _event_add(exchange=exchange, action=A.REQUESTED, direction=D.TO_TARGET, at=now,
               digest=exchange.payload_sha256, actor_id=actor.pk,
               actor_label=actor.get_full_name() or actor.email, summary=summary)
    audit_record(action="exchange.request", actor=actor, tenant=source,
                 object_type="exchange", object_id=str(exchange.pk),
                 details={"target": target.slug, "ticket": ticket.number,
                          "payload_sha256": exchange.payload_sha256})
    enqueue_on_commit(DELIVER_TASK, kwargs={"exchange_id": str(exchange.pk)})
    return exchange


# --- 2. the delivery (the task, source schema) ------------------------------------------------

def _locked(*, exchange_id: str, side: str) -> Exchange:
    """The exchange, locked, if the tenant whose schema the connection is in is its
    ``side`` ("source" or "target"); any other is the same 404 as a missing one."""
    here = _tenant_here()
    found = None
    try:
        key = uuid.UUID(str(exchange_id))
    except ValueError:
        key = None
    if key is not None and here is not None and not here.is_public:
        found = (Exchange.objects.select_for_update(of=("self",))
                 .select_related("source_tenant", "target_tenant")
                 .filter(pk=key, **{f"{side}_tenant": here}).first())
    if found is None:
        raise NotFound(_("Schimbul de date nu a fost găsit."), code="exchange_not_found")
    return found


def _received(exchange: Exchange) -> ReceivedTicket:
    name = exchange.requester_name or _("Solicitant al prestatorului %(tenant)s") % {
        "tenant": exchange.source_tenant.name}
    return ReceivedTicket(
        source_label=exchange.source_tenant.name, source_number=exchange.source_ticket_number,
        channel=exchange.channel, title=exchange.title, description=exchange.description,
        reason=exchange.reason, service_code=exchange.service_code,
        requester=Requester(name=name, idno=exchange.requester_idno),
        impact=exchange.impact, urgency=exchange.urgency, due_at=exchange.level_due_at)


def _fail(*, exchange: Exchange, reason: str, now: datetime) -> None:
    exchange.status = S.FAILED
    exchange.failure_reason = reason[:500]
    exchange.updated_at = now
    exchange.save(update_fields=["status", "failure_reason", "updated_at"])
    _event_add(exchange=exchange, action=A.FAILED, direction=D.TO_TARGET, at=now,
               summary=reason)
    audit_record(action="exchange.deliver", outcome=AuditEvent.Outcome.FAILURE,
                 actor_label=EXCHANGE_ACTOR_LABEL, tenant=exchange.source_tenant,
                 object_type="exchange", object_id=str(exchange.pk),
                 details={"target": exchange.target_tenant.slug, "reason": reason})
    with tenant_context(exchange.source_tenant):
        ticket_exchange_record(
            ticket_id=exchange.source_ticket_id, body="", back_to_level2=True, now=now,
            reason=_("Transmiterea către %(tenant)s a eșuat: %(reason)s")
            % {"tenant": exchange.target_tenant.name, "reason": reason})


def exchange_deliver(*, exchange_id: str, now: datetime | None = None) -> str:
    """Register the exchange's ticket in the target tenant; run in the source's schema.

    Idempotent: the exchange is locked and only a ``requested`` one is delivered, so a task
    run twice registers one ticket. Returns the target ticket's number ("" when nothing was
    delivered); another tenant's exchange is ``exchange_not_found``.
    """
    now = now or timezone.now()
    with _record_language(), transaction.atomic():
        exchange = _locked(exchange_id=exchange_id, side="source")
        if exchange.status != S.REQUESTED:
            return ""
        target = exchange.target_tenant
        if target.status != Tenant.Status.ACTIVE:
            _fail(exchange=exchange, now=now, reason=_("prestatorul nu este activ (%(status)s)")
                  % {"status": target.get_status_display()})
            return ""
        try:
            with transaction.atomic(), tenant_context(target):
                ticket = ticket_receive(received=_received(exchange), now=now)
        except ApplicationError as error:
            _fail(exchange=exchange, now=now, reason=error.message)
            return ""
        exchange.status = S.DELIVERED
        exchange.target_ticket_id = ticket.pk
        exchange.target_ticket_number = ticket.number
        # Answers are what the target's journal gains after its own registration entries.
        exchange.relayed_seq = ticket.journal_length
        exchange.updated_at = now
        exchange.save(update_fields=["status", "target_ticket_id", "target_ticket_number",
                                     "relayed_seq", "updated_at"])
        _event_add(exchange=exchange, action=A.DELIVERED, direction=D.TO_TARGET, at=now,
                   digest=exchange.payload_sha256,
                   summary=_("Înregistrată de %(tenant)s cu nr. %(number)s")
                   % {"tenant": target.name, "number": ticket.number})
        _audit_both(exchange=exchange, action="exchange.deliver",
                    details={"target_ticket": ticket.number,
                             "payload_sha256": exchange.payload_sha256})
        with tenant_context(exchange.source_tenant):
            ticket_exchange_record(
                ticket_id=exchange.source_ticket_id, body="", back_to_level2=False, now=now,
                reason=_("Transmisă nivelului 3 (%(tenant)s): solicitarea nr. %(number)s")
                % {"tenant": target.name, "number": ticket.number})
    return ticket.number


# --- 3. the answers (target schema) ------------------------------------------------------------

def exchange_notify_source_if_linked(*, ticket_id: int) -> None:
    """Called by the tickets app after a reply or a transition, inside its transaction: when
    the ticket was received through an exchange, its answers are relayed after the commit."""
    linked = (Exchange.objects.filter(target_tenant__schema_name=current_schema_name(),
                                      target_ticket_id=ticket_id)
              .values_list("pk", flat=True).first())
    if linked is not None:
        enqueue_on_commit(RELAY_TASK, kwargs={"exchange_id": str(linked)})


@dataclass(frozen=True)
class Answer:
    """One answer of the target's L3, as it crosses back."""

    action: str  # ExchangeEvent.Action: reply, resolved or returned
    text: str
    at: datetime
    seq: int
    actor_id: int | None
    actor_label: str

    def payload(self, exchange: Exchange) -> dict[str, Any]:
        return {"exchange": str(exchange.pk), "target_ticket": exchange.target_ticket_number,
                "seq": self.seq, "action": self.action, "at": self.at.isoformat(),
                "text": self.text}


def _answer_of(entry: JournalEntry) -> Answer | None:
    """A public reply, the resolution, or the ticket handed back below level 3 (the L3's
    "return"); every other entry stays the target's own business."""
    changes = entry.changes
    action = None
    if entry.kind == JournalEntry.Kind.REPLY and \
            entry.visibility == JournalEntry.Visibility.PUBLIC:
        action = A.REPLY
    elif entry.kind == JournalEntry.Kind.STATUS and \
            changes.get("status", [None, None])[1] == Ticket.Status.RESOLVED:
        action = A.RESOLVED
    elif entry.kind == JournalEntry.Kind.STATUS and "level" in changes and \
            changes["level"][0] == 3 and changes["level"][1] < 3:
        action = A.RETURNED
    if action is None:
        return None
    return Answer(action=action, text=entry.body if action == A.REPLY else entry.reason,
                  at=entry.at, seq=entry.seq, actor_id=entry.actor_id,
                  actor_label=entry.actor_label)


def _answers_since(*, ticket_id: int, after_seq: int) -> tuple[list[Answer], int]:
    """The target ticket's answers after ``after_seq`` and the last entry looked at; read in
    the target's schema."""
    entries = list(JournalEntry.objects.filter(ticket_id=ticket_id, seq__gt=after_seq)
                   .order_by("seq"))
    answers = [answer for answer in map(_answer_of, entries) if answer is not None]
    return answers, entries[-1].seq if entries else after_seq


AFTER_ANSWER: dict[str, str] = {A.REPLY: S.ANSWERED, A.RESOLVED: S.RESOLVED, A.RETURNED: S.RETURNED}


def _source_reason(action: str, tenant: Tenant) -> str:
    texts: dict[str, str] = {A.REPLY: _("Răspuns de la nivelul 3 (%(tenant)s)"),
             A.RESOLVED: _("Soluționată de nivelul 3 (%(tenant)s)"),
             A.RETURNED: _("Returnată de nivelul 3 (%(tenant)s)")}
    return texts[action] % {"tenant": tenant.name}


def exchange_relay_answers(*, exchange_id: str, now: datetime | None = None) -> int:
    """Bring the target's new answers back to the source ticket; run in the target's schema.

    Idempotent: the exchange is locked and remembers the last journal entry looked at. A reply
    is a note on the source ticket; a resolution or a return also gives the source ticket back
    to its L2 (still escalated, deadlines untouched), which decides what the requester is told.
    Returns how many answers crossed; another tenant's exchange is ``exchange_not_found``.
    """
    now = now or timezone.now()
    with _record_language(), transaction.atomic():
        exchange = _locked(exchange_id=exchange_id, side="target")
        if exchange.target_ticket_id is None:
            return 0
        answers, last_seq = _answers_since(ticket_id=exchange.target_ticket_id,
                                           after_seq=exchange.relayed_seq)
        if last_seq == exchange.relayed_seq:
            return 0
        exchange.relayed_seq = last_seq
        digests = []
        for answer in answers:
            digest = payload_digest(answer.payload(exchange))
            digests.append(digest)
            exchange.status = AFTER_ANSWER[answer.action]
            _event_add(exchange=exchange, action=answer.action, direction=D.TO_SOURCE, at=now,
                       digest=digest, actor_id=answer.actor_id, actor_label=answer.actor_label,
                       summary=_("%(what)s, %(length)d caractere")
                       % {"what": A(answer.action).label, "length": len(answer.text)})
            with tenant_context(exchange.source_tenant):
                ticket_exchange_record(
                    ticket_id=exchange.source_ticket_id, body=answer.text, now=now,
                    back_to_level2=answer.action != A.REPLY,
                    reason=_source_reason(answer.action, exchange.target_tenant))
        exchange.updated_at = now
        exchange.save(update_fields=["status", "relayed_seq", "updated_at"])
        if answers:
            _audit_both(exchange=exchange, action="exchange.answer",
                        details={"answers": [answer.action for answer in answers],
                                 "payload_sha256": digests})
    return len(answers)

