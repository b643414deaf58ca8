"""Billing: nightly metering and monthly statement generation for 1000 tenants.

Run: .venv/bin/python bench/bench_billing.py [--tenants 1000] [--schemas 20]

What is measured, precisely:
1. Metering (the body of the nightly task ``usage.meter_tenant``): ``usage_meter_tenant_day``
   for one day, run serially for each of ``--schemas`` REAL tenant schemas (cloned from the
   template, each with 8 operator memberships): advisory lock, seat query, schema size query,
   two inserts, one audit append. Baseline in the same run: inserting the same two records
   for that tenant with ``bulk_create`` (the unavoidable write). Creating 1000 real schemas
   would take several minutes and measures tenant creation, not metering, so the 1000-tenant
   night is projected: median per tenant x 1000 on one worker process.
2. Statements: for ``--tenants`` tenants (rows without schemas, 10% hubs with 5 member
   institutions each), each with an active contract and a month of usage bulk-inserted
   (31 days x 4 metrics, tickets and call minutes included as their future meters would
   record them), ``statement_generate`` (compute, store lines and hub allocations, audit)
   then ``statement_issue`` (gap-free number, audit) per contract, serially. Baseline in the
   same run: only reading each tenant's month of usage records (``usage_rows``).
Times are wall-clock on this machine's PostgreSQL; one process, no Celery.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _django


def _timed(items, action):  # type: ignore[no-untyped-def]
    timings = []
    for item in items:
        started = time.perf_counter()
        action(item)
        timings.append(time.perf_counter() - started)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--schemas", type=int, default=20)
    args = parser.parse_args()
    _django.setup()
    import hashlib
    from datetime import date, timedelta
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from sgsc.billing.statements.services import statement_generate, statement_issue, usage_rows
    from sgsc.billing.tariffs.models import TariffComponent, TariffSchedule, TariffScheduleVersion
    from sgsc.billing.usage.models import Metric, UsageRecord
    from sgsc.billing.usage.selectors import month_bounds, previous_month
    from sgsc.billing.usage.services import usage_meter_tenant_day
    from sgsc.provisioning.contracts.models import Contract, ContractTemplate
    from sgsc.provisioning.requests.models import ConnectionRequest
    from sgsc.shared_apps.identity.models import Membership, User
    from sgsc.shared_apps.institutions.models import HubMembership, Institution
    from sgsc.tenants.models import Tenant
    from sgsc.tenants.services import tenant_create

    month = previous_month(timezone.localdate())
    first, last = month_bounds(month)
    day = first

    with _django.scratch_database():
        # --- metering on real schemas -------------------------------------------------------
        users = User.objects.bulk_create(User(email=f"op{i}@bench.md") for i in range(8))
        real = []
        for i in range(args.schemas):
            tenant = tenant_create(slug=f"bench-real-{i}", name=f"Real {i}",
                                   kind=Tenant.Kind.PROVIDER, status=Tenant.Status.ACTIVE)
            Membership.objects.bulk_create(Membership(user=user, tenant=tenant,
                                                      roles=["l1_operator"],
                                                      valid_from=timezone.now() - timedelta(400))
                                           for user in users)
            real.append(tenant)
        connection.set_schema_to_public()  # type: ignore[attr-defined]

        def plain_insert(tenant: Tenant) -> None:
            UsageRecord.objects.bulk_create(
                UsageRecord(tenant=tenant, day=day - timedelta(days=1), metric=metric,
                            quantity=Decimal(1), computed_at=timezone.now())
                for metric in (Metric.SEATS, Metric.STORAGE_GB))

        baseline_meter = _timed(real, plain_insert)
        metering = _timed(real, lambda t: usage_meter_tenant_day(tenant=t, day=day))
        started = time.perf_counter()
        again = [usage_meter_tenant_day(tenant=t, day=day) for t in real]
        rerun = time.perf_counter() - started
        assert not any(again)  # idempotent: the second night adds nothing

        # --- statements from bulk-inserted usage -------------------------------------------
        schedule = TariffSchedule.objects.create(code="BENCH", name="Bench")
        version = TariffScheduleVersion.objects.create(
            schedule=schedule, number=1, status=TariffScheduleVersion.Status.APPROVED,
            effective_from=date(2000, 1, 1), vat_treatment=TariffScheduleVersion.Vat.EXCLUDED,
            vat_rate=Decimal("20"), decision_number="B-1", decision_date=date(2000, 1, 1),
            decision_sha256=hashlib.sha256(b"bench").hexdigest(), approved_at=timezone.now())
        TariffComponent.objects.bulk_create([
            TariffComponent(version=version, kind=kind, unit_price=Decimal(price),
                            allowance_gb=Decimal(5), hub_multiplier=Decimal("0.8"))
            for kind, price in (("subscription", "1500"), ("seat", "350"), ("ticket", "2.5"),
                                ("call_minute", "0.45"), ("storage_gb_month", "1.2"))])
        institutions = Institution.objects.bulk_create(
            Institution(idno=f"9{i:012d}", name=f"Instituția {i}") for i in range(args.tenants * 2))
        tenants = Tenant.objects.bulk_create(  # rows only: bulk_create creates no schema
            Tenant(slug=f"bench-{i}", name=f"Prestator {i}", schema_name=f"t_bench_{i}",
                   kind=Tenant.Kind.HUB if i % 10 == 0 else Tenant.Kind.PROVIDER,
                   status=Tenant.Status.ACTIVE, institution=institutions[i])
            for i in range(args.tenants))
        HubMembership.objects.bulk_create(
            HubMembership(hub=tenant, institution=institutions[args.tenants + i + k])
            for i, tenant in enumerate(tenants) if tenant.kind == Tenant.Kind.HUB
            for k in range(5))
        HubMembership.objects.update(joined_at=timezone.now() - timedelta(days=400))
        now = timezone.now()
        requests = ConnectionRequest.objects.bulk_create(
            ConnectionRequest(number=f"CR-B-{i}", institution=institutions[i],
                              mode=ConnectionRequest.Mode.INDIVIDUAL, services=["s"],
                              channels=["phone"], expected_seats=1, expected_requests_month=1,
                              contact_name="x", contact_idnp="2002000000008",
                              contact_email="x@bench.md", contact_phone="1",
                              status=ConnectionRequest.Status.APPROVED, received_at=now,
                              review_deadline=now) for i in range(args.tenants))
        template = ContractTemplate.objects.first()
        contracts = Contract.objects.bulk_create(
            Contract(number=f"C-B-{i}", request=requests[i], template=template,
                     institution=institutions[i], tenant=tenant, tenant_slug=tenant.slug,
                     services=["s"], channels=["phone"], tariff_schedule=schedule,
                     effective_date=date(2025, 1, 1), status=Contract.Status.ACTIVE)
            for i, tenant in enumerate(tenants))
        days = [first + timedelta(days=n) for n in range(last.day)]
        per_metric = {Metric.SEATS: Decimal(12), Metric.STORAGE_GB: Decimal("7.25"),
                      Metric.TICKETS_HANDLED: Decimal(140), Metric.CALL_MINUTES: Decimal(900)}
        batch: list[UsageRecord] = []
        for tenant in tenants:
            batch += [UsageRecord(tenant=tenant, day=d, metric=metric, quantity=quantity,
                                  computed_at=now)
                      for d in days for metric, quantity in per_metric.items()]
            if len(batch) > 20000:
                UsageRecord.objects.bulk_create(batch)
                batch = []
        UsageRecord.objects.bulk_create(batch)
        records = UsageRecord.objects.count()

        baseline_read = _timed(tenants, lambda t: usage_rows(tenant=t, start=first, end=last))
        started = time.perf_counter()
        generation = _timed(contracts, lambda c: statement_issue(
            statement=statement_generate(contract=c, month=first, actor=None), actor=None))
        total_statements = time.perf_counter() - started

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:8.2f} ms"

    meter_median = statistics.median(metering)
    print(f"metering one day, {args.schemas} real tenant schemas (serial, one process):")
    print(f"  bulk insert of the 2 records (baseline): {ms(baseline_meter)} median per tenant")
    print(f"  usage_meter_tenant_day:                  {ms(metering)} median per tenant")
    print(f"  ratio metering/insert:                   "
          f"{meter_median / statistics.median(baseline_meter):8.2f}")
    print(f"  total for {args.schemas} tenants: {sum(metering):.2f} s; re-run of the same day "
          f"(adds nothing): {rerun:.2f} s")
    print(f"  projected night for 1000 tenants on one worker: {meter_median * 1000:.1f} s")
    print(f"statements for {args.tenants} contracts, one month ({records} usage records, "
          f"10% hubs):")
    print(f"  read the month's usage (baseline):        {ms(baseline_read)} median per tenant")
    print(f"  generate + issue:                        {ms(generation)} median per tenant")
    print(f"  ratio generate+issue/read:               "
          f"{statistics.median(generation) / statistics.median(baseline_read):8.2f}")
    print(f"  total: {total_statements:.2f} s ({total_statements / args.tenants * 1000:.2f} ms "
          f"per tenant on average)")


if __name__ == "__main__":
    main()
