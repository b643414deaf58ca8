"""Configuring the clock and the SLA policies: business hours with breaks or 24/7, local
closed days, policies per priority and service or group; stable codes, nothing half-written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import User
from sgsc.tenant_apps.catalog import services as catalog
from sgsc.tenant_apps.catalog.models import Priority
from sgsc.tenant_apps.sla import config_services as config
from sgsc.tenant_apps.sla.models import BusinessPeriod, ClockSettings, LocalClosedDay
from sgsc.tenant_apps.sla.selectors import clock_settings_get, sla_targets, working_time

pytestmark = pytest.mark.django_db
CHISINAU = ZoneInfo("Europe/Chisinau")


@pytest.fixture
def actor(user_with_role, tenants) -> Iterator[User]:  # type: ignore[no-untyped-def]
    user = user_with_role("tenant_admin", tenants.prov_a)
    with schema_context(tenants.prov_a.schema_name):
        yield user


def code_of(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value.code


def test_policies_are_unique_per_priority_and_target(actor) -> None:  # type: ignore[no-untyped-def]
    p2 = Priority.objects.get(code="p2").pk
    service = catalog.service_save(actor=actor, data=catalog.ServiceInput(code="S1", name="S"))
    group = catalog.service_group_save(actor=actor, data=catalog.ServiceGroupInput(
        code="g", name="G"))
    general = config.sla_policy_save(actor=actor, data=config.SlaPolicyInput(
        priority=p2, first_response_minutes=60, resolution_minutes=16 * 60))
    config.sla_policy_save(actor=actor, data=config.SlaPolicyInput(
        priority=p2, service=service.pk, first_response_minutes=30, resolution_minutes=240))
    config.sla_policy_save(actor=actor, data=config.SlaPolicyInput(
        priority=p2, group=group.pk, first_response_minutes=45, resolution_minutes=480))
    assert sla_targets(priority_id=p2, service=service).resolution_minutes == 240
    assert sla_targets(priority_id=p2, service=None).source == "priority_policy"
    assert code_of(lambda: config.sla_policy_save(actor=actor, data=config.SlaPolicyInput(
        priority=p2, first_response_minutes=10, resolution_minutes=20))) == "duplicate_policy"
    assert code_of(lambda: config.sla_policy_save(actor=actor, data=config.SlaPolicyInput(
        priority=p2, service=service.pk, group=group.pk, first_response_minutes=1,
        resolution_minutes=2))) == "service_or_group"
    assert code_of(lambda: config.sla_policy_save(actor=actor, pk=general.pk, data=(
        config.SlaPolicyInput(priority=p2, first_response_minutes=600,
                              resolution_minutes=60)))) == "response_after_resolution"
    assert code_of(lambda: config.sla_policy_save(actor=actor, data=config.SlaPolicyInput(
        priority=p2, service=service.pk, first_response_minutes=0,
        resolution_minutes=60))) == "out_of_range"
    assert code_of(lambda: config.sla_policy_save(actor=actor, data=config.SlaPolicyInput(
        first_response_minutes=1, resolution_minutes=60))) == "required"
    refused = AuditEvent.objects.filter(action="config.slapolicy.create",
                                        outcome=AuditEvent.Outcome.FAILURE)
    assert refused.count() == 4
    general.refresh_from_db()
    assert general.resolution_minutes == 16 * 60


def test_business_hours_with_breaks_apply_to_the_clock(actor) -> None:  # type: ignore[no-untyped-def]
    morning, afternoon = (time(9), time(12)), (time(12, 30), time(18))
    settings = config.business_hours_set(actor=actor, always_open=False, warning_percent=80,
                                         weekly={day: [afternoon, morning] for day in range(5)})
    assert settings.warning_percent == 80 and BusinessPeriod.objects.count() == 10
    clock = working_time()
    monday = datetime(2026, 3, 2, 9, tzinfo=CHISINAU)
    # 3 hours before the break, then the break, then 30 minutes.
    assert clock.add(monday, 210) == datetime(2026, 3, 2, 13, tzinfo=CHISINAU)
    event = AuditEvent.objects.filter(action="config.clocksettings.update").latest("id")
    assert event.details["changes"]["warning_percent"] == [75, 80]
    assert "0 09:00-12:00" in event.details["changes"]["periods"][1]


def test_bad_hours_are_refused_whole(actor) -> None:  # type: ignore[no-untyped-def]
    before = list(BusinessPeriod.objects.values_list("weekday", "start", "end"))
    overlapping = {0: [(time(8), time(12)), (time(11), time(17))]}
    assert code_of(lambda: config.business_hours_set(
        actor=actor, always_open=False, warning_percent=75,
        weekly=overlapping)) == "invalid_business_hours"
    assert code_of(lambda: config.business_hours_set(
        actor=actor, always_open=False, warning_percent=75,
        weekly={2: [(time(17), time(8))]})) == "invalid_business_hours"
    assert code_of(lambda: config.business_hours_set(
        actor=actor, always_open=False, warning_percent=75, weekly={})) == "invalid_business_hours"
    assert code_of(lambda: config.business_hours_set(
        actor=actor, always_open=False, warning_percent=100,
        weekly={0: [(time(8), time(17))]})) == "out_of_range"
    assert list(BusinessPeriod.objects.values_list("weekday", "start", "end")) == before
    assert AuditEvent.objects.filter(action="config.clocksettings.update",
                                     outcome=AuditEvent.Outcome.FAILURE).count() == 4
    # Around the clock, no periods are needed.
    config.business_hours_set(actor=actor, always_open=True, warning_percent=75, weekly={})
    assert clock_settings_get().always_open and not BusinessPeriod.objects.exists()
    assert ClockSettings.objects.count() == 1


def test_closed_days_are_not_in_the_past_and_not_twice(actor) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    closed = config.closed_day_save(actor=actor, data=config.ClosedDayInput(
        day=today + timedelta(days=3), reason="Ziua instituției"))
    assert closed.day in working_time().local_closed
    assert code_of(lambda: config.closed_day_save(actor=actor, data=config.ClosedDayInput(
        day=today + timedelta(days=3), reason="Alt motiv"))) == "duplicate_day"
    assert code_of(lambda: config.closed_day_save(actor=actor, data=config.ClosedDayInput(
        day=today - timedelta(days=1), reason="Trecut"))) == "closed_day_in_past"
    assert code_of(lambda: config.closed_day_save(actor=actor, data=config.ClosedDayInput(
        day=date(2200, 1, 1), reason="Departe"))) == "invalid_date"
    assert code_of(lambda: config.closed_day_save(actor=actor, data=config.ClosedDayInput(
        day=today + timedelta(days=4), reason=" "))) == "required"
    # Its reason may change even once the day has passed.
    LocalClosedDay.objects.filter(pk=closed.pk).update(day=today - timedelta(days=10))
    config.closed_day_save(actor=actor, pk=closed.pk, data=config.ClosedDayInput(
        day=today - timedelta(days=10), reason="Ziua instituției (corectat)"))
    catalog.config_delete(actor=actor, model=LocalClosedDay, pk=closed.pk)
    assert not LocalClosedDay.objects.exists()
