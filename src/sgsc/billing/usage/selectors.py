"""Reads of usage records: per tenant and month, totals per metric, the records behind them."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet, Sum

from sgsc.billing.usage.models import UsageRecord
from sgsc.tenants.models import Tenant


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of ``month`` (any day of it)."""
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=1), month.replace(day=last)


def usage_records(*, month: date | None = None, tenant: Tenant | None = None,
                  metric: str = "") -> QuerySet[UsageRecord]:
    records = UsageRecord.objects.select_related("tenant").order_by("tenant__name", "day",
                                                                    "metric", "id")
    if month is not None:
        first, last = month_bounds(month)
        records = records.filter(day__range=(first, last))
    if tenant is not None:
        records = records.filter(tenant=tenant)
    if metric:
        records = records.filter(metric=metric)
    return records


def usage_month_totals(*, month: date,
                       tenant: Tenant | None = None) -> dict[int, dict[str, Decimal]]:
    """Per tenant id, per metric: the sum of the month's records (adjustments included)."""
    totals: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rows = (usage_records(month=month, tenant=tenant).order_by()
            .values("tenant_id", "metric").annotate(total=Sum("quantity")))
    for row in rows:
        totals[row["tenant_id"]][row["metric"]] = row["total"]
    return dict(totals)


def parse_month(text: str) -> date | None:
    """``YYYY-MM`` to the month's first day; ``None`` for anything else."""
    text = text.strip()
    if len(text) != 7 or text[4] != "-":
        return None
    try:
        return date(int(text[:4]), int(text[5:]), 1)
    except ValueError:
        return None


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
