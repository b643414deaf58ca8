"""Rows for statement tests: a tariff schedule of the test's own, an active contract, usage."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone

from sgsc.billing.tariffs.models import TariffSchedule, TariffScheduleVersion
from sgsc.billing.usage.models import Metric, UsageRecord
from sgsc.provisioning.contracts.models import Contract, ContractTemplate
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.tenants.models import Tenant
from tests.billing.tariffs.helpers import make_version
from tests.factories import InstitutionFactory

_numbers = count(1)
MARCH = date(2026, 3, 1)


def make_schedule(**version_fields: Any) -> tuple[TariffSchedule, TariffScheduleVersion]:
    n = next(_numbers)
    schedule = TariffSchedule.objects.create(code=f"TEST-{n}", name=f"Grila de test {n}")
    return schedule, make_version(schedule=schedule, **version_fields)


def make_contract(*, tenant: Tenant, schedule: TariffSchedule,
                  effective_date: date = date(2025, 1, 1), term_months: int = 36,
                  status: str = Contract.Status.ACTIVE, **fields: Any) -> Contract:
    n = next(_numbers)
    institution = tenant.institution or InstitutionFactory()
    request = ConnectionRequest.objects.create(
        number=f"CR-2098-{n:06d}", institution=institution,
        mode=ConnectionRequest.Mode.HUB if tenant.kind == Tenant.Kind.HUB
        else ConnectionRequest.Mode.INDIVIDUAL,
        services=["Serviciu"], channels=["phone"], expected_seats=1,
        expected_requests_month=1, contact_name="Ana Popa", contact_idnp="2002000000008",
        contact_email="ana@test.gov.md", contact_phone="+37322000000",
        status=ConnectionRequest.Status.APPROVED, received_at=timezone.now(),
        review_deadline=timezone.now())
    return Contract.objects.create(
        number=f"C-2098-{n:06d}", request=request, template=ContractTemplate.objects.first(),
        institution=institution, tenant=tenant, tenant_slug=tenant.slug, services=["Serviciu"],
        channels=["phone"], tariff_schedule=schedule, effective_date=effective_date,
        term_months=term_months, status=status, **fields)


def record(tenant: Tenant, day: date, metric: str, quantity: str | int,
           **fields: Any) -> UsageRecord:
    return UsageRecord.objects.create(tenant=tenant, day=day, metric=metric,
                                      quantity=Decimal(quantity),
                                      computed_at=datetime.now(tz=timezone.get_current_timezone()),
                                      **fields)


def fill_month(tenant: Tenant, month: date = MARCH, *, seats: int = 2, storage: str = "60",
               tickets: int = 0, seat_source: dict[str, Any] | None = None,
               ticket_source: dict[str, Any] | None = None) -> list[UsageRecord]:
    """One record per day and metric for the whole month."""
    records = []
    day = month
    while day.month == month.month:
        records.append(record(tenant, day, Metric.SEATS, seats, source=seat_source or {}))
        records.append(record(tenant, day, Metric.STORAGE_GB, storage))
        if tickets:
            records.append(record(tenant, day, Metric.TICKETS_HANDLED, tickets,
                                  source=ticket_source or {}))
        day += timedelta(days=1)
    return records
