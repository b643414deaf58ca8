"""The outbox against the MLog double: what arrives is what was logged; MLog down, refusing,
or finding a batch too large loses nothing."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from sgsc.integrations.doubles.mlog_server import MLogDouble
from sgsc.integrations.mlog import services
from sgsc.integrations.mlog.events import mlog_event_for
from sgsc.integrations.mlog.models import MLogOutboxEntry
from sgsc.integrations.mlog.services import (
    KICK_CACHE_KEY,
    mlog_outbox_drain,
    mlog_outbox_retry_now,
    retry_delay,
)
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from tests.factories import InstitutionFactory, UserFactory
from tests.integrations.mlog.conftest import PLATFORM_IDNO, valid_code

pytestmark = pytest.mark.django_db
ErrorKind = MLogOutboxEntry.ErrorKind


def _log(n: int, *, tenant: Any = None, size: int = 0) -> list[AuditEvent]:
    return [audit_record(action="test.ping", tenant=tenant,
                         details={"n": i, "filler": "ș" * size}) for i in range(n)]


def _expected(events: list[AuditEvent]) -> list[dict[str, Any]]:
    return [mlog_event_for(AuditEvent.objects.get(pk=event.pk), platform_idno=PLATFORM_IDNO)
            for event in events]


def _rows(events: list[AuditEvent]) -> list[MLogOutboxEntry]:
    return list(MLogOutboxEntry.objects.filter(event__in=events).order_by("id"))


def test_with_mlog_off_no_outbox_row_is_written(settings: Any) -> None:
    settings.MLOG_URL = ""
    event = audit_record(action="test.ping", tenant=None)
    assert not MLogOutboxEntry.objects.filter(event=event).exists()
    assert mlog_outbox_drain().stopped == "disabled"


def test_the_outbox_row_rolls_back_with_its_event(mlog_on: MLogDouble) -> None:
    before = MLogOutboxEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="test.ping", tenant=None)
        raise RuntimeError
    assert MLogOutboxEntry.objects.count() == before


def test_what_arrives_is_exactly_what_was_logged(mlog_on: MLogDouble, tenants) -> None:  # type: ignore[no-untyped-def]
    tenants.prov_a.institution = InstitutionFactory(idno=valid_code("1", 555))
    tenants.prov_a.save(update_fields=["institution"])
    user = UserFactory(idnp=valid_code("2", 555))
    events = [
        audit_record(action="auth.login", actor=user, tenant=tenants.prov_a, ip="10.0.0.1"),
        audit_record(action="auth.login", outcome=AuditEvent.Outcome.FAILURE, tenant=None,
                     actor_label="nimeni@test.gov.md"),
        audit_record(action="membership.grant", actor=user, tenant=tenants.prov_a,
                     details={"roles": ["auditor"], "text": 'ghilimele " și \\ diacritice'}),
        audit_record(action="auth.logout", actor=user, tenant=tenants.prov_a),
    ]

    report = mlog_outbox_drain()

    assert (report.sent, report.requests, report.stopped) == (4, 1, "empty")
    assert mlog_on.events == _expected(events)
    [received] = mlog_on.received
    assert received.client_fingerprint in mlog_on.known_clients
    rows = _rows(events)
    assert all(row.sent_at is not None and row.mlog_id == received.uid for row in rows)
    assert {row.error_kind for row in rows} == {""}
    # Idempotent: a second run finds nothing to send.
    assert mlog_outbox_drain().stopped == "empty"
    assert mlog_on.requests == 1


def test_batches_stay_under_the_limit_in_order(mlog_on: MLogDouble, settings: Any) -> None:
    settings.MLOG_BATCH_MAX_BYTES = 8192
    events = _log(40, size=400)  # about 1 KB each

    report = mlog_outbox_drain()

    assert report.stopped == "empty" and report.sent == 40
    assert len(mlog_on.received) >= 5
    assert all(received.body_bytes <= 8192 for received in mlog_on.received)
    assert mlog_on.events == _expected(events)


@pytest.mark.parametrize("how", ["503", "refuse"])
def test_mlog_down_keeps_everything_and_drains_when_back(mlog_on: MLogDouble, how: str) -> None:
    first = _log(3)
    mlog_on.go_down(how)
    started = timezone.now()

    assert mlog_outbox_drain().stopped == "unavailable"
    rows = _rows(first)
    assert all(row.sent_at is None and row.attempts == 1 for row in rows)
    assert {row.error_kind for row in rows} == {ErrorKind.UNAVAILABLE}
    for row in rows:
        assert started + timedelta(seconds=14) < row.next_attempt_at
        assert row.next_attempt_at < timezone.now() + timedelta(seconds=31)
    requests_while_down = mlog_on.requests
    # Paused: newer events wait behind the backoff, no request is made.
    second = _log(2)
    report = mlog_outbox_drain()
    assert report.stopped == "paused" and report.paused_until is not None
    assert mlog_on.requests == requests_while_down

    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        assert mlog_outbox_drain().stopped == "unavailable"
        assert {row.attempts for row in _rows(first)} == {2}
    mlog_on.go_up()
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        report = mlog_outbox_drain()

    assert (report.stopped, report.sent) == ("empty", 5)
    assert mlog_on.events == _expected(first + second)
    assert all(row.sent_at is not None and row.error_kind == "" for row in
               _rows(first + second))


@pytest.mark.parametrize("status", [500, 502, 429])
def test_server_errors_and_throttling_are_retried(mlog_on: MLogDouble, status: int) -> None:
    events = _log(2)
    mlog_on.fail_next(status)
    assert mlog_outbox_drain().stopped == "unavailable"
    assert mlog_on.events == []
    mlog_outbox_retry_now()
    assert mlog_outbox_drain().stopped == "empty"
    assert mlog_on.events == _expected(events)


def test_backoff_grows_exponentially_with_jitter_and_a_cap(settings: Any) -> None:
    settings.MLOG_RETRY_MAX_SECONDS = 3600
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (8, 3600), (40, 3600)]:
        delays = {retry_delay(attempts).total_seconds() for _ in range(20)}
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert len(delays) > 1  # jitter


def test_a_413_splits_the_batch(mlog_on: MLogDouble) -> None:
    mlog_on.max_bytes = 3000  # MLog's limit is lower than we think
    events = _log(12, size=150)

    report = mlog_outbox_drain()

    assert (report.stopped, report.sent, report.rejected) == ("empty", 12, 0)
    assert report.requests > len(mlog_on.received) > 1
    assert all(received.body_bytes <= 3000 for received in mlog_on.received)
    assert mlog_on.events == _expected(events)


def test_one_event_mlog_refuses_waits_alone_and_the_rest_goes_on(  # type: ignore[no-untyped-def]
        mlog_on: MLogDouble, caplog) -> None:
    events = _log(9)
    poison = f"platform:{events[4].sequence}"
    mlog_on.reject = lambda event: event["event_id"] == poison

    with caplog.at_level(logging.ERROR, logger="sgsc.integrations.mlog.services"):
        report = mlog_outbox_drain()

    assert (report.stopped, report.sent, report.rejected) == ("empty", 8, 1)
    assert mlog_on.events == _expected(events[:4] + events[5:])
    refused = MLogOutboxEntry.objects.get(event=events[4])
    assert refused.sent_at is None and refused.error_kind == ErrorKind.REJECTED
    assert refused.attempts == 1 and refused.next_attempt_at > timezone.now()
    assert "HTTP 400" in refused.last_error
    assert "MLog refused audit event" in caplog.text
    # It does not hold the queue up.
    later = _log(1)
    assert mlog_outbox_drain().sent == 1
    assert mlog_on.events[-1] == _expected(later)[0]


def test_an_unknown_client_is_a_configuration_error_and_keeps_the_rows(  # type: ignore[no-untyped-def]
        mlog_on: MLogDouble, settings: Any, caplog) -> None:
    stranger = mlog_on.client_credentials("old-certificate", registered=False)
    settings.MLOG_CERT_FILE, settings.MLOG_KEY_FILE = stranger.cert_file, stranger.key_file
    events = _log(3)

    with caplog.at_level(logging.ERROR, logger="sgsc.integrations.mlog.services"):
        assert mlog_outbox_drain().stopped == "configuration"

    assert "MLog refuses our client" in caplog.text
    rows = _rows(events)
    assert all(row.sent_at is None and row.error_kind == ErrorKind.CONFIGURATION
               and "HTTP 401" in row.last_error for row in rows)
    assert mlog_outbox_drain().stopped == "paused"
    # Registered with MLog (what the operator does), then "sgsc mlog drain".
    mlog_on.known_clients.add(stranger.fingerprint)
    call_command("mlog", "drain")
    assert mlog_on.events == _expected(events)


def test_status_command(mlog_on: MLogDouble, capsys) -> None:  # type: ignore[no-untyped-def]
    _log(2)
    mlog_on.go_down("503")
    mlog_outbox_drain()
    call_command("mlog", "status")
    out = capsys.readouterr().out
    assert "adapter:        on" in out
    assert "unavailable: " in out
    assert "HTTP 503" in out
    assert "max attempts:   1" in out


def test_new_events_kick_one_drain_per_window(mlog_on: MLogDouble, monkeypatch,  # type: ignore[no-untyped-def]
                                              django_capture_on_commit_callbacks) -> None:
    from sgsc.platform.celery import app

    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(app, "send_task", lambda name, **options: sent.append((name, options)))
    monkeypatch.setattr(services._Kick, "covered_until", 0.0)
    cache.delete(KICK_CACHE_KEY)

    with django_capture_on_commit_callbacks(execute=True):
        _log(5)
    with django_capture_on_commit_callbacks(execute=True):
        _log(1)

    assert sent == [("mlog.drain", {"countdown": services.KICK_DEBOUNCE_SECONDS,
                                    "headers": {"_schema_name": "public"}})]
    assert json.loads(json.dumps(sent[0][1]))  # plain data only, as a message needs
