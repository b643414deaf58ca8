"""The call-event protocol a PBX speaks to the platform (documented in
``docs/telephony-protocol.md``): a JSON batch of events, each naming its call. Parsing only:
what is valid becomes a typed ``CallEventIn``; anything else is an ``InvalidInput`` naming the
event and the field, so the PBX can fix and resend the whole batch."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from sgsc.platform.errors import InvalidInput
from sgsc.tenant_apps.telephony.models import Call

MAX_BATCH = 100
KINDS = ("call.ringing", "call.answered", "call.ended")
ID_PATTERN = re.compile(r"^[A-Za-z0-9._:@-]{1,100}$")
EXTENSION_PATTERN = re.compile(r"^[0-9*#]{1,20}$")
NUMBER_PATTERN = re.compile(r"^\+?[0-9 ()-]{0,32}$")
MAX_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class CallEventIn:
    event_id: str
    kind: str
    call_id: str
    at: datetime
    direction: str
    caller: str
    callee: str
    extension: str
    disposition: str
    talk_seconds: int | None
    wait_seconds: int | None
    recording_url: str
    payload: dict[str, Any]


def _refuse(index: int, field: str, message: str, code: str = "invalid_call_event") -> InvalidInput:
    return InvalidInput(_("Evenimentul %(index)s nu este valid: %(message)s")
                        % {"index": index, "message": message}, code=code,
                        fields={f"events[{index}].{field}": [message]},
                        details={"index": index, "field": field})


def _text(event: dict[str, Any], index: int, field: str, pattern: re.Pattern[str], *,
          required: bool) -> str:
    value = event.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or (value and not pattern.match(value)):
        raise _refuse(index, field, _("valoare nepermisă."))
    if required and not value:
        raise _refuse(index, field, _("câmp obligatoriu."))
    return value


def _seconds(event: dict[str, Any], index: int, field: str) -> int | None:
    value = event.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SECONDS:
        raise _refuse(index, field, _("un număr întreg de secunde între 0 și %(max)s.")
                      % {"max": MAX_SECONDS})
    return value


def _moment(event: dict[str, Any], index: int) -> datetime:
    value = event.get("at")
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _refuse(index, "at", _("un moment ISO 8601 cu fus orar, de ex. "
                                     "2026-11-26T10:15:00+02:00."))
    return moment


def _choice(event: dict[str, Any], index: int, field: str, choices: list[str], *,
            required: bool) -> str:
    value = event.get(field) or ""
    if value and value not in choices:
        raise _refuse(index, field, _("una din: %(choices)s.") % {"choices": ", ".join(choices)})
    if required and not value:
        raise _refuse(index, field, _("câmp obligatoriu."))
    return str(value)


def _url(event: dict[str, Any], index: int) -> str:
    value = event.get("recording_url") or ""
    if not isinstance(value, str) or len(value) > 500 or (
            value and not re.match(r"^https?://[^\s]+$", value)):
        raise _refuse(index, "recording_url", _("o adresă http(s) de cel mult 500 de caractere."))
    return value


def event_parse(event: Any, index: int) -> CallEventIn:
    if not isinstance(event, dict):
        raise _refuse(index, "", _("un obiect JSON este așteptat."))
    kind = _choice(event, index, "type", list(KINDS), required=True)
    ended = kind == "call.ended"
    disposition = _choice(event, index, "disposition", list(Call.Disposition.values),
                          required=ended)
    if disposition and not ended:
        raise _refuse(index, "disposition", _("doar evenimentul call.ended are un rezultat."))
    talk = _seconds(event, index, "talk_seconds")
    if ended and disposition == Call.Disposition.ANSWERED and talk is None:
        raise _refuse(index, "talk_seconds", _("obligatoriu pentru un apel preluat."))
    if talk and disposition != Call.Disposition.ANSWERED:
        raise _refuse(index, "talk_seconds", _("doar un apel preluat are durată de convorbire."))
    return CallEventIn(
        event_id=_text(event, index, "event_id", ID_PATTERN, required=True),
        kind=kind,
        call_id=_text(event, index, "call_id", ID_PATTERN, required=True),
        at=_moment(event, index),
        direction=_choice(event, index, "direction", list(Call.Direction.values),
                          required=True),
        caller=_text(event, index, "from", NUMBER_PATTERN, required=False),
        callee=_text(event, index, "to", NUMBER_PATTERN, required=False),
        extension=_text(event, index, "extension", EXTENSION_PATTERN,
                        required=kind == "call.answered"),
        disposition=disposition, talk_seconds=talk,
        wait_seconds=_seconds(event, index, "wait_seconds"),
        recording_url=_url(event, index), payload=event)


def batch_parse(body: Any) -> list[CallEventIn]:
    """The events of a request body ``{"events": [...]}``, all valid or none taken."""
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list) or not events:
        raise InvalidInput(_("Corpul cererii trebuie să fie {\"events\": [ ... ]} cu cel puțin "
                             "un eveniment."), code="invalid_call_batch")
    if len(events) > MAX_BATCH:
        raise InvalidInput(_("Cel mult %(max)s evenimente într-o cerere.") % {"max": MAX_BATCH},
                           code="call_batch_too_large")
    parsed = [event_parse(event, index) for index, event in enumerate(events)]
    ids = [event.event_id for event in parsed]
    if len(set(ids)) != len(ids):
        raise InvalidInput(_("Același event_id apare de două ori în cerere."),
                           code="duplicate_event_in_batch")
    return parsed
