"""Statements: lines per component and period, VAT, hub prices and allocations, numbering,
issue and void with a credit note, and every refusal leaving nothing changed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.billing.statements.documents import COMPONENT_LABELS, statement_csv_rows
from sgsc.billing.statements.models import (
    AllocationKey,
    HubAllocationKey,
    Statement,
    StatementAllocation,
    StatementLine,
)
from sgsc.billing.statements.services import (
    hub_allocation_key_set,
    statement_generate,
    statement_issue,
    statement_void,
)
from sgsc.billing.usage.models import Metric, UsageRecord
from sgsc.billing.usage.services import usage_meter_tenant_day
from sgsc.platform.errors import ApplicationError
from sgsc.provisioning.contracts.models import Contract
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.institutions.models import HubAgreement, HubMembership
from sgsc.shared_apps.workdays.selectors import local_zone
from sgsc.tenant_apps.telephony.services import connector_issue
from tests.billing.statements.helpers import MARCH, fill_month, make_contract, make_schedule
from tests.billing.tariffs.helpers import PRICES
from tests.factories import InstitutionFactory
from tests.tenant_apps.telephony.calls import answered_call, missed_call

LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def amounts(statement: Statement) -> dict[str, Decimal]:
    return {line.component: line.amount for line in statement.lines.all()}


def test_a_month_under_one_version(tenants) -> None:  # type: ignore[no-untyped-def]
    schedule, version = make_schedule()
    contract = make_contract(tenant=tenants.prov_a, schedule=schedule)
    records = fill_month(tenants.prov_a)
    statement = statement_generate(contract=contract, month=MARCH, actor=None)
    assert statement.status == Statement.Status.DRAFT and statement.number == ""
    # 62 seat-days / 31 = 2 seats x 350; (60 GB average - 50 included) x 1.20.
    assert amounts(statement) == {"subscription": Decimal("1500.00"), "seat": Decimal("700.00"),
                                  "ticket": Decimal("0.00"), "call_minute": Decimal("0.00"),
                                  "storage_gb_month": Decimal("12.00")}
    assert statement.total == statement.net_amount == Decimal("2212.00")
    seat = statement.lines.get(component="seat")
    assert seat.quantity == 2 and seat.version == version
    assert seat.basis == {"seat_days": "62.000000", "days_in_month": 31}
    assert seat.usage_record_ids == sorted(r.pk for r in records if r.metric == Metric.SEATS)
    assert (seat.period_start, seat.period_end) == (MARCH, date(2026, 3, 31))


def test_vat_added_and_adjustments_counted(tenants) -> None:  # type: ignore[no-untyped-def]
    schedule, _version = make_schedule(vat_treatment="excluded", vat_rate=Decimal("20"))
    contract = make_contract(tenant=tenants.prov_a, schedule=schedule)
    records = fill_month(tenants.prov_a)
    seat = next(r for r in records if r.metric == Metric.SEATS)
    correction = UsageRecord.objects.create(
        tenant=tenants.prov_a, day=seat.day, metric=Metric.SEATS, quantity=Decimal(31),
        kind=UsageRecord.Kind.ADJUSTMENT, adjusts=seat, reason="test",
        computed_at=timezone.now())
    statement = statement_generate(contract=contract, month=MARCH, actor=None)
    line = statement.lines.get(component="seat")
    assert line.amount == Decimal("1050.00")  # 93 seat-days = 3 seat-months
    assert correction.pk in line.usage_record_ids
    assert statement.net_amount == Decimal("2562.00")
    assert statement.vat_amount == Decimal("512.40")
    assert statement.total == Decimal("3074.40") == sum(
        line.total for line in statement.lines.all())


def test_a_month_spanning_two_versions_splits_lines(tenants) -> None:  # type: ignore[no-untyped-def]
    schedule, first = make_schedule(effective_to=date(2026, 3, 15))
    from tests.billing.tariffs.helpers import make_version
    second = make_version(schedule=schedule, effective_from=date(2026, 3, 16),
                          prices={**PRICES, "subscription": "3100.0000"})
    contract = make_contract(tenant=tenants.prov_a, schedule=schedule)
    fill_month(tenants.prov_a)
    statement = statement_generate(contract=contract, month=MARCH, actor=None)
    subs = list(statement.lines.filter(component="subscription"))
    assert [(s.version, s.period_start.day, s.period_end.day, s.quantity, s.amount)
            for s in subs] == [
        (first, 1, 15, Decimal("0.483871"), Decimal("725.81")),
        (second, 16, 31, Decimal("0.516129"), Decimal("1600.00"))]
    seats = list(statement.lines.filter(component="seat"))
    assert [len(s.usage_record_ids) for s in seats] == [15, 16]


def test_a_contract_starting_mid_month_pays_its_days(tenants) -> None:  # type: ignore[no-untyped-def]
    schedule, _version = make_schedule()
    contract = make_contract(tenant=tenants.prov_a, schedule=schedule,
                             effective_date=date(2026, 3, 22))
    fill_month(tenants.prov_a)
    statement = statement_generate(contract=contract, month=MARCH, actor=None)
    assert (statement.period_start, statement.period_end) == (date(2026, 3, 22),
                                                              date(2026, 3, 31))
    assert statement.lines.get(component="subscription").quantity == Decimal("0.322581")
    assert len(statement.lines.get(component="seat").usage_record_ids) == 10


def test_hub_price_modifier_and_equal_allocation(tenants) -> None:  # type: ignore[no-untyped-def]
    schedule, version = make_schedule()
    version.components.update(hub_multiplier=Decimal("0.5"))
    contract = make_contract(tenant=tenants.hub, schedule=schedule)
    members = [InstitutionFactory() for _ in range(3)]
    for institution in members:
        HubMembership.objects.create(hub=tenants.hub, institution=institution)
    gone = HubMembership.objects.create(hub=tenants.hub, institution=InstitutionFactory())
    HubMembership.objects.filter(pk=gone.pk).update(left_at=LONG_AGO + timedelta(days=30))
    HubMembership.objects.update(joined_at=LONG_AGO)
    fill_month(tenants.hub, storage="0")
    statement = statement_generate(contract=contract, month=MARCH, actor=None)
    assert amounts(statement)["subscription"] == Decimal("750.00")
    assert statement.total == Decimal("1100.00")
    assert statement.allocation_key == AllocationKey.EQUAL
    shares = sorted(statement.allocations.values_list("amount", flat=True))
    assert shares == [Decimal("366.66"), Decimal("366.67"), Decimal("366.67")]


def test_hub_allocation_by_seats(tenants, user_with_role) -> None:  # type: ignore[no-untyped-def]
    schedule, _version = make_schedule()
    contract = make_contract(tenant=tenants.hub, schedule=schedule)
    a, b = InstitutionFactory(), InstitutionFactory()
    for institution in (a, b):
        HubMembership.objects.create(hub=tenants.hub, institution=institution)
    HubMembership.objects.update(joined_at=LONG_AGO)
    agreement = HubAgreement.objects.create(hub=tenants.hub, coordinator=a, number="A-1",
                                            signed_on=date(2025, 1, 1))
    hub_allocation_key_set(agreement=agreement, key=AllocationKey.SEATS,
                           actor=user_with_role("age_admin"))
    # Three operators: one serves every institution, two are limited to A.
    fill_month(tenants.hub, seats=3, storage="0",
               seat_source={"memberships": [1, 2, 3], "limited": {"2": [a.pk], "3": [a.pk]}})
    statement = statement_generate(contract=contract, month=MARCH, actor=None)
    shares = dict(statement.allocations.values_list("institution_id", "amount"))
    assert statement.total == Decimal("2550.00")
    assert shares == {a.pk: Decimal("1912.50"), b.pk: Decimal("637.50")}  # weights 3 : 1
    assert AuditEvent.objects.filter(action="hub.allocation_key.set").exists()
    with pytest.raises(ApplicationError) as raised:
        hub_allocation_key_set(agreement=agreement, key="by_mood", actor=None)
    assert raised.value.code == "invalid_allocation_key"
    assert HubAllocationKey.objects.get(agreement=agreement).key == AllocationKey.SEATS


def test_issue_numbers_and_void_credits(tenants, user_with_role) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("age_admin")
    schedule, _version = make_schedule()
    contract = make_contract(tenant=tenants.prov_a, schedule=schedule)
    other = make_contract(tenant=tenants.prov_b, schedule=schedule)
    fill_month(tenants.prov_a)
    year = timezone.localdate().year
    first = statement_issue(statement=statement_generate(contract=contract, month=MARCH,
                                                         actor=admin), actor=admin)
    second = statement_issue(statement=statement_generate(contract=other, month=MARCH,
                                                          actor=admin), actor=admin)
    assert (first.number, second.number) == (f"S-{year}-000001", f"S-{year}-000002")
    assert first.issued_by == admin and first.status == Statement.Status.ISSUED
    lines_before = list(first.lines.values_list("id", "amount"))
    note = statement_void(statement=first, reason="Număr greșit de locuri", actor=admin)
    first.refresh_from_db()
    assert first.status == Statement.Status.VOID and first.void_reason
    assert list(first.lines.values_list("id", "amount")) == lines_before  # never edited
    assert note.number == f"CN-{year}-000001" and note.credits == first
    assert note.total == -first.total
    assert sorted(note.lines.values_list("amount", flat=True)) == sorted(
        -amount for _pk, amount in lines_before)
    # After the void a corrected statement can be issued for the same month.
    again = statement_issue(statement=statement_generate(contract=contract, month=MARCH,
                                                         actor=admin), actor=admin)
    assert again.number == f"S-{year}-000003"
    assert {e.action for e in AuditEvent.objects.filter(object_type="statement")} >= {
        "statement.generate", "statement.issue", "statement.void"}


def test_regenerating_a_draft_replaces_it(tenants) -> None:  # type: ignore[no-untyped-def]
    schedule, _version = make_schedule()
    contract = make_contract(tenant=tenants.prov_a, schedule=schedule)
    first = statement_generate(contract=contract, month=MARCH, actor=None)
    fill_month(tenants.prov_a)
    second = statement_generate(contract=contract, month=MARCH, actor=None)
    assert not Statement.objects.filter(pk=first.pk).exists()
    assert second.total > first.total


def _state() -> tuple[object, ...]:
    return (list(Statement.objects.values_list("id", "status", "number", "total")),
            StatementLine.objects.count(), StatementAllocation.objects.count())


@pytest.mark.parametrize("case", ["month_not_over", "contract_not_in_force",
                                  "contract_draft", "no_approved_tariff", "statement_exists"])
def test_refusals_store_nothing(tenants, case) -> None:  # type: ignore[no-untyped-def]
    month = MARCH
    schedule, _version = make_schedule()
    fields = {}
    if case == "month_not_over":
        month = timezone.localdate().replace(day=1)
    elif case == "contract_not_in_force":
        fields = {"effective_date": date(2026, 4, 1)}
    elif case == "contract_draft":
        fields = {"status": Contract.Status.DRAFT}
    elif case == "no_approved_tariff":
        schedule, _version = make_schedule(effective_from=date(2026, 3, 10))
    contract = make_contract(tenant=tenants.prov_a, schedule=schedule, **fields)
    if case == "statement_exists":
        statement_issue(statement=statement_generate(contract=contract, month=MARCH, actor=None),
                        actor=None)
    before = _state()
    with pytest.raises(ApplicationError) as raised:
        statement_generate(contract=contract, month=month, actor=None)
    expected = "contract_not_in_force" if case == "contract_draft" else case
    assert raised.value.code == expected
    assert _state() == before
    assert AuditEvent.objects.filter(action="statement.generate", outcome="failure",
                                     details__code=expected).exists()


def test_issue_and_void_refuse_wrong_states(tenants) -> None:  # type: ignore[no-untyped-def]
    schedule, _version = make_schedule()
    contract = make_contract(tenant=tenants.prov_a, schedule=schedule)
    draft = statement_generate(contract=contract, month=MARCH, actor=None)
    with pytest.raises(ApplicationError) as raised:
        statement_void(statement=draft, reason="x", actor=None)
    assert raised.value.code == "statement_not_issued"
    issued = statement_issue(statement=draft, actor=None)
    with pytest.raises(ApplicationError) as raised:
        statement_issue(statement=issued, actor=None)
    assert raised.value.code == "statement_not_draft"
    with pytest.raises(ApplicationError) as raised:
        statement_void(statement=issued, reason=" ", actor=None)
    assert raised.value.code == "reason_required"
    issued.refresh_from_db()
    assert issued.status == Statement.Status.ISSUED


def test_hub_allocation_by_tickets_and_equal_when_no_data(tenants) -> None:  # type: ignore[no-untyped-def]
    schedule, _version = make_schedule()
    a, b, c = InstitutionFactory(), InstitutionFactory(), InstitutionFactory()
    for institution in (a, b, c):
        HubMembership.objects.create(hub=tenants.hub, institution=institution)
    HubMembership.objects.update(joined_at=LONG_AGO)
    agreement = HubAgreement.objects.create(hub=tenants.hub, coordinator=a, number="A-2",
                                            signed_on=date(2025, 1, 1))
    hub_allocation_key_set(agreement=agreement, key=AllocationKey.TICKETS, actor=None)
    contract = make_contract(tenant=tenants.hub, schedule=schedule)
    # No ticket meter has recorded a breakdown: equal shares rather than nothing.
    statement = statement_generate(contract=contract, month=MARCH, actor=None)
    assert sorted(statement.allocations.values_list("amount", flat=True)) == [
        Decimal("500.00"), Decimal("500.00"), Decimal("500.00")]
    # The ticket meter's sources carry tickets per institution (1 : 2 : 0).
    fill_month(tenants.hub, seats=0, storage="0", tickets=3,
               ticket_source={"by_institution": {str(a.pk): 1, str(b.pk): 2}})
    statement = statement_generate(contract=contract, month=MARCH, actor=None)
    shares = dict(statement.allocations.values_list("institution_id", "amount"))
    assert statement.total == Decimal("1732.50")  # 1500 + 93 tickets x 2.50
    assert shares == {a.pk: Decimal("577.50"), b.pk: Decimal("1155.00"), c.pk: Decimal("0.00")}


def test_a_month_of_metered_calls_is_billed_to_the_ban(tenants, user_with_role) -> None:  # type: ignore[no-untyped-def]
    """Calls reported by the PBX, metered every night of March, billed: the call-minute line
    is the sum of the daily hundredths times the price, half up to the ban."""
    schedule, _version = make_schedule(vat_treatment="excluded", vat_rate=Decimal("20"),
                                       prices={**PRICES, "call_minute": "0.5000"})
    contract = make_contract(tenant=tenants.prov_a, schedule=schedule)
    admin = user_with_role("tenant_admin", tenants.prov_a)
    with schema_context(tenants.prov_a.schema_name):
        connector, _key = connector_issue(actor=admin, name="PBX")
        for hour in range(20):  # 20 x 3700 s = 1233.33 minutes on the 3rd
            answered_call(connector, ended=_local(date(2026, 3, 3), hour + 2), seconds=3700)
        answered_call(connector, ended=_local(date(2026, 3, 20), 10), seconds=70)  # 1.17
        answered_call(connector, ended=_local(date(2026, 3, 31), 23, 59, 30),
                      seconds=62)  # 1.03, the month's last half minute
        missed_call(connector, ended=_local(date(2026, 3, 12), 9))
        # Outside the month: ended before it began, or just after it ended.
        answered_call(connector, ended=_local(date(2026, 2, 28), 23, 59, 50), seconds=300)
        answered_call(connector, ended=_local(date(2026, 4, 1), 0, 0, 10), seconds=500)
    for day in range(1, 32):
        usage_meter_tenant_day(tenant=tenants.prov_a, day=date(2026, 3, day))
    minutes = UsageRecord.objects.filter(tenant=tenants.prov_a, metric=Metric.CALL_MINUTES,
                                         day__month=3)
    assert minutes.count() == 31
    assert sum(minutes.values_list("quantity", flat=True)) == Decimal("1235.53")

    statement = statement_issue(statement=statement_generate(contract=contract, month=MARCH,
                                                             actor=None), actor=None)
    line = statement.lines.get(component="call_minute")
    assert (line.quantity, line.unit, line.unit_price) == (
        Decimal("1235.53"), "minut", Decimal("0.5"))
    assert line.amount == Decimal("617.77")  # 617.765: half up, not to the even ban
    assert (line.vat_amount, line.total) == (Decimal("123.55"), Decimal("741.32"))
    assert line.usage_record_ids == sorted(minutes.values_list("pk", flat=True))
    lines = list(statement.lines.all())
    assert sum(each.total for each in lines) == statement.total
    assert sum(each.net_amount for each in lines) == statement.net_amount
    assert statement.net_amount + statement.vat_amount == statement.total
    # The CSV carries the same line.
    (row,) = [row for row in statement_csv_rows(statement=statement)
              if row and row[0] == COMPONENT_LABELS["call_minute"]]
    assert row[4:11] == [Decimal("1235.53"), "minut", Decimal("0.5"), Decimal(1),
                         Decimal("617.77"), Decimal("123.55"), Decimal("741.32")]


def _local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=local_zone())
