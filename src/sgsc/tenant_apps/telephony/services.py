"""Writes of the phone channel: events received from a PBX, the configuration (lines,
extensions, connectors) and the operators' actions on calls (a ticket registered from a call,
a missed call called back).

Ingest stores every event before the PBX gets its answer (invariant 4) and recognises a resent
event by its id, so a PBX that retries after a lost answer changes nothing. Events of one call
may come in any order; the call is their merge.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.platform.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.identity.services import api_token_digest
from sgsc.tenant_apps.catalog.models import Service
from sgsc.tenant_apps.catalog.services import (
    config_institution,
    config_load,
    config_reference,
    config_store,
    config_text,
    config_writing,
)
from sgsc.tenant_apps.telephony.models import Call, CallEvent, Connector, Extension, PhoneLine
from sgsc.tenant_apps.telephony.protocol import CallEventIn
from sgsc.tenant_apps.telephony.selectors import call_get, extension_candidates
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.contacts import phone_normalize
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.services import TicketInput, ticket_create

KEY_BYTES = 32
# Written at most this often, so that a busy PBX does not turn each batch into two writes.
LAST_USED_RESOLUTION = timedelta(minutes=5)


# --- events from the PBX -------------------------------------------------------------------

@dataclass(frozen=True)
class IngestResult:
    event_id: str
    call_id: str
    status: str  # "accepted" or "duplicate"


def _number(raw: str) -> str:
    """The number in the contacts' form; a withheld or odd caller id is kept as sent."""
    try:
        return phone_normalize(raw) or raw
    except InvalidInput:
        return raw


def _call_for(connector: Connector, event: CallEventIn) -> Call:
    """The call the event belongs to, created on its first event and locked for the merge."""
    caller, callee = _number(event.caller), _number(event.callee)
    ours = callee if event.direction == Call.Direction.INBOUND else caller
    line = PhoneLine.objects.filter(number=ours).first() if ours else None
    Call.objects.bulk_create([Call(
        pbx_call_id=event.call_id, connector=connector, line=line,
        institution_id=line.institution_id if line else None, direction=event.direction,
        caller=caller, callee=callee, state=Call.State.RINGING, started_at=event.at)],
        ignore_conflicts=True)
    return Call.objects.select_for_update().get(pbx_call_id=event.call_id)


def _agent(extension: str) -> int | None:
    return (Extension.objects.filter(number=extension).values_list("user_id", flat=True)
            .first() if extension else None)


def _merge(call: Call, event: CallEventIn) -> None:
    """Fold one event into its call. An event that arrives late never undoes a later state."""
    call.started_at = min(call.started_at, event.at)
    if event.wait_seconds is not None:
        call.wait_seconds = event.wait_seconds
    if event.extension and (not call.extension or event.kind != "call.ringing"):
        call.extension = event.extension
        call.agent_id = _agent(event.extension)
    if event.kind == "call.answered":
        call.answered_at = min(call.answered_at or event.at, event.at)
        if call.state == Call.State.RINGING:
            call.state = Call.State.ANSWERED
    elif event.kind == "call.ended":
        call.state = Call.State.ENDED
        call.ended_at = event.at
        call.disposition = event.disposition
        call.talk_seconds = event.talk_seconds or 0
        if event.recording_url:
            call.recording_url = event.recording_url
        if event.disposition == Call.Disposition.ANSWERED and call.answered_at is None:
            call.answered_at = event.at - timedelta(seconds=call.talk_seconds)
        call.started_at = min(call.started_at, (call.answered_at or event.at)
                              - timedelta(seconds=call.wait_seconds))


def call_events_ingest(*, connector: Connector, events: list[CallEventIn],
                       now: datetime | None = None) -> list[IngestResult]:
    """Store and apply a batch of events, all of it or nothing; each event once."""
    now = now or timezone.now()
    results: list[IngestResult] = []
    with audited_refusal(action="telephony.events.receive", actor=None,
                         object_type="telephony.connector", object_id=connector.pk):
        try:
            with transaction.atomic():
                # One PBX's batches are applied one after the other.
                Connector.objects.select_for_update().filter(pk=connector.pk).first()
                known = set(CallEvent.objects.filter(
                    event_id__in=[event.event_id for event in events])
                    .values_list("event_id", flat=True))
                for event in events:
                    if event.event_id in known:
                        results.append(IngestResult(event.event_id, event.call_id, "duplicate"))
                        continue
                    call = _call_for(connector, event)
                    _merge(call, event)
                    call.save()
                    CallEvent.objects.create(connector=connector, event_id=event.event_id,
                                             kind=event.kind, call=call, at=event.at,
                                             received_at=now, payload=event.payload)
                    results.append(IngestResult(event.event_id, event.call_id, "accepted"))
                if connector.last_used_at is None or (
                        now - connector.last_used_at > LAST_USED_RESOLUTION):
                    Connector.objects.filter(pk=connector.pk).update(last_used_at=now)
                accepted = sum(1 for result in results if result.status == "accepted")
                audit_record(action="telephony.events.receive", actor=None,
                             actor_label=f"PBX {connector.prefix}",
                             object_type="telephony.connector", object_id=connector.pk,
                             details={"accepted": accepted,
                                      "duplicates": len(results) - accepted,
                                      "calls": sorted({event.call_id for event in events})})
        except IntegrityError as error:
            # Another connector delivered the same event at this very moment: retrying finds
            # it stored and answers "duplicate".
            raise Conflict(_("Evenimentul este înregistrat chiar acum de altă cerere; "
                             "retrimiteți lotul."), code="call_event_race") from error
    return results


def connector_authenticate(*, key: str) -> Connector:
    """The active connector holding ``key``; refused (and recorded) otherwise."""
    connector = Connector.objects.filter(key_sha256=api_token_digest(key)).first()
    if connector is None or connector.revoked_at is not None:
        audit_record(action="telephony.connector.authenticate", outcome="failure",
                     actor=None, object_type="telephony.connector",
                     object_id=connector.pk if connector else "",
                     details={"code": "connector_invalid"})
        raise NotAuthenticated(_("Cheia conectorului PBX nu este validă sau a fost revocată."),
                               code="connector_invalid")
    return connector


# --- configuration -------------------------------------------------------------------------

@dataclass(frozen=True)
class PhoneLineInput:
    number: str = ""
    name: str = ""
    institution: int | None = None
    service: int | None = None
    is_active: bool = True


def phone_line_save(*, actor: User | None, data: PhoneLineInput,
                    pk: int | None = None) -> PhoneLine:
    with config_writing(PhoneLine, pk, actor=actor):
        line = config_load(PhoneLine, pk)
        raw = config_text(data.number, field="number", required=True, limit=32)
        try:
            number = phone_normalize(raw)
        except InvalidInput as error:
            raise InvalidInput(error.message, code=error.code,
                               fields={"number": [_("Număr de telefon nevalid.")]}) from error
        values: dict[str, Any] = {
            "number": number,
            "name": config_text(data.name, field="name", required=True),
            "institution": config_institution(data.institution, keep=line.institution_id),
            "service": config_reference(Service.objects.filter(is_active=True), data.service,
                                        field="service", code="unknown_service",
                                        keep=line.service_id),
            "is_active": bool(data.is_active),
        }
        if PhoneLine.objects.filter(number=number).exclude(pk=line.pk).exists():
            raise Conflict(_("Numărul este deja configurat."), code="duplicate_number",
                           fields={"number": [_("Numărul este deja configurat.")]})
        return config_store(line, values, actor=actor, clash_code="duplicate_number",
                            clash_field="number")


@dataclass(frozen=True)
class ExtensionInput:
    user: int | None = None
    number: str = ""


def extension_save(*, actor: User | None, data: ExtensionInput,
                   pk: int | None = None) -> Extension:
    with config_writing(Extension, pk, actor=actor):
        extension = config_load(Extension, pk)
        number = config_text(data.number, field="number", required=True, limit=20)
        if not number.isascii() or not number.isdigit():
            raise InvalidInput(_("Interiorul conține doar cifre."), code="invalid_extension",
                               fields={"number": [_("Doar cifre.")]})
        if data.user is None:
            raise InvalidInput(_("Completați câmpurile obligatorii."), code="required",
                               fields={"user": [_("Câmp obligatoriu.")]})
        if not extension_candidates().filter(user_id=data.user).exists() and (
                data.user != extension.user_id):
            raise InvalidInput(_("Persoana aleasă nu lucrează cu solicitări în acest spațiu."),
                               code="not_an_operator", fields={"user": [_("Valoare nepermisă.")]})
        if Extension.objects.filter(number=number).exclude(pk=extension.pk).exists():
            raise Conflict(_("Interiorul este deja atribuit."), code="duplicate_extension",
                           fields={"number": [_("Interiorul este deja atribuit.")]})
        if Extension.objects.filter(user_id=data.user).exclude(pk=extension.pk).exists():
            raise Conflict(_("Persoana are deja un interior."), code="duplicate_extension",
                           fields={"user": [_("Persoana are deja un interior.")]})
        return config_store(extension, {"user_id": data.user, "number": number}, actor=actor,
                            clash_code="duplicate_extension", clash_field="number")


def connector_issue(*, actor: User, name: str) -> tuple[Connector, str]:
    """A new connector and its key, which is shown this once and never stored."""
    with config_writing(Connector, None, actor=actor):
        label = config_text(name, field="name", required=True, limit=100)
        key = secrets.token_urlsafe(KEY_BYTES)
        connector = Connector.objects.create(name=label, prefix=key[:8],
                                             key_sha256=api_token_digest(key), created_by=actor)
        audit_record(action="config.connector.create", actor=actor,
                     object_type="telephony.connector", object_id=connector.pk,
                     details={"name": label, "prefix": connector.prefix})
    return connector, key


def connector_revoke(*, actor: User, pk: int, now: datetime | None = None) -> Connector:
    with config_writing(Connector, pk, actor=actor, verb="revoke"):
        connector = config_load(Connector, pk)
        if connector.revoked_at is not None:
            raise Conflict(_("Conectorul este deja revocat."), code="already_revoked")
        connector.revoked_at = now or timezone.now()
        connector.save(update_fields=["revoked_at"])
        audit_record(action="config.connector.revoke", actor=actor,
                     object_type="telephony.connector", object_id=pk,
                     details={"name": connector.name, "prefix": connector.prefix})
    return connector


# --- operators' actions on calls -----------------------------------------------------------

def _call_refusal(verb: str, access: TicketAccess, call_id: int) -> Any:
    """Audit a refused action on a call (``telephony.call.<verb>``), after the rollback."""
    return audited_refusal(action=f"telephony.call.{verb}", actor=access.user,
                           object_type="telephony.call", object_id=call_id, with_fields=True)


def _require_work(access: TicketAccess) -> None:
    if not access.can(Capability.TICKETS_WORK):
        raise NotFound(_("Apelul nu există."), code="not_found")


def call_ticket_create(*, access: TicketAccess, call_id: int, data: TicketInput,
                       now: datetime | None = None) -> Ticket:
    """Register the ticket of a call and tie the two together, both or neither."""
    with _call_refusal("ticket", access, call_id), \
            transaction.atomic():
        _require_work(access)
        call = call_get(access=access, call_id=call_id, for_update=True)
        if call.ticket_id is not None:
            raise Conflict(_("Apelul are deja solicitarea %(number)s.")
                           % {"number": call.ticket.number if call.ticket else ""},
                           code="call_has_ticket")
        ticket = ticket_create(access=access, data=data, now=now)
        call.ticket = ticket
        call.save(update_fields=["ticket", "updated_at"])
        audit_record(action="telephony.call.ticket", actor=access.user,
                     object_type="telephony.call", object_id=call.pk,
                     details={"ticket": ticket.number})
    return ticket


def call_called_back(*, access: TicketAccess, call_id: int,
                     now: datetime | None = None) -> Call:
    """Record that somebody called a missed caller back (the KPI counts missed calls)."""
    with _call_refusal("callback", access, call_id), \
            transaction.atomic():
        _require_work(access)
        call = call_get(access=access, call_id=call_id, for_update=True)
        if not call.missed:
            raise Conflict(_("Doar un apel pierdut poate fi marcat ca apelat înapoi."),
                           code="not_missed")
        if call.called_back_at is not None:
            raise Conflict(_("Apelul a fost deja marcat ca apelat înapoi."),
                           code="already_called_back")
        call.called_back_at = now or timezone.now()
        call.called_back_by = access.user
        call.save(update_fields=["called_back_at", "called_back_by", "updated_at"])
        audit_record(action="telephony.call.callback", actor=access.user,
                     object_type="telephony.call", object_id=call.pk)
    return call
