"""Calls reported the way a PBX reports them: their events go through ``call_events_ingest``
(the ingest endpoint's service), in the schema the caller is in. Shared by the meter, billing,
isolation and browser tests."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta
from typing import Any

from sgsc.tenant_apps.telephony.models import Connector
from sgsc.tenant_apps.telephony.protocol import batch_parse
from sgsc.tenant_apps.telephony.services import call_events_ingest
from tests.tenant_apps.telephony.conftest import call_event

_RUN = uuid.uuid4().hex[:6]
_calls = itertools.count(1)


def new_call_id(prefix: str = "call") -> str:
    return f"{prefix}-{_RUN}-{next(_calls)}"


def ingest(connector: Connector, events: list[dict[str, Any]]) -> None:
    call_events_ingest(connector=connector, events=batch_parse({"events": events}))


def answered_call(connector: Connector, *, ended: datetime, seconds: int,
                  direction: str = "inbound", line: str = "022123456", extension: str = "201",
                  call_id: str | None = None, **fields: Any) -> str:
    """A call answered at ``extension`` and ended at ``ended`` after ``seconds`` of talk,
    reported by its three events; its PBX id. ``line`` is ours: the number called for an
    inbound call, the number calling for an outbound one."""
    call_id = call_id or new_call_id()
    answered = ended - timedelta(seconds=seconds)
    numbers: dict[str, Any] = ({"to": line} if direction == "inbound"
                               else {"from": line, "to": "+37369123456"})
    common = {"direction": direction, **numbers, **fields}
    ingest(connector, [
        call_event("call.ringing", call_id, answered - timedelta(seconds=20),
                   event_id=f"{call_id}.r", **common),
        call_event("call.answered", call_id, answered, extension=extension,
                   event_id=f"{call_id}.a", **common),
        call_event("call.ended", call_id, ended, disposition="answered", talk_seconds=seconds,
                   extension=extension, event_id=f"{call_id}.e", **common)])
    return call_id


def missed_call(connector: Connector, *, ended: datetime, disposition: str = "no_answer",
                line: str = "022123456", call_id: str | None = None, **fields: Any) -> str:
    """An inbound call nobody answered (``no_answer``, ``busy``, ``abandoned``, ``failed``)."""
    call_id = call_id or new_call_id()
    common = {"to": line, **fields}
    ingest(connector, [
        call_event("call.ringing", call_id, ended - timedelta(seconds=40),
                   event_id=f"{call_id}.r", **common),
        call_event("call.ended", call_id, ended, disposition=disposition, wait_seconds=40,
                   event_id=f"{call_id}.e", **common)])
    return call_id
