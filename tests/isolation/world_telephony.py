"""Phone-channel data of the isolation victims, made through the telephony services: in prov-b a
PBX connector, a line, an operator's extension and two calls (one answered at that extension,
one missed) with their events as the PBX reported them; in the hub a line of institution Y and
a missed and an answered call on it, which an operator limited to X must never reach. The
marker is in the names and the recordings' addresses (also in the stored events that carried
them); never in an identifier (the PBX's call ids), which a 404 page may echo back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.institutions.models import Institution
from sgsc.tenant_apps.telephony.models import Call, CallEvent, Connector, PhoneLine
from sgsc.tenant_apps.telephony.protocol import batch_parse
from sgsc.tenant_apps.telephony.services import (
    ExtensionInput,
    PhoneLineInput,
    call_events_ingest,
    connector_issue,
    extension_save,
    phone_line_save,
)
from sgsc.tenants.models import Tenant
from tests.isolation.routes import Candidate

B_LINE = "022900111"
B_CALLER = "060000333"
B_EXTENSION = "90017"
Y_LINE = "022900222"


@dataclass(frozen=True)
class PhoneSeed:
    candidates: list[Candidate]
    json_body: dict[str, Any]
    query_probe: dict[str, str]


def _events(call_id: str, *, line: str, caller: str, answered_at: str | None,
            marker: str) -> list[dict[str, Any]]:
    """A call's events as a PBX sends them: ringing, answered (if ``answered_at``), ended."""
    now = timezone.now()
    start = now - timedelta(hours=2)
    events: list[dict[str, Any]] = [{
        "event_id": f"{call_id}.r", "type": "call.ringing", "call_id": call_id,
        "at": start.isoformat(), "direction": "inbound", "from": caller, "to": line}]
    if answered_at:
        events.append({**events[0], "event_id": f"{call_id}.a", "type": "call.answered",
                       "at": (start + timedelta(seconds=15)).isoformat(),
                       "extension": answered_at})
        events.append({**events[0], "event_id": f"{call_id}.e", "type": "call.ended",
                       "at": (start + timedelta(seconds=315)).isoformat(),
                       "extension": answered_at, "disposition": "answered",
                       "talk_seconds": 300, "wait_seconds": 15,
                       "recording_url": f"https://pbx.izolare.test/{marker}.wav"})
    else:
        events.append({**events[0], "event_id": f"{call_id}.e", "type": "call.ended",
                       "at": (start + timedelta(seconds=40)).isoformat(),
                       "disposition": "no_answer", "wait_seconds": 40})
    return events


def _pbx_id(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}"


def _report(connector: Connector, events: list[dict[str, Any]]) -> Call:
    call_events_ingest(connector=connector, events=batch_parse({"events": events}))
    return Call.objects.get(pbx_call_id=events[0]["call_id"])


def probe_events(marker: str) -> list[dict[str, Any]]:
    """A valid batch naming the victim's line: stored only if a foreign connector key were
    accepted on the victim's host (which the fingerprint would then show)."""
    call_id = _pbx_id("probe")
    return _events(call_id, line=B_LINE, caller=B_CALLER, answered_at=None, marker=marker)[:1]


def seed_prov_b_telephony(*, tenant: Tenant, admin: User, marker: str) -> PhoneSeed:
    with schema_context(tenant.schema_name):
        connector, key = connector_issue(actor=admin, name=marker)
        line = phone_line_save(actor=admin, data=PhoneLineInput(number=B_LINE, name=marker))
        extension = extension_save(actor=admin, data=ExtensionInput(user=admin.pk,
                                                                    number=B_EXTENSION))
        answered = _report(connector, _events(_pbx_id("b-answered"), line=B_LINE,
                                              caller=B_CALLER, answered_at=B_EXTENSION,
                                              marker=marker))
        missed = _report(connector, _events(_pbx_id("b-missed"), line=B_LINE, caller=B_CALLER,
                                            answered_at=None, marker=marker))
        assert answered.agent_id == admin.pk and answered.line_id == line.pk
        assert missed.missed
        event = CallEvent.objects.filter(call=answered).order_by("pk").first()
        assert event is not None
    return PhoneSeed(
        candidates=[
            Candidate(str(connector.pk), "B's PBX connector"),
            Candidate(str(line.pk), "B's phone line"),
            Candidate(str(extension.pk), "B's extension"),
            Candidate(str(answered.pk), "B's answered call"),
            Candidate(str(missed.pk), "B's missed call"),
            Candidate(str(event.pk), "B's call event"),
            Candidate(answered.pbx_call_id, "B's call as the PBX names it"),
            Candidate(connector.prefix, "B's PBX connector key prefix"),
            Candidate(key, "B's PBX connector key", secret=True),
        ],
        json_body={"call": answered.pk, "call_id": answered.pk, "line": line.pk,
                   "extension": extension.pk, "connector": connector.pk,
                   "events": probe_events(marker)},
        query_probe={"q": B_CALLER, "number": B_CALLER, "disposition": "no_answer"},
    )


def seed_hub_telephony_of(*, hub: Tenant, actor: User, institution: Institution,
                          marker: str) -> PhoneSeed:
    """A line of ``institution`` in the hub and two calls on it, one nobody answered."""
    with schema_context(hub.schema_name):
        connector, _key = connector_issue(actor=actor, name="PBX hub (izolare)")
        line = phone_line_save(actor=actor, data=PhoneLineInput(
            number=Y_LINE, name=marker, institution=institution.pk))
        missed = _report(connector, _events(_pbx_id("y-missed"), line=Y_LINE, caller=B_CALLER,
                                            answered_at=None, marker=marker))
        # Answered at no extension of the hub's: the recording carries the marker.
        answered = _report(connector, _events(_pbx_id("y-answered"), line=Y_LINE,
                                              caller=B_CALLER, answered_at="90018",
                                              marker=marker))
        assert missed.institution_id == answered.institution_id == institution.pk
    return PhoneSeed(
        candidates=[Candidate(str(missed.pk), "Y's missed call"),
                    Candidate(str(answered.pk), "Y's answered call"),
                    Candidate(str(line.pk), "Y's phone line"),
                    Candidate(missed.pbx_call_id, "Y's call as the PBX names it")],
        json_body={"call": missed.pk, "call_id": missed.pk, "line": line.pk},
        query_probe={"q": B_CALLER, "number": B_CALLER, "institution": str(institution.pk)},
    )


def hub_phone_rows(institution: Institution) -> dict[str, list[tuple[Any, ...]]]:
    """Y's phone data in the hub's schema (run inside it), for the fingerprint."""
    return {
        "telephony.PhoneLine(Y)": list(PhoneLine.objects.filter(institution=institution)
                                       .order_by("pk").values_list()),
        "telephony.Call(Y)": list(Call.objects.filter(institution=institution)
                                  .order_by("pk").values_list()),
        "telephony.CallEvent(Y)": list(CallEvent.objects.filter(call__institution=institution)
                                       .order_by("pk").values_list()),
    }
