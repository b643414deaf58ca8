"""The arithmetic of a statement, free of the database: periods of tariff versions, lines per
component, VAT, and the largest-remainder allocation. Decimal only; every amount is rounded
once, per line, half up to the ban."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import floor
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from sgsc.billing.tariffs.models import TariffComponent, TariffScheduleVersion
from sgsc.billing.usage.models import Metric

BAN = Decimal("0.01")
QUANTITY_PLACES = Decimal("0.000001")
ZERO = Decimal(0)
Kind = TariffComponent.Kind
Vat = TariffScheduleVersion.Vat

# Which usage metric each per-use component sums.
COMPONENT_METRIC = {Kind.SEAT: Metric.SEATS, Kind.TICKET: Metric.TICKETS_HANDLED,
                    Kind.CALL_MINUTE: Metric.CALL_MINUTES,
                    Kind.STORAGE_GB_MONTH: Metric.STORAGE_GB}
UNITS: dict[str, StrOrPromise] = {
    Kind.SUBSCRIPTION: _("lună"), Kind.SEAT: _("loc-lună"), Kind.TICKET: _("solicitare"),
    Kind.CALL_MINUTE: _("minut"), Kind.STORAGE_GB_MONTH: _("GB-lună"),
}
COMPONENT_ORDER = [Kind.SUBSCRIPTION, Kind.SEAT, Kind.TICKET, Kind.CALL_MINUTE,
                   Kind.STORAGE_GB_MONTH]


def money(value: Decimal) -> Decimal:
    return value.quantize(BAN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Period:
    """Consecutive days of the month under one tariff version (both ends included)."""

    version: TariffScheduleVersion
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class UsageRow:
    id: int
    day: date
    metric: str
    quantity: Decimal
    source: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LineDraft:
    component: str
    version: TariffScheduleVersion
    period_start: date
    period_end: date
    quantity: Decimal
    unit: str
    unit_price: Decimal
    hub_multiplier: Decimal
    amount: Decimal
    vat_treatment: str
    vat_rate: Decimal | None
    net_amount: Decimal
    vat_amount: Decimal
    total: Decimal
    basis: dict[str, Any]
    usage_record_ids: list[int]


@dataclass(frozen=True)
class Totals:
    net_amount: Decimal
    vat_amount: Decimal
    total: Decimal


def vat_split(*, amount: Decimal, treatment: str,
              rate: Decimal | None) -> tuple[Decimal, Decimal, Decimal]:
    """(net, VAT, total) of a line priced at ``amount`` under the version's VAT treatment."""
    if treatment == Vat.EXEMPT or not rate:
        return amount, ZERO, amount
    if treatment == Vat.EXCLUDED:
        vat = money(amount * rate / 100)
        return amount, vat, amount + vat
    vat = money(amount * rate / (100 + rate))  # included: the price already holds the VAT
    return amount - vat, vat, amount


def _quantity(component: TariffComponent, period: Period, rows: Sequence[UsageRow],
              month_days: int) -> tuple[Decimal, dict[str, Any]]:
    total = sum((row.quantity for row in rows), ZERO)
    if component.kind == Kind.SUBSCRIPTION:
        return Decimal(period.days) / month_days, {"days": period.days,
                                                   "days_in_month": month_days}
    if component.kind == Kind.SEAT:
        return total / month_days, {"seat_days": str(total), "days_in_month": month_days}
    if component.kind == Kind.STORAGE_GB_MONTH:
        # The month's average GB (days with no record count as nothing stored) above the
        # allowance, the allowance itself shared among the periods by their days.
        average = total / month_days
        allowance = component.allowance_gb * period.days / month_days
        return max(ZERO, average - allowance), {
            "gb_days": str(total), "days_in_month": month_days,
            "allowance_gb": str(component.allowance_gb), "allowance_part": str(allowance)}
    return total, {}


def lines_compute(*, periods: Sequence[Period], usage: Iterable[UsageRow], month_days: int,
                  is_hub: bool) -> list[LineDraft]:
    """One line per component of each period's version, in a fixed order."""
    by_metric: dict[str, list[UsageRow]] = defaultdict(list)
    for row in usage:
        by_metric[row.metric].append(row)
    lines = []
    for period in periods:
        version = period.version
        components = {c.kind: c for c in version.components.all()}
        for kind in COMPONENT_ORDER:
            component = components.get(kind)
            if component is None:
                continue
            metric = COMPONENT_METRIC.get(kind)
            rows = [row for row in by_metric.get(metric, [])
                    if period.start <= row.day <= period.end] if metric else []
            raw, basis = _quantity(component, period, rows, month_days)
            quantity = raw.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)
            unit_price = component.unit_price_for(is_hub=is_hub)
            amount = money(quantity * unit_price)
            net, vat, total = vat_split(amount=amount, treatment=version.vat_treatment,
                                        rate=version.vat_rate)
            lines.append(LineDraft(
                component=kind, version=version, period_start=period.start,
                period_end=period.end, quantity=quantity, unit=str(UNITS[kind]),
                unit_price=unit_price,
                hub_multiplier=component.hub_multiplier if is_hub else Decimal(1),
                amount=amount, vat_treatment=version.vat_treatment, vat_rate=version.vat_rate,
                net_amount=net, vat_amount=vat, total=total, basis=basis,
                usage_record_ids=sorted(row.id for row in rows)))
    return lines


def totals_of(lines: Iterable[LineDraft]) -> Totals:
    materialised = list(lines)
    return Totals(net_amount=sum((line.net_amount for line in materialised), ZERO),
                  vat_amount=sum((line.vat_amount for line in materialised), ZERO),
                  total=sum((line.total for line in materialised), ZERO))


def allocate_largest_remainder(total: Decimal, weights: Mapping[int, Decimal]) -> dict[int, Decimal]:
    """Share ``total`` (to the ban) among the keys in proportion to their weights so that the
    shares add up to ``total`` exactly: each gets the whole bani of its exact share, then the
    bani left go one each to the largest remainders (ties: the smaller key). All weights zero
    (or none positive) means equal shares."""
    if not weights:
        return {}
    positive = {key: Fraction(w) for key, w in weights.items() if w > 0}
    if not positive:
        positive = {key: Fraction(1) for key in weights}
    bani = int(money(total) * 100)
    sign, bani = (-1, -bani) if bani < 0 else (1, bani)
    whole = sum(positive.values())
    exact = {key: Fraction(bani) * positive.get(key, Fraction(0)) / whole for key in weights}
    shares = {key: floor(value) for key, value in exact.items()}
    left = bani - sum(shares.values())
    for key in sorted(weights, key=lambda k: (-(exact[k] - shares[k]), k))[:left]:
        shares[key] += 1
    return {key: Decimal(sign * share) / 100 for key, share in shares.items()}
