"""Billing: nightly metering and monthly statement generation for 1000 tenants.

Run: .venv/bin/python bench/bench_billing.py [--tenants 1000] [--schemas 20]
     [--calls-per-day 300] [--tickets 4000]

What is measured, precisely:
1. Metering (the body of the nightly task ``usage.meter_tenant``): ``usage_meter_tenant_day``
   for one day, run serially for each of ``--schemas`` REAL tenant schemas (cloned from the
   template), each holding what the four meters read: 8 operator memberships (seats); a
   month of calls up to the metered day, ``--calls-per-day`` a day, 85 % answered with 30 to
   360 s of talk (``call_minutes``: about 830 minutes a day); ``--tickets`` tickets over three
   years with their journals (``bench/tickets.py``'s generator) plus a resolution entry for
   each resolved ticket and 140 more resolutions during the metered day
   (``tickets_handled``); the schema's size (``storage_gb``). Metering is: advisory lock,
   the four meters, one insert of the four records, one audit append. Baseline in the same
   run: inserting the same four records for that tenant with ``bulk_create`` (the
   unavoidable write). Each meter is also timed alone (reading only). The recorded figures
   are checked against SQL over the same rows. Creating 1000 real schemas would take several
   minutes and measures tenant creation, not metering, so the 1000-tenant night is
   projected: median per tenant x 1000 on one worker process.
2. Statements: for ``--tenants`` tenants (rows without schemas, 10% hubs with 5 member
   institutions each), each with an active contract and a month of usage bulk-inserted
   (31 days x 4 metrics, call minutes in hundredths as their meter records them),
   ``statement_generate`` (compute, store lines and hub allocations, audit)
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

HANDLED_ON_THE_DAY = 140


def _timed(items, action):  # type: ignore[no-untyped-def]
    timings = []
    for item in items:
        started = time.perf_counter()
        action(item)
        timings.append(time.perf_counter() - started)
    return timings


def _fill_calls(cursor, *, connector_id, line_id, start, end, count):  # type: ignore[no-untyped-def]
    """``count`` calls ended between ``start`` and ``end`` on one line: 85 % answered with
    30-360 s of talk, the rest missed; every column as ingest leaves it."""
    cursor.execute("""
        INSERT INTO telephony_call (pbx_call_id, connector_id, line_id, institution_id,
            direction, caller, callee, extension, agent_id, state, disposition, started_at,
            answered_at, ended_at, wait_seconds, talk_seconds, recording_url, ticket_id,
            called_back_at, called_back_by_id, updated_at)
        SELECT 'bench-' || j, %(connector)s, %(line)s, NULL, 'inbound',
            (37360000000 + j)::text, '37322123456', '', NULL, 'ended',
            CASE WHEN answered THEN 'answered' ELSE 'no_answer' END,
            ended - (wait + talk) * interval '1 second',
            CASE WHEN answered THEN ended - talk * interval '1 second' END, ended, wait,
            CASE WHEN answered THEN talk ELSE 0 END, '', NULL, NULL, NULL, ended
        FROM (SELECT j, random() < 0.85 AS answered, 30 + floor(random() * 331)::int AS talk,
                     floor(random() * 90)::int AS wait,
                     %(start)s::timestamptz + random() * (%(end)s::timestamptz
                                                          - %(start)s::timestamptz) AS ended
              FROM generate_series(1, %(count)s) AS j) AS generated
    """, {"connector": connector_id, "line": line_id, "start": start, "end": end,
          "count": count})
    cursor.execute("ANALYZE telephony_call")


def _fill_tickets(cursor, *, schema, user_ids, start, end, count):  # type: ignore[no-untyped-def]
    """``count`` tickets with their journals (``bench/tickets.py``), a status entry for every
    resolution, and HANDLED_ON_THE_DAY distinct tickets resolved again between ``start`` and
    ``end`` (the metered day)."""
    from sgsc.tenant_apps.catalog.models import Category, Queue, Service, Team
    from tickets import Generator

    Service.objects.create(code="BENCH", name="Serviciu", resolution_hours=40)
    Category.objects.create(name="Categorie")
    Queue.objects.create(name="Coada", team=Team.objects.create(name="Echipa"))
    Generator(schema=schema, operator_ids=user_ids, creator_id=user_ids[0]).grow(count)
    entry = ("INSERT INTO tickets_journalentry (ticket_id, seq, at, actor_id, actor_label, "
             "kind, visibility, changes, body, reason, annuls_id) SELECT id, {seq}, {at}, "
             "%(actor)s, 'Operator bench', 'status', 'internal', "
             "'{{\"status\": [\"open\", \"resolved\"]}}'::jsonb, '', 'Soluționat', NULL "
             "FROM tickets_ticket {where}")
    cursor.execute(entry.format(seq=3, at="resolved_at", where="WHERE resolved_at IS NOT NULL"),
                   {"actor": user_ids[0]})
    cursor.execute(entry.format(seq=4, at="%(start)s::timestamptz + random() * "
                                          "(%(end)s::timestamptz - %(start)s::timestamptz)",
                                where="ORDER BY random() LIMIT %(handled)s"),
                   {"actor": user_ids[0], "start": start, "end": end,
                    "handled": HANDLED_ON_THE_DAY})
    cursor.execute("ANALYZE tickets_journalentry")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--schemas", type=int, default=20)
    parser.add_argument("--calls-per-day", type=int, default=300)
    parser.add_argument("--tickets", type=int, default=4000)
    args = parser.parse_args()
    _django.setup()
    import hashlib
    from datetime import date, timedelta
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from sgsc.billing.statements.services import statement_generate, statement_issue, usage_rows
    from sgsc.billing.tariffs.models import TariffComponent, TariffSchedule, TariffScheduleVersion
    from sgsc.billing.usage.meters import day_bounds, registered_meters
    from sgsc.billing.usage.models import Metric, UsageRecord
    from sgsc.billing.usage.selectors import month_bounds, previous_month
    from sgsc.billing.usage.services import usage_meter_tenant_day
    from sgsc.provisioning.contracts.models import Contract, ContractTemplate
    from sgsc.provisioning.requests.models import ConnectionRequest
    from sgsc.shared_apps.identity.models import Membership, User
    from sgsc.shared_apps.institutions.models import HubMembership, Institution
    from sgsc.tenant_apps.telephony.models import Connector, PhoneLine
    from sgsc.tenants.models import Tenant
    from sgsc.tenants.services import tenant_create

    month = previous_month(timezone.localdate())
    first, last = month_bounds(month)
    day = first

    with _django.scratch_database():
        # --- metering on real schemas -------------------------------------------------------
        users = User.objects.bulk_create(User(email=f"op{i}@bench.md") for i in range(8))
        user_ids = [user.pk for user in users]
        day_start, day_end = day_bounds(day)
        month_start = day_end - timedelta(days=30)
        real = []
        started = time.perf_counter()
        for i in range(args.schemas):
            tenant = tenant_create(slug=f"bench-real-{i}", name=f"Real {i}",
                                   kind=Tenant.Kind.PROVIDER, status=Tenant.Status.ACTIVE)
            Membership.objects.bulk_create(Membership(user=user, tenant=tenant,
                                                      roles=["l1_operator"],
                                                      valid_from=timezone.now() - timedelta(400))
                                           for user in users)
            with schema_context(tenant.schema_name), connection.cursor() as cursor:
                connector = Connector.objects.create(
                    name="PBX", prefix="bench", key_sha256=hashlib.sha256(
                        f"bench-{i}".encode()).hexdigest())
                line = PhoneLine.objects.create(number="37322123456", name="Linia bench")
                _fill_calls(cursor, connector_id=connector.pk, line_id=line.pk,
                            start=month_start, end=day_end, count=args.calls_per_day * 30)
                if args.tickets:
                    _fill_tickets(cursor, schema=tenant.schema_name, user_ids=user_ids,
                                  start=day_start, end=day_end, count=args.tickets)
            real.append(tenant)
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        setup_seconds = time.perf_counter() - started
        meters = registered_meters()

        def plain_insert(tenant: Tenant) -> None:
            UsageRecord.objects.bulk_create(
                UsageRecord(tenant=tenant, day=day - timedelta(days=1), metric=metric,
                            quantity=Decimal(1), computed_at=timezone.now())
                for metric in meters)

        def read_alone(metric: str) -> list[float]:
            """One meter over every schema, the day after (nothing recorded, reading only)."""
            timings = []
            for tenant in real:
                with schema_context(tenant.schema_name):
                    started = time.perf_counter()
                    meters[metric](tenant, day)
                    timings.append(time.perf_counter() - started)
            return timings

        baseline_meter = _timed(real, plain_insert)
        metering = _timed(real, lambda t: usage_meter_tenant_day(tenant=t, day=day))
        started = time.perf_counter()
        again = [usage_meter_tenant_day(tenant=t, day=day) for t in real]
        rerun = time.perf_counter() - started
        assert not any(again)  # idempotent: the second night adds nothing
        alone = {metric: read_alone(metric) for metric in sorted(meters)}
        # The figures recorded are those of the rows (a meter doing no work would show here).
        recorded = {metric: [] for metric in meters}  # type: ignore[var-annotated]
        for tenant in real:
            with schema_context(tenant.schema_name), connection.cursor() as cursor:
                cursor.execute("SELECT coalesce(sum(talk_seconds), 0) FROM telephony_call "
                               "WHERE ended_at >= %s AND ended_at < %s", [day_start, day_end])
                seconds = cursor.fetchone()[0]
            records = dict(UsageRecord.objects.filter(tenant=tenant, day=day)
                           .values_list("metric", "quantity"))
            assert records[Metric.CALL_MINUTES] == round(Decimal(seconds) / 60, 2)
            assert seconds > 0 or not args.calls_per_day
            assert records[Metric.TICKETS_HANDLED] >= (HANDLED_ON_THE_DAY if args.tickets
                                                        else 0)
            for metric, quantity in records.items():
                recorded[metric].append(quantity)

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
                      Metric.TICKETS_HANDLED: Decimal(140), Metric.CALL_MINUTES: Decimal("903.47")}
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
    print(f"metering one day, {args.schemas} real tenant schemas (serial, one process), each "
          f"with 8 seats, {args.calls_per_day * 30} calls over 30 days and {args.tickets} "
          f"tickets (set up in {setup_seconds:.0f} s):")
    for metric, values in sorted(recorded.items()):
        print(f"  recorded {metric}: median {statistics.median(values)} "
              f"(min {min(values)}, max {max(values)})")
    for metric, timings in alone.items():
        print(f"  meter {metric + ':':<37}{ms(timings)} median per tenant (reading alone)")
    print(f"  bulk insert of the {len(meters)} records (baseline): {ms(baseline_meter)} "
          "median per tenant")
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
