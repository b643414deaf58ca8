"""Metering: the seat and storage meters, idempotence, adjustments, the command, the fan-out."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgsc.billing.usage import tasks
from sgsc.billing.usage.meters import meter_seats, meter_storage, registered_meters
from sgsc.billing.usage.models import Metric, UsageRecord
from sgsc.billing.usage.services import usage_adjust, usage_meter_day, usage_meter_tenant_day
from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import Membership
from sgsc.shared_apps.workdays.selectors import local_zone
from tests.factories import UserFactory

DAY = date(2026, 3, 10)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=local_zone())


def member(tenant: Any, roles: list[str], **fields: Any) -> Membership:
    return Membership.objects.create(user=UserFactory(), tenant=tenant, roles=roles,
                                     valid_from=fields.pop("valid_from", at(DAY - timedelta(30))),
                                     **fields)


def snapshot(tenant: Any) -> list[tuple[Any, ...]]:
    return list(UsageRecord.objects.filter(tenant=tenant).order_by("id").values_list(
        "id", "day", "metric", "quantity", "kind", "source", "computed_at"))


def test_registry_holds_the_meters_of_the_installed_apps() -> None:
    # Every metric has its meter: tickets_handled from tickets, call_minutes from telephony.
    assert set(registered_meters()) == set(Metric.values)


def test_seats_count_operator_roles_active_that_day(tenants) -> None:  # type: ignore[no-untyped-def]
    tenant = tenants.prov_a
    counted = [member(tenant, ["l1_operator"]), member(tenant, ["supervisor", "tenant_admin"]),
               member(tenant, ["coordinator"], ended_at=at(DAY, 9)),  # ended during the day
               member(tenant, ["l3_technical"], valid_from=at(DAY, 18))]  # started that day
    member(tenant, ["tenant_admin"])  # no operator role
    member(tenant, ["auditor"])
    member(tenant, ["l2_specialist"], ended_at=at(DAY - timedelta(1), 23))  # ended the day before
    member(tenant, ["l1_operator"], valid_until=at(DAY, 0) - timedelta(seconds=1))  # expired
    member(tenant, ["l1_operator"], valid_from=at(DAY + timedelta(1), 0))  # not yet
    member(tenants.prov_b, ["l1_operator"])  # another tenant
    reading = meter_seats(tenant, DAY)
    assert reading.quantity == 4
    assert reading.source["memberships"] == sorted(m.pk for m in counted)


def test_storage_is_the_schema_size_in_gb(tenants) -> None:  # type: ignore[no-untyped-def]
    reading = meter_storage(tenants.prov_a, DAY)
    assert reading.source["schema"] == "t_prov_a"
    assert reading.source["bytes"] > 0 and reading.source["tables"] > 0
    assert reading.quantity == (Decimal(reading.source["bytes"]) / 1024**3).quantize(
        Decimal("0.000001"))
    assert reading.quantity.as_tuple().exponent == -6


def test_metering_a_day_writes_one_record_per_metric(tenants) -> None:  # type: ignore[no-untyped-def]
    member(tenants.prov_a, ["l1_operator"])
    created = usage_meter_tenant_day(tenant=tenants.prov_a, day=DAY)
    assert sorted(r.metric for r in created) == [Metric.CALL_MINUTES, Metric.SEATS,
                                                 Metric.STORAGE_GB, Metric.TICKETS_HANDLED]
    seats = UsageRecord.objects.get(tenant=tenants.prov_a, day=DAY, metric=Metric.SEATS)
    assert seats.quantity == 1 and seats.kind == UsageRecord.Kind.ORIGINAL
    assert AuditEvent.objects.filter(action="usage.meter", object_id=str(tenants.prov_a.pk)).exists()


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(roles=st.lists(st.sampled_from(["l1_operator", "l2_specialist", "tenant_admin",
                                       "supervisor", "auditor"]), max_size=6),
       offset=st.integers(min_value=1, max_value=400))
def test_metering_a_day_twice_gives_the_same_records(tenants, roles, offset) -> None:  # type: ignore[no-untyped-def]
    day = timezone.localdate() - timedelta(days=offset)
    with transaction.atomic():
        for role in roles:
            member(tenants.hub, [role], valid_from=at(day - timedelta(1)))
        first = usage_meter_tenant_day(tenant=tenants.hub, day=day)
        before = snapshot(tenants.hub)
        member(tenants.hub, ["l1_operator"], valid_from=at(day - timedelta(1)))  # changes after
        again = usage_meter_tenant_day(tenant=tenants.hub, day=day)
        assert len(first) == len(Metric.values) and again == []
        assert snapshot(tenants.hub) == before
        transaction.set_rollback(True)


def test_a_day_not_over_is_refused_and_nothing_stored(tenants) -> None:  # type: ignore[no-untyped-def]
    for day in (timezone.localdate(), timezone.localdate() + timedelta(days=3)):
        with pytest.raises(ApplicationError) as raised:
            usage_meter_tenant_day(tenant=tenants.prov_a, day=day)
        assert raised.value.code == "day_not_over"
    assert not UsageRecord.objects.exists()


def test_unknown_tenant_is_refused(tenants) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError) as raised:
        usage_meter_day(day=DAY, tenant_slug="nu-exista")
    assert raised.value.code == "tenant_not_found"


def test_adjustment_records_the_difference(tenants, user_with_role) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("age_admin")
    member(tenants.prov_a, ["l1_operator"])
    usage_meter_tenant_day(tenant=tenants.prov_a, day=DAY)
    original = UsageRecord.objects.get(tenant=tenants.prov_a, day=DAY, metric=Metric.SEATS)
    first = usage_adjust(tenant=tenants.prov_a, day=DAY, metric=Metric.SEATS,
                         quantity=Decimal(3), reason="Operator omis", actor=admin)
    second = usage_adjust(tenant=tenants.prov_a, day=DAY, metric=Metric.SEATS,
                          quantity=Decimal(2), reason="Corectare", actor=admin)
    assert (first.quantity, second.quantity) == (Decimal(2), Decimal(-1))
    assert first.adjusts == second.adjusts == original
    original.refresh_from_db()
    assert original.quantity == 1  # never overwritten
    assert second.source == {"previous": "3.000000", "corrected": "2"}
    assert AuditEvent.objects.filter(action="usage.adjust", outcome="success").count() == 2


@pytest.mark.parametrize(("quantity", "reason", "metric", "code"), [
    ("5", "  ", Metric.SEATS, "reason_required"),
    ("-1", "x", Metric.SEATS, "negative_quantity"),
    ("5", "x", "mystery", "invalid_metric"),
    ("0", "x", Metric.SEATS, "usage_unchanged"),
])
def test_bad_adjustments_are_refused_and_audited(tenants, user_with_role, quantity, reason,  # type: ignore[no-untyped-def]
                                                 metric, code) -> None:
    admin = user_with_role("age_admin")
    usage_meter_tenant_day(tenant=tenants.prov_a, day=DAY)
    before = snapshot(tenants.prov_a)
    with pytest.raises(ApplicationError) as raised:
        usage_adjust(tenant=tenants.prov_a, day=DAY, metric=metric, quantity=Decimal(quantity),
                     reason=reason, actor=admin)
    assert raised.value.code == code
    assert snapshot(tenants.prov_a) == before
    assert AuditEvent.objects.filter(action="usage.adjust", outcome="failure",
                                     details__code=code).exists()


def test_adjusting_a_day_never_metered_is_refused(tenants, user_with_role) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("age_admin")
    usage_meter_tenant_day(tenant=tenants.prov_a, day=DAY)
    with pytest.raises(ApplicationError) as raised:
        usage_adjust(tenant=tenants.prov_a, day=DAY - timedelta(days=1),
                     metric=Metric.CALL_MINUTES, quantity=Decimal("12.5"), reason="x",
                     actor=admin)
    assert raised.value.code == "usage_not_metered"
    assert not UsageRecord.objects.filter(day=DAY - timedelta(days=1)).exists()
    assert AuditEvent.objects.filter(action="usage.adjust", outcome="failure",
                                     details__code="usage_not_metered").exists()


def test_call_minutes_are_corrected_to_the_hundredth(tenants, user_with_role) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("age_admin")
    usage_meter_tenant_day(tenant=tenants.prov_a, day=DAY)  # no calls: 0 minutes
    adjustment = usage_adjust(tenant=tenants.prov_a, day=DAY, metric=Metric.CALL_MINUTES,
                              quantity=Decimal("12.35"), reason="Apeluri raportate târziu",
                              actor=admin)
    assert adjustment.quantity == Decimal("12.35")
    assert adjustment.source == {"previous": "0.000000", "corrected": "12.35"}


def test_command_meters_one_tenant_or_all(tenants) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("usage", "meter", "--day", DAY.isoformat(), "--tenant", "prov-b", stdout=out)
    assert out.getvalue().startswith("prov-b  call_minutes=0.00, seats=0, storage_gb=")
    assert "tickets_handled=0" in out.getvalue()
    out = StringIO()
    call_command("usage", "meter", "--day", DAY.isoformat(), stdout=out)
    lines = dict(line.split("  ") for line in out.getvalue().splitlines())
    assert lines == {"hub-test": lines["hub-test"], "prov-a": lines["prov-a"], "prov-b": "-"}
    assert UsageRecord.objects.filter(day=DAY).count() == 3 * len(Metric.values)
    for bad in ("2026-13-01", "ieri"):
        with pytest.raises(CommandError, match="Invalid day"):
            call_command("usage", "meter", "--day", bad)
    with pytest.raises(CommandError, match="day_not_over"):
        call_command("usage", "meter", "--day", timezone.localdate().isoformat())


def test_dispatcher_sends_the_day_to_every_real_tenant(tenants, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sgsc.tenants.schemas import current_schema_name

    sent: list[tuple[str, str, dict[str, str]]] = []
    monkeypatch.setattr(tasks.app, "send_task", lambda name, kwargs: sent.append(
        (current_schema_name(), name, kwargs)))
    schemas = tasks.meter_dispatch()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert schemas == ["t_hub_test", "t_prov_a", "t_prov_b"]  # no public, no template
    assert sent == [(schema, "usage.meter_tenant", {"day": yesterday}) for schema in schemas]
    tasks.meter_dispatch(day="2026-03-10")
    assert sent[-1][2] == {"day": "2026-03-10"}


def test_tenant_task_outside_a_tenant_schema_meters_nothing(db) -> None:  # type: ignore[no-untyped-def]
    assert tasks.meter_tenant(day="2026-03-10") == 0  # run in public
    assert not UsageRecord.objects.exists()


def test_tenant_task_meters_the_schema_it_runs_in(tenants) -> None:  # type: ignore[no-untyped-def]
    from django_tenants.utils import schema_context

    with schema_context(tenants.prov_b.schema_name):
        assert tasks.meter_tenant(day="2026-03-10") == len(Metric.values)
    assert set(UsageRecord.objects.values_list("tenant__slug", flat=True)) == {"prov-b"}
