"""Reads of statements and the Chancellery console's figures (issued statements only: a
voided statement and its credit note cancel out and are left out)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from sgsc.billing.statements.models import Statement, StatementLine
from sgsc.billing.tariffs.models import TariffScheduleVersion
from sgsc.billing.usage.selectors import month_bounds, usage_month_totals
from sgsc.platform.errors import NotFound
from sgsc.provisioning.contracts.models import Contract
from sgsc.tenants.models import Tenant

# A month or a provider with nothing issued shows "0,00" like the amounts next to it.
NO_AMOUNT = Decimal("0.00")


def statement_list(*, tenant: Tenant | None = None, month: date | None = None,
                   status: str = "", kind: str = "",
                   issued_only: bool = False) -> QuerySet[Statement]:
    statements = Statement.objects.select_related("tenant", "contract", "credits")
    if tenant is not None:
        statements = statements.filter(tenant=tenant)
    if month is not None:
        statements = statements.filter(month=month.replace(day=1))
    if status:
        statements = statements.filter(status=status)
    if kind:
        statements = statements.filter(kind=kind)
    if issued_only:  # what a provider sees: never a draft
        statements = statements.exclude(status=Statement.Status.DRAFT)
    return statements


def statement_get(*, pk: int, tenant: Tenant | None = None,
                  issued_only: bool = False) -> Statement:
    statement = statement_list(tenant=tenant, issued_only=issued_only).filter(pk=pk).first()
    if statement is None:
        raise NotFound(_("Decontul nu există."), code="statement_not_found")
    return statement


def contracts_billable(*, month: date) -> QuerySet[Contract]:
    """Contracts that may have been in force during ``month`` (the service decides exactly)."""
    _first, last = month_bounds(month)
    return (Contract.objects.select_related("tenant", "tariff_schedule", "institution")
            .exclude(status=Contract.Status.DRAFT)
            .filter(tenant__isnull=False, effective_date__lte=last)
            .order_by("number"))


def what_if_versions() -> QuerySet[TariffScheduleVersion]:
    """The versions the what-if may apply: the approved ones and those awaiting the
    Chancellery's decision (what a submitted schedule would cost is part of reviewing it)."""
    status = TariffScheduleVersion.Status
    return (TariffScheduleVersion.objects.filter(status__in=[status.APPROVED, status.SUBMITTED])
            .select_related("schedule").order_by("schedule__code", "number"))


def _live() -> Q:
    return Q(statement__kind=Statement.Kind.STATEMENT, statement__status=Statement.Status.ISSUED)


@dataclass
class ConsoleRow:
    tenant: Tenant
    amounts: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = NO_AMOUNT
    usage: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class ConsoleMonth:
    month: date
    rows: list[ConsoleRow]
    component_totals: dict[str, Decimal]
    total: Decimal


def console_month(*, month: date) -> ConsoleMonth:
    """Per provider: the amounts of its issued statements of ``month`` by component and the
    month's recorded usage by metric."""
    first = month.replace(day=1)
    rows: dict[int, ConsoleRow] = {}
    tenants = {t.pk: t for t in Tenant.objects.exclude(kind=Tenant.Kind.PLATFORM)
               .exclude(is_template=True)}
    sums = (StatementLine.objects.filter(_live(), statement__month=first)
            .values("statement__tenant_id", "component").annotate(total=Sum("total")))
    component_totals: dict[str, Decimal] = defaultdict(Decimal)
    for item in sums:
        row = rows.setdefault(item["statement__tenant_id"],
                              ConsoleRow(tenant=tenants[item["statement__tenant_id"]]))
        row.amounts[item["component"]] = item["total"]
        row.total += item["total"]
        component_totals[item["component"]] += item["total"]
    for tenant_id, usage in usage_month_totals(month=first).items():
        rows.setdefault(tenant_id, ConsoleRow(tenant=tenants[tenant_id])).usage = usage
    ordered = sorted(rows.values(), key=lambda row: (-row.total, row.tenant.name))
    return ConsoleMonth(month=first, rows=ordered, component_totals=dict(component_totals),
                        total=sum((row.total for row in ordered), NO_AMOUNT))


def console_trend(*, until: date, months: int = 12) -> list[tuple[date, Decimal]]:
    """The issued total of each of the ``months`` months up to ``until`` (zeros included)."""
    firsts = []
    current = until.replace(day=1)
    for _step in range(months):
        firsts.append(current)
        current = (current.replace(day=1) - timedelta(days=1)).replace(day=1)
    firsts.reverse()
    totals: dict[Any, Decimal] = dict(
        StatementLine.objects.filter(_live(), statement__month__range=(firsts[0], firsts[-1]))
        .annotate(m=TruncMonth("statement__month")).values("m").annotate(total=Sum("total"))
        .values_list("m", "total"))
    return [(first, totals.get(first, NO_AMOUNT)) for first in firsts]
