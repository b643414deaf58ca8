"""Property tests of the arithmetic: lines add up to the total, allocations to the ban."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sgsc.billing.statements.calculation import (
    COMPONENT_METRIC,
    Period,
    UsageRow,
    allocate_largest_remainder,
    lines_compute,
    totals_of,
    vat_split,
)
from sgsc.billing.tariffs.models import TariffComponent

Kind = TariffComponent.Kind
prices = st.decimals(min_value=0, max_value=100000, places=4)
quantities = st.decimals(min_value=0, max_value=5000, places=6)
# What the call meter records a day: minutes to the hundredth.
call_minutes = st.decimals(min_value=0, max_value=2000, places=2)
money = st.decimals(min_value=-10**9, max_value=10**9, places=2)


def fake_version(components: list[TariffComponent], treatment: str, rate: Decimal | None) -> Any:
    return SimpleNamespace(vat_treatment=treatment, vat_rate=rate,
                           components=SimpleNamespace(all=lambda: components))


@st.composite
def versions(draw: Any) -> Any:
    kinds = draw(st.sets(st.sampled_from(list(Kind)), min_size=1))
    components = [TariffComponent(kind=kind, unit_price=draw(prices),
                                  allowance_gb=draw(st.decimals(min_value=0, max_value=500,
                                                                places=4)),
                                  hub_multiplier=draw(st.decimals(min_value=0, max_value=3,
                                                                  places=4)))
                  for kind in kinds]
    treatment = draw(st.sampled_from(["exempt", "excluded", "included"]))
    rate = None if treatment == "exempt" else draw(st.decimals(min_value=0, max_value=100,
                                                               places=2))
    return fake_version(components, treatment, rate)


@given(first=versions(), second=versions(), split=st.integers(min_value=1, max_value=30),
       usage=st.lists(st.tuples(st.integers(min_value=1, max_value=31),
                                st.sampled_from(["seats", "storage_gb", "tickets_handled",
                                                 "call_minutes"]), quantities), max_size=60),
       is_hub=st.booleans())
def test_statement_lines_add_up_to_the_total(first, second, split, usage, is_hub) -> None:  # type: ignore[no-untyped-def]
    periods = [Period(version=first, start=date(2026, 3, 1), end=date(2026, 3, split)),
               Period(version=second, start=date(2026, 3, split + 1), end=date(2026, 3, 31))]
    rows = [UsageRow(id=i, day=date(2026, 3, day), metric=metric, quantity=quantity)
            for i, (day, metric, quantity) in enumerate(usage)]
    lines = lines_compute(periods=periods, usage=rows, month_days=31, is_hub=is_hub)
    totals = totals_of(lines)
    assert totals.total == sum((line.total for line in lines), Decimal(0))
    assert totals.net_amount + totals.vat_amount == totals.total
    for line in lines:
        assert line.net_amount + line.vat_amount == line.total
        assert line.amount.as_tuple().exponent == -2 and line.total.as_tuple().exponent == -2
        assert line.quantity >= 0
        # Each line's amount is its quantity times its unit price, rounded half up once.
        assert line.amount == (line.quantity * line.unit_price).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)
    # Every usage row of a billed metric is summed by exactly one line.
    traced = [i for line in lines for i in line.usage_record_ids]
    assert len(traced) == len(set(traced))


@given(version=versions(), days=st.lists(st.tuples(st.integers(min_value=1, max_value=31),
                                                   call_minutes), max_size=31),
       is_hub=st.booleans())
def test_call_minutes_are_billed_to_the_ban(version, days, is_hub) -> None:  # type: ignore[no-untyped-def]
    """Fractional minutes (the meter's hundredths) are summed exactly, never rounded, and the
    line is their sum times the unit price, half up to the ban; the lines add up."""
    period = Period(version=version, start=date(2026, 3, 1), end=date(2026, 3, 31))
    rows = [UsageRow(id=i, day=date(2026, 3, day), metric="call_minutes", quantity=minutes)
            for i, (day, minutes) in enumerate(days)]
    lines = lines_compute(periods=[period], usage=rows, month_days=31, is_hub=is_hub)
    component = next((c for c in version.components.all() if c.kind == Kind.CALL_MINUTE), None)
    calls = [line for line in lines if line.component == Kind.CALL_MINUTE]
    if component is None:
        assert calls == []
        return
    (line,) = calls
    minutes = sum((row.quantity for row in rows), Decimal(0))
    assert line.quantity == minutes
    assert line.unit_price == component.unit_price_for(is_hub=is_hub)
    assert line.amount == (minutes * line.unit_price).quantize(Decimal("0.01"),
                                                              rounding=ROUND_HALF_UP)
    assert line.usage_record_ids == sorted(row.id for row in rows)
    assert totals_of(lines).total == sum((each.total for each in lines), Decimal(0))


def call_minute_line(quantity: str, price: str, *, multiplier: str = "1",
                     is_hub: bool = False) -> Any:
    component = TariffComponent(kind=Kind.CALL_MINUTE, unit_price=Decimal(price),
                                hub_multiplier=Decimal(multiplier), allowance_gb=Decimal(0))
    version = fake_version([component], "exempt", None)
    (line,) = lines_compute(
        periods=[Period(version=version, start=date(2026, 3, 1), end=date(2026, 3, 31))],
        usage=[UsageRow(id=1, day=date(2026, 3, 5), metric=COMPONENT_METRIC[Kind.CALL_MINUTE],
                        quantity=Decimal(quantity))], month_days=31, is_hub=is_hub)
    return line


def test_fractional_minutes_times_the_price_round_half_up() -> None:
    line = call_minute_line("1234.57", "0.4500")
    assert (line.quantity, line.amount) == (Decimal("1234.57"), Decimal("555.56"))  # 555.5565
    # A tie: half up, never to the even ban.
    assert call_minute_line("1235.53", "0.5000").amount == Decimal("617.77")  # 617.765
    assert call_minute_line("0.01", "0.5000").amount == Decimal("0.01")  # 0.005


def test_the_hub_unit_price_is_rounded_half_up_to_four_places() -> None:
    """Regression: the hub price was quantized with the context's rounding (half even), so
    2.5001 x 0.5 = 1.25005 gave 1.2500 while every other figure rounds half up."""
    component = TariffComponent(kind=Kind.CALL_MINUTE, unit_price=Decimal("2.5001"),
                                hub_multiplier=Decimal("0.5"))
    assert component.unit_price_for(is_hub=True) == Decimal("1.2501")
    assert component.unit_price_for(is_hub=False) == Decimal("2.5001")
    line = call_minute_line("100.00", "2.5001", multiplier="0.5", is_hub=True)
    assert (line.unit_price, line.amount) == (Decimal("1.2501"), Decimal("125.01"))


@given(total=money, weights=st.lists(st.decimals(min_value=0, max_value=10**6, places=3),
                                     min_size=1, max_size=40))
def test_hub_allocations_add_up_to_the_ban(total, weights) -> None:  # type: ignore[no-untyped-def]
    shares = allocate_largest_remainder(total, dict(enumerate(weights)))
    assert sum(shares.values(), Decimal(0)) == total
    assert set(shares) == set(range(len(weights)))
    positive = {k: w for k, w in enumerate(weights) if w > 0} or dict.fromkeys(
        range(len(weights)), Decimal(1))
    whole = sum(Fraction(w) for w in positive.values())
    for key, share in shares.items():
        assert share.as_tuple().exponent >= -2
        exact = Fraction(total) * Fraction(positive.get(key, 0)) / whole
        assert abs(Fraction(share) - exact) < Fraction(1, 100)  # never a whole ban off


def test_largest_remainder_gives_the_left_bani_to_the_largest_remainders() -> None:
    assert allocate_largest_remainder(Decimal("100.00"), {1: Decimal(1), 2: Decimal(1),
                                                          3: Decimal(1)}) == {
        1: Decimal("33.34"), 2: Decimal("33.33"), 3: Decimal("33.33")}
    assert allocate_largest_remainder(Decimal("-0.05"), {1: Decimal(2), 2: Decimal(1)}) == {
        1: Decimal("-0.03"), 2: Decimal("-0.02")}
    assert allocate_largest_remainder(Decimal("10"), {1: Decimal(0), 2: Decimal(0)}) == {
        1: Decimal("5.00"), 2: Decimal("5.00")}
    assert allocate_largest_remainder(Decimal("10"), {}) == {}


def test_vat_treatments() -> None:
    assert vat_split(amount=Decimal("100.00"), treatment="exempt", rate=None) == (
        Decimal("100.00"), 0, Decimal("100.00"))
    assert vat_split(amount=Decimal("100.00"), treatment="excluded", rate=Decimal(20)) == (
        Decimal("100.00"), Decimal("20.00"), Decimal("120.00"))
    assert vat_split(amount=Decimal("120.00"), treatment="included", rate=Decimal(20)) == (
        Decimal("100.00"), Decimal("20.00"), Decimal("120.00"))
