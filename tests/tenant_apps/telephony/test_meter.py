"""The call_minutes meter: the talk time of the calls that ended during the day (Europe/Chisinau),
in minutes to the hundredth, half up; unanswered calls count nothing; a day metered again gives
the same records. Calls come in through ``call_events_ingest``, as a PBX reports them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.db import transaction
from django_tenants.utils import schema_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgsc.billing.usage.meters import registered_meters
from sgsc.billing.usage.models import Metric, UsageRecord
from sgsc.billing.usage.services import usage_meter_tenant_day
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.shared_apps.workdays.selectors import local_zone
from sgsc.tenant_apps.telephony.meter import meter_call_minutes
from sgsc.tenant_apps.telephony.models import Call, Connector, PhoneLine
from sgsc.tenant_apps.telephony.services import connector_issue
from sgsc.tenants.models import Tenant
from tests.factories import InstitutionFactory
from tests.tenant_apps.telephony.calls import answered_call as talk
from tests.tenant_apps.telephony.calls import ingest, new_call_id
from tests.tenant_apps.telephony.calls import missed_call as missed
from tests.tenant_apps.telephony.conftest import call_event

pytestmark = pytest.mark.django_db

# Moldova moves its clocks from 02:00 to 03:00 on the last Sunday of March: a day of 23 hours.
DAY = date(2026, 3, 29)


def local(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=local_zone())


def pk_of(*call_ids: str) -> list[int]:
    return sorted(Call.objects.filter(pbx_call_id__in=call_ids).values_list("pk", flat=True))


def minutes(seconds: int) -> Decimal:
    return (Decimal(seconds) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_the_telephony_app_registers_the_meter() -> None:
    assert registered_meters()[Metric.CALL_MINUTES] is meter_call_minutes


def test_meter_counts_talk_time_of_calls_ended_in_the_local_day(pbx, tenants) -> None:  # type: ignore[no-untyped-def]
    connector, _key = pbx
    counted = [
        talk(connector, ended=local(DAY, "10:00:00"), seconds=125),
        # Began the evening before, ended after midnight: the day it ended.
        talk(connector, ended=local(DAY, "00:05:00"), seconds=900),
        # 23:59:30 local is 20:59:30 UTC: still this day in Chisinau.
        talk(connector, ended=local(DAY, "23:59:30"), seconds=61),
        talk(connector, ended=local(DAY, "04:00:00"), seconds=47, direction="outbound"),
    ]
    # Not this day: ended a moment before it began, or ten seconds after it ended.
    before = talk(connector, ended=local(DAY - timedelta(days=1), "23:59:59"), seconds=300)
    after = talk(connector, ended=local(DAY + timedelta(days=1), "00:00:10"), seconds=30)
    # Unanswered calls carry no talk time; one still in conversation has not ended.
    nobody = [missed(connector, ended=local(DAY, "11:00:00")),
              missed(connector, ended=local(DAY, "12:00:00"), disposition="abandoned"),
              missed(connector, ended=local(DAY, "13:00:00"), disposition="busy")]
    ongoing = new_call_id()
    ingest(connector, [call_event("call.answered", ongoing, local(DAY, "22:00:00"),
                                  extension="201")])

    reading = meter_call_minutes(tenants.prov_a, DAY)
    seconds = 125 + 900 + 61 + 47
    assert reading.quantity == minutes(seconds) == Decimal("18.88")  # 18.8833…
    assert reading.quantity.as_tuple().exponent == -2
    assert reading.source["calls"] == pk_of(*counted)
    assert reading.source["seconds"] == seconds
    assert "seconds_by_institution" not in reading.source
    assert not set(reading.source["calls"]) & set(pk_of(before, after, ongoing, *nobody))
    # The neighbouring days count the calls that ended in them.
    assert meter_call_minutes(tenants.prov_a, DAY + timedelta(days=1)).source["calls"] == \
        pk_of(after)
    assert meter_call_minutes(tenants.prov_a, DAY - timedelta(days=1)).quantity == 5


@pytest.mark.parametrize(("seconds", "expected"), [
    (0, "0.00"), (1, "0.02"), (2, "0.03"), (59, "0.98"), (60, "1.00"), (61, "1.02"),
    (74074, "1234.57"),  # 1234.5666…
])
def test_minutes_are_rounded_half_up_to_the_hundredth(pbx, tenants, seconds, expected) -> None:  # type: ignore[no-untyped-def]
    connector, _key = pbx
    if seconds:
        talk(connector, ended=local(DAY, "15:00:00"), seconds=seconds)
    assert meter_call_minutes(tenants.prov_a, DAY).quantity == Decimal(expected)


def test_a_day_without_calls_records_zero_minutes(tenants) -> None:  # type: ignore[no-untyped-def]
    created = usage_meter_tenant_day(tenant=tenants.prov_b, day=DAY)
    record = next(r for r in created if r.metric == Metric.CALL_MINUTES)
    assert record.quantity == 0
    assert record.source == {"calls": [], "seconds": 0,
                             "rule": "talk time of calls ended during the day"}


def test_a_call_reported_over_the_api_is_metered(tenants, pbx, client_for) -> None:  # type: ignore[no-untyped-def]
    _connector, key = pbx
    ended = local(DAY, "09:30:00")
    events = [call_event("call.ringing", "api-1", ended - timedelta(seconds=250)),
              call_event("call.answered", "api-1", ended - timedelta(seconds=242),
                         extension="201"),
              call_event("call.ended", "api-1", ended, disposition="answered",
                         talk_seconds=242, extension="201")]
    response = client_for(tenants.prov_a).post(
        "/api/v1/telephony/events/", {"events": events}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Connector {key}")
    assert response.status_code == 202, response.content
    with schema_context("public"):
        created = usage_meter_tenant_day(tenant=tenants.prov_a, day=DAY)
    record = next(r for r in created if r.metric == Metric.CALL_MINUTES)
    assert record.quantity == Decimal("4.03")  # 4.0333…
    assert record.source["seconds"] == 242
    assert record.source["calls"] == pk_of("api-1")


@pytest.fixture
def hub_pbx(tenants, user_with_role) -> Iterator[Connector]:  # type: ignore[no-untyped-def]
    admin = user_with_role(TenantRole.TENANT_ADMIN, tenants.hub)
    with schema_context(tenants.hub.schema_name):
        connector, _key = connector_issue(actor=admin, name="PBX hub")
        yield connector


def test_hub_meter_keeps_seconds_by_institution(tenants, hub_pbx) -> None:  # type: ignore[no-untyped-def]
    x, y = InstitutionFactory(), InstitutionFactory()
    with schema_context(tenants.hub.schema_name):
        PhoneLine.objects.create(number="37322100100", name="Linia X", institution=x)
        PhoneLine.objects.create(number="37322200200", name="Linia Y", institution=y)
        talk(hub_pbx, ended=local(DAY, "09:00:00"), seconds=100, line="022100100")
        talk(hub_pbx, ended=local(DAY, "10:00:00"), seconds=50, line="022100100")
        talk(hub_pbx, ended=local(DAY, "11:00:00"), seconds=35, line="022200200")
        # An outbound call from Y's line is Y's talk time too.
        talk(hub_pbx, ended=local(DAY, "12:00:00"), seconds=25, line="022200200",
             direction="outbound")
        talk(hub_pbx, ended=local(DAY, "13:00:00"), seconds=20, line="022999999")  # no line
        missed(hub_pbx, ended=local(DAY, "14:00:00"))
    record = next(r for r in usage_meter_tenant_day(tenant=tenants.hub, day=DAY)
                  if r.metric == Metric.CALL_MINUTES)
    assert record.quantity == minutes(230) == Decimal("3.83")
    assert record.source["seconds"] == 230
    assert record.source["seconds_by_institution"] == {str(x.pk): 150, str(y.pk): 60}
    assert tenants.hub.kind == Tenant.Kind.HUB


def _snapshot(tenant: Tenant) -> list[tuple[Any, ...]]:
    return list(UsageRecord.objects.filter(tenant=tenant).order_by("pk").values_list(
        "pk", "day", "metric", "quantity", "kind", "source", "computed_at"))


def test_metering_a_day_twice_gives_the_same_records(pbx, tenants) -> None:  # type: ignore[no-untyped-def]
    connector, _key = pbx
    talk(connector, ended=local(DAY, "10:00:00"), seconds=95)
    with schema_context("public"):
        first = usage_meter_tenant_day(tenant=tenants.prov_a, day=DAY)
        before = _snapshot(tenants.prov_a)
    # A call of that day reported late changes nothing recorded: a correction is an
    # adjustment (usage_adjust), never a second measurement.
    talk(connector, ended=local(DAY, "18:00:00"), seconds=600)
    with schema_context("public"):
        again = usage_meter_tenant_day(tenant=tenants.prov_a, day=DAY)
        assert again == []
        assert _snapshot(tenants.prov_a) == before
        record = UsageRecord.objects.get(tenant=tenants.prov_a, day=DAY,
                                         metric=Metric.CALL_MINUTES)
    assert record.pk in [r.pk for r in first]
    assert record.quantity == Decimal("1.58") and record.source["seconds"] == 95


# One call: its talk seconds, how it ended, and when (seconds from the day's start; negative or
# past the day's end for calls of the neighbouring days).
DAY_SECONDS = 23 * 3600  # DAY has 23 hours
calls = st.lists(st.tuples(st.integers(min_value=1, max_value=7200),
                           st.sampled_from(["answered", "answered", "no_answer", "abandoned",
                                            "busy"]),
                           st.integers(min_value=-3600, max_value=DAY_SECONDS + 3600)),
                 max_size=25)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reported=calls)
def test_recorded_minutes_are_the_rounded_talk_time_and_metering_again_adds_nothing(  # type: ignore[no-untyped-def]
        pbx, tenants, reported) -> None:
    connector, _key = pbx
    start = local(DAY, "00:00:00").astimezone(UTC)  # offsets in real seconds, not wall clock
    with transaction.atomic():
        expected_seconds = 0
        for seconds, disposition, offset in reported:
            ended = start + timedelta(seconds=offset)
            if disposition == "answered":
                talk(connector, ended=ended, seconds=seconds)
                if 0 <= offset < DAY_SECONDS:
                    expected_seconds += seconds
            else:
                missed(connector, ended=ended, disposition=disposition)
        with schema_context("public"):
            first = usage_meter_tenant_day(tenant=tenants.prov_a, day=DAY)
            before = _snapshot(tenants.prov_a)
            record = UsageRecord.objects.get(tenant=tenants.prov_a, day=DAY,
                                             metric=Metric.CALL_MINUTES)
            assert record.quantity == round(Decimal(expected_seconds) / 60, 2)
            assert record.quantity == minutes(expected_seconds)
            assert record.source["seconds"] == expected_seconds
            assert {r.metric for r in first} == set(registered_meters())
            assert usage_meter_tenant_day(tenant=tenants.prov_a, day=DAY) == []
            assert _snapshot(tenants.prov_a) == before
        transaction.set_rollback(True)
