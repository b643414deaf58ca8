"""Builders for tariff tests, and for any test that needs an approved tariff (contract
signing does): rows made directly, no services involved."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from sgsc.billing.tariffs.models import TariffComponent, TariffSchedule, TariffScheduleVersion

PRICES: dict[str, str] = {
    TariffComponent.Kind.SUBSCRIPTION: "1500.0000",
    TariffComponent.Kind.SEAT: "350.0000",
    TariffComponent.Kind.TICKET: "2.5000",
    TariffComponent.Kind.CALL_MINUTE: "0.4500",
    TariffComponent.Kind.STORAGE_GB_MONTH: "1.2000",
}


def default_schedule() -> TariffSchedule:
    """The schedule new contracts point to (created by the contracts migration)."""
    return TariffSchedule.objects.get(code=settings.CONTRACT_DEFAULT_TARIFF_CODE)


def make_version(*, schedule: TariffSchedule | None = None,
                 status: str = TariffScheduleVersion.Status.APPROVED,
                 effective_from: date = date(2000, 1, 1), effective_to: date | None = None,
                 prices: dict[str, str] | None = None, **fields: Any) -> TariffScheduleVersion:
    """A version with every component; approved (with a decision) unless told otherwise."""
    schedule = schedule or default_schedule()
    number = (schedule.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    if status == TariffScheduleVersion.Status.APPROVED:
        fields = {"decision_number": f"CS-{number}/2026", "decision_date": effective_from,
                  "decision_sha256": hashlib.sha256(b"decision").hexdigest(),
                  "approved_at": timezone.now(), **fields}
    version = TariffScheduleVersion.objects.create(
        schedule=schedule, number=number, status=status, effective_from=effective_from,
        effective_to=effective_to, **fields)
    TariffComponent.objects.bulk_create([
        TariffComponent(version=version, kind=kind, unit_price=Decimal(price),
                        allowance_gb=Decimal("50") if kind == TariffComponent.Kind.STORAGE_GB_MONTH
                        else Decimal("0"))
        for kind, price in (prices or PRICES).items()])
    return version
