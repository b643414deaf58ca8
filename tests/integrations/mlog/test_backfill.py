"""``sgsc mlog backfill``: events recorded while the adapter was off are shipped once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from sgsc.integrations.doubles.mlog_server import MLogDouble
from sgsc.integrations.mlog.backfill import mlog_outbox_backfill
from sgsc.integrations.mlog.models import MLogOutboxEntry
from sgsc.integrations.mlog.services import mlog_outbox_drain
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from tests.integrations.mlog.test_drain import _expected

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_left_behind(mlog_on: MLogDouble) -> None:
    """Events from the database's setup (tenants) have no rows either: queue them first, so
    that the counts below are this test's own."""
    mlog_outbox_backfill(actor_label="test")


def _log_while_off(settings: Any, n: int, *, tenant: Any = None) -> list[AuditEvent]:
    url, settings.MLOG_URL = settings.MLOG_URL, ""
    events = [audit_record(action="test.offline", tenant=tenant, details={"n": i})
              for i in range(n)]
    settings.MLOG_URL = url
    assert not MLogOutboxEntry.objects.filter(event__in=events).exists()
    return events


def _backfill(*args: str) -> str:
    out = StringIO()
    call_command("mlog", "backfill", *args, stdout=out)
    return out.getvalue()


def _shipped(double: MLogDouble, action: str = "test.offline") -> list[dict[str, Any]]:
    return [event for event in double.events if event["event_message"].startswith(action)]


def test_backfill_then_drain_ships_each_event_once(mlog_on: MLogDouble, settings: Any) -> None:
    offline = _log_while_off(settings, 3)
    online = audit_record(action="test.online", tenant=None)

    assert "queued 3 events" in _backfill()
    assert "queued 0 events" in _backfill()  # idempotent

    assert MLogOutboxEntry.objects.filter(event__in=offline).count() == 3
    assert MLogOutboxEntry.objects.filter(event=online).count() == 1
    assert mlog_outbox_drain(max_batches=100).stopped == "empty"
    assert _shipped(mlog_on) == _expected(offline)
    assert _shipped(mlog_on, "test.online") == _expected([online])
    # Shipped rows count as having a row: nothing is queued again.
    assert "queued 0 events" in _backfill()
    assert mlog_outbox_drain(max_batches=100).sent == 1  # the last mlog.backfill event
    assert _shipped(mlog_on) == _expected(offline)


def test_backfill_is_audited(mlog_on: MLogDouble, settings: Any) -> None:
    _log_while_off(settings, 2)

    _backfill("--chain", "platform")

    event = AuditEvent.objects.filter(action="mlog.backfill").latest("id")
    assert (event.outcome, event.chain) == ("success", "platform")
    assert event.details == {"since": "", "chain": "platform", "queued": 2}
    assert event.actor_label.startswith("cli:")
    assert MLogOutboxEntry.objects.filter(event=event).exists()


def test_since_and_chain_narrow_what_is_queued(mlog_on: MLogDouble, settings: Any,
                                               tenants) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        old = _log_while_off(settings, 2)
    recent = _log_while_off(settings, 2)
    tenant_events = _log_while_off(settings, 2, tenant=tenants.prov_a)
    since = timezone.localdate() - timedelta(days=1)

    assert "queued 2 events" in _backfill("--since", since.isoformat(), "--chain", "platform")
    queued = set(MLogOutboxEntry.objects.values_list("event_id", flat=True))
    assert {e.pk for e in recent} <= queued
    assert not {e.pk for e in old + tenant_events} & queued

    assert "queued 2 events" in _backfill("--chain", tenants.prov_a.schema_name)
    assert "queued 2 events" in _backfill()  # the old ones


def test_batches_cover_everything(mlog_on: MLogDouble, settings: Any) -> None:
    events = _log_while_off(settings, 7)

    assert mlog_outbox_backfill(actor_label="test", batch_size=2) == 7

    assert MLogOutboxEntry.objects.filter(event__in=events).count() == 7


def test_refused_with_exit_code_2_when_the_adapter_is_off(mlog_on: MLogDouble,
                                                          settings: Any) -> None:
    settings.MLOG_URL = ""
    audit_record(action="test.offline", tenant=None)
    before = MLogOutboxEntry.objects.count()

    with pytest.raises(CommandError, match="MLOG_URL este gol") as refused:
        _backfill()

    assert refused.value.returncode == 2
    assert MLogOutboxEntry.objects.count() == before
    event = AuditEvent.objects.filter(action="mlog.backfill").latest("id")
    assert event.outcome == "failure" and event.details["reason"] == "mlog_disabled"


def test_an_unknown_chain_is_refused(mlog_on: MLogDouble) -> None:
    with pytest.raises(CommandError, match="nu există") as refused:
        _backfill("--chain", "nu_exista")

    assert refused.value.returncode == 1
    event = AuditEvent.objects.filter(action="mlog.backfill").latest("id")
    assert event.outcome == "failure" and event.details["reason"] == "unknown_chain"
