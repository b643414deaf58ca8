"""Provisioning at scale: the time to provision one tenant (the real job, all five steps)
when 1, 100 and N tenants exist, and the time of a no-op ``migrate_schemas`` over all of them.

Run: .venv/bin/python bench/provisioning.py [--tenants N] [--repeat R]

Baselines measured in the same run: a full migration of one new tenant (what creating a
tenant costs without a template) and one clone with django-tenants' own ``clone_schema``
function at each point; for the no-op migration (which by default skips schemas that already
have every migration, see sgsc.tenants.executors), the same command migrating every schema
with django-tenants' standard and multiprocessing executors.
The extra tenants are made quickly (the template cloned in SQL, rows inserted in bulk): they
have the same schema as provisioned ones but skip the job's other steps.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _django

GOAL_PROVISIONING_S = 1.0
GOAL_NOOP_MIGRATION_S = 60.0


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=1000,
                        help="the largest number of existing tenants (default 1000)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="provisioning runs per point, the median is shown (default 5)")
    parser.add_argument("--processes", type=int, default=2,
                        help="processes of the multiprocessing executor (default 2)")
    args = parser.parse_args()
    _django.setup()

    from datetime import date, timedelta

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import override_settings
    from django.utils import timezone
    from django_tenants.clone import CloneSchema
    from stdnum.md import idno as idno_check

    from sgsc.provisioning.contracts.models import Contract, ContractTemplate
    from sgsc.provisioning.onboarding.models import ProvisioningStep
    from sgsc.provisioning.onboarding.services import STEP_NAMES, provisioning_job_run
    from sgsc.provisioning.requests.models import ConnectionRequest
    from sgsc.shared_apps.institutions.models import Institution
    from sgsc.shared_apps.workdays.selectors import deadline_after
    from sgsc.tenants.models import Domain, Tenant, schema_name_for_slug
    from sgsc.tenants.selectors import tenant_list_real
    from sgsc.tenants.services import schema_clone, tenant_create, tenant_host_for

    counter = itertools.count(1)

    def signed_contract() -> Contract:
        """A fake approved request and its signed contract, as the contracts part makes them."""
        n = next(counter)
        base = f"1{n:011d}"
        institution = Institution.objects.create(
            idno=base + idno_check.calc_check_digit(base), name=f"Instituția de bench {n}",
            kind=Institution.Kind.AGENCY)
        person = f"2{n:011d}"
        now = timezone.now()
        request = ConnectionRequest.objects.create(
            number=f"CR-BENCH-{n:06d}", institution=institution, mode="individual",
            services=["Serviciu"], channels=["email"], expected_seats=2,
            expected_requests_month=100, contact_name="Persoana de contact",
            contact_idnp=person + idno_check.calc_check_digit(person),
            contact_email=f"admin{n}@bench.gov.md", contact_phone="+37322000000",
            status="approved", received_at=now - timedelta(days=3),
            review_deadline=now + timedelta(days=7))
        template = ContractTemplate.objects.order_by("-version").first() or \
            ContractTemplate.objects.create(version=1, title="Contract-tip", body="-",
                                            effective_from=date(2026, 1, 1))
        return Contract.objects.create(
            number=f"C-BENCH-{n:06d}", request=request, template=template,
            institution=institution, tenant_slug=f"bench-{n}", services=["Serviciu"],
            channels=["email"], tariff_code="T", status="signed", signed_at=now,
            handover_deadline=deadline_after(event=now, working_days=10))

    def fill(target: int) -> tuple[int, float]:
        """Bring the real tenants up to ``target`` by cloning the template in SQL."""
        started = time.perf_counter()
        made = 0
        rows: list[Tenant] = []
        existing = tenant_list_real().count()
        for i in range(existing, target):
            slug = f"extra-{i}"
            schema = schema_name_for_slug(slug)
            with transaction.atomic():
                schema_clone(source=settings.TENANT_BASE_SCHEMA, target=schema)
            rows.append(Tenant(schema_name=schema, slug=slug, name=f"Spațiu {i}",
                               kind=Tenant.Kind.PROVIDER, status=Tenant.Status.ACTIVE))
            made += 1
            if len(rows) == 200 or i == target - 1:
                Tenant.objects.bulk_create(rows)
                Domain.objects.bulk_create([Domain(domain=tenant_host_for(slug=t.slug),
                                                   tenant=t, is_primary=True) for t in rows])
                rows = []
                print(f"    … {existing + made} tenants", flush=True)
        return made, time.perf_counter() - started

    def provision_once() -> tuple[float, dict[str, float]]:
        contract = signed_contract()
        seconds = _timed(lambda: provisioning_job_run(contract_id=contract.pk))
        steps = {step.name: (step.finished_at - step.started_at).total_seconds()
                 for step in ProvisioningStep.objects.filter(job__contract=contract)
                 if step.started_at and step.finished_at}
        status = Contract.objects.get(pk=contract.pk).provisioning_job.status  # type: ignore[attr-defined]
        if status != "done":
            raise SystemExit(f"provisioning failed: {status}")
        return seconds, steps

    def django_tenants_clone() -> float:
        """One clone with django-tenants' clone_schema function (what tenant creation used)."""
        seconds = _timed(lambda: CloneSchema().clone_schema(settings.TENANT_BASE_SCHEMA,
                                                             "bench_compare"))
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA bench_compare CASCADE")
        return seconds

    def noop_migration(executor: str = "standard") -> float:
        return _timed(lambda: call_command("migrate_schemas", tenant=True, interactive=False,
                                           verbosity=0, executor=executor))

    def noop_migration_unfiltered(executor: str = "standard") -> float:
        """The same command with every schema handed to django-tenants (no skipping)."""
        from sgsc.tenants import executors

        original = executors.schemas_behind
        executors.schemas_behind = list  # type: ignore[assignment]
        try:
            return noop_migration(executor)
        finally:
            executors.schemas_behind = original

    points = sorted({n for n in (1, 100, args.tenants) if n <= args.tenants})
    report: list[dict[str, Any]] = []
    with _django.scratch_database():
        for target in points:
            made, fill_seconds = fill(target)
            existing = tenant_list_real().count()
            print(f"  {existing} tenants exist (made {made} in {fill_seconds:.1f} s); "
                  f"provisioning {args.repeat} more…", flush=True)
            runs = [provision_once() for _ in range(args.repeat)]
            timings = [seconds for seconds, _steps in runs]
            step_medians = {name: statistics.median(steps.get(name, 0.0)
                                                    for _s, steps in runs)
                            for name in STEP_NAMES}
            compare = django_tenants_clone()
            total = tenant_list_real().count() + 1  # the template is migrated too
            print(f"  no-op migrate_schemas over {total} schemas…", flush=True)
            noop = noop_migration()
            print("  the same, every schema migrated (django-tenants' standard executor)…",
                  flush=True)
            unfiltered = noop_migration_unfiltered()
            report.append({"existing": existing, "median": statistics.median(timings),
                           "min": min(timings), "max": max(timings), "steps": step_medians,
                           "schemas": total, "noop": noop, "unfiltered": unfiltered,
                           "compare": compare})
        total = report[-1]["schemas"]
        print(f"  no-op migrate_schemas, every schema, multiprocessing executor "
              f"({args.processes} processes)…", flush=True)
        with override_settings(TENANT_MULTIPROCESSING_MAX_PROCESSES=args.processes):
            noop_multi = noop_migration_unfiltered("multiprocessing")
        connection.close()
        print("  baseline: full migration of one new tenant (3 runs)…", flush=True)
        with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
            full = statistics.median(
                _timed(lambda: tenant_create(slug=f"migrat-{next(counter)}", name="Migrat",
                                             kind=Tenant.Kind.PROVIDER)) for _ in range(3))

    print()
    print(f"provisioning one tenant (the whole job), median of {args.repeat}:")
    for row in report:
        steps = "  ".join(f"{name} {row['steps'][name] * 1000:.0f}" for name in STEP_NAMES)
        print(f"  {row['existing']:5d} tenants exist: {row['median'] * 1000:8.1f} ms "
              f"(min {row['min'] * 1000:.0f}, max {row['max'] * 1000:.0f}; steps ms: {steps})")
    first, last = report[0], report[-1]
    for row in report:
        print(f"  {row['existing']:5d} tenants exist: django-tenants' clone_schema alone "
              f"{row['compare'] * 1000:8.1f} ms (one run, for comparison)")
    print(f"  ratio at {last['existing']} / at {first['existing']}:"
          f"      {last['median'] / first['median']:8.2f}")
    print(f"  baseline, full migration of one tenant: {full * 1000:8.1f} ms "
          f"(provisioning/full migration at {last['existing']}: "
          f"{last['median'] / full:.2f})")
    print(f"  goal < {GOAL_PROVISIONING_S:.0f} s at the largest point: "
          f"{'met' if last['median'] < GOAL_PROVISIONING_S else 'NOT met'}")
    print()
    print("no-op migrate_schemas --tenant (every tenant and the template):")
    for row in report:
        print(f"  {row['schemas']:5d} schemas: {row['noop']:8.2f} s skipping current schemas "
              f"(the default); {row['unfiltered']:8.1f} s migrating each "
              f"({row['unfiltered'] / row['schemas'] * 1000:.0f} ms per schema, "
              f"{row['unfiltered'] / full:.1f}x one full migration)")
    print(f"  {total:5d} schemas, each migrated, multiprocessing executor "
          f"({args.processes} processes): {noop_multi:8.1f} s")
    print(f"  ratio skipping/migrating each at {total}: "
          f"{last['noop'] / last['unfiltered']:.3f}")
    print(f"  goal < {GOAL_NOOP_MIGRATION_S:.0f} s at the largest point: "
          f"{'met' if last['noop'] < GOAL_NOOP_MIGRATION_S else 'NOT met'}")


if __name__ == "__main__":
    main()
