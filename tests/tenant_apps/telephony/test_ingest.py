"""Events from the PBX: stored before the answer, each once, merged into calls in any order,
a bad batch refused whole (invariant 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from sgsc.platform.errors import InvalidInput
from sgsc.tenant_apps.telephony.models import Call, CallEvent, Extension, PhoneLine
from sgsc.tenant_apps.telephony.protocol import batch_parse
from sgsc.tenant_apps.telephony.services import call_events_ingest
from tests.tenant_apps.telephony.conftest import call_event

pytestmark = pytest.mark.django_db


def _ingest(connector, *events):
    return call_events_ingest(connector=connector, events=batch_parse({"events": list(events)}))


def test_a_call_is_merged_from_its_events_in_any_order(pbx, access_as) -> None:
    connector, _key = pbx
    operator = access_as("l1_operator")
    Extension.objects.create(user=operator.user, number="201")
    line = PhoneLine.objects.create(number="37322123456", name="Linia verde")
    start = timezone.now() - timedelta(minutes=10)
    ended = call_event("call.ended", "c1", start + timedelta(seconds=200),
                       disposition="answered", talk_seconds=170, extension="201")
    answered = call_event("call.answered", "c1", start + timedelta(seconds=30), extension="201")
    ringing = call_event("call.ringing", "c1", start, wait_seconds=30)
    _ingest(connector, ended)
    call = Call.objects.get(pbx_call_id="c1")
    assert call.state == Call.State.ENDED
    assert call.answered_at == start + timedelta(seconds=30)
    _ingest(connector, answered, ringing)
    call.refresh_from_db()
    assert (call.state, call.disposition, call.talk_seconds) == ("ended", "answered", 170)
    assert call.started_at == start and call.wait_seconds == 30
    assert call.line == line and call.caller == "37369123456" and call.callee == "37322123456"
    assert call.agent_id == operator.user.pk
    assert call.events.count() == 3


def test_a_resent_event_is_a_duplicate_and_changes_nothing(pbx) -> None:
    connector, _key = pbx
    at = timezone.now()
    event = call_event("call.ringing", "c2", at)
    assert [result.status for result in _ingest(connector, event)] == ["accepted"]
    ended = call_event("call.ended", "c2", at + timedelta(seconds=20), disposition="no_answer")
    results = _ingest(connector, event, ended)
    assert [result.status for result in results] == ["duplicate", "accepted"]
    assert CallEvent.objects.count() == 2
    call = Call.objects.get(pbx_call_id="c2")
    assert call.missed and call.disposition == "no_answer"


def test_one_bad_event_refuses_the_whole_batch(pbx) -> None:
    connector, _key = pbx
    at = timezone.now()
    good = call_event("call.ringing", "c3", at)
    bad = call_event("call.ended", "c3", at, disposition="answered")  # no talk_seconds
    with pytest.raises(InvalidInput) as refused:
        _ingest(connector, good, bad)
    assert refused.value.code == "invalid_call_event"
    assert "events[1].talk_seconds" in refused.value.fields
    assert not Call.objects.exists() and not CallEvent.objects.exists()


@pytest.mark.parametrize(("body", "code"), [
    ({}, "invalid_call_batch"),
    ({"events": []}, "invalid_call_batch"),
    ({"events": [{"type": "call.ringing"}] * 101}, "call_batch_too_large"),
    ({"events": [call_event("call.ringing", "x", timezone.now(), event_id="same"),
                 call_event("call.ended", "x", timezone.now(), event_id="same",
                            disposition="busy")]}, "duplicate_event_in_batch"),
    ({"events": [call_event("call.hangup", "x", timezone.now())]}, "invalid_call_event"),
    ({"events": [{**call_event("call.ringing", "x", timezone.now()),
                  "at": "2026-11-26 10:00"}]}, "invalid_call_event"),
    ({"events": [call_event("call.answered", "x", timezone.now())]}, "invalid_call_event"),
    ({"events": [call_event("call.ended", "x", timezone.now(), disposition="busy",
                            talk_seconds=5)]}, "invalid_call_event"),
    ({"events": [call_event("call.ringing", "x y", timezone.now())]}, "invalid_call_event"),
    ({"events": ["ringing"]}, "invalid_call_event"),
])
def test_bad_batches_have_stable_codes(body, code) -> None:
    with pytest.raises(InvalidInput) as refused:
        batch_parse(body)
    assert refused.value.code == code


def test_received_events_cannot_be_changed_or_removed(pbx) -> None:
    connector, _key = pbx
    _ingest(connector, call_event("call.ringing", "c4", timezone.now()))
    for change in (lambda: CallEvent.objects.update(kind="call.ended"),
                   lambda: CallEvent.objects.all().delete()):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert CallEvent.objects.get().kind == "call.ringing"
