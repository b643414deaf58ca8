"""Provisioning on a real Celery worker (real Redis, the test database): a job runs to the end,
a failed one resumes where it stopped, and a finished one is left as it is.

The data the worker must see is committed by module fixtures and removed afterwards, so the
tests of other modules never see these tenants. The tests themselves run in the usual rolled
back transaction and only read (they see what the worker commits); a change the worker must
see during a test goes through a connection of its own, which commits at once.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection

from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.onboarding.models import ActivationLink, ProvisioningJob, ProvisioningStep
from sgsc.provisioning.onboarding.tasks import provision
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.tenants.models import Domain, Tenant
from tests.factories import UserFactory
from tests.provisioning.onboarding.helpers import make_signed_contract
from tests.subprocesses import celery_worker, subprocess_env

pytestmark = pytest.mark.worker
SLUGS = ("wk-ok", "wk-blocat")


def _cleanup(contracts: list[Contract], emails: list[str]) -> None:
    """Remove everything the module made (the audit log keeps its events: only ids)."""
    tenants = list(Tenant.objects.filter(slug__in=SLUGS))
    ActivationLink.objects.filter(tenant__in=tenants).delete()
    Membership.objects.filter(tenant__in=tenants).delete()
    ProvisioningStep.objects.filter(job__contract__in=contracts).delete()
    ProvisioningJob.objects.filter(contract__in=contracts).delete()
    for contract in contracts:
        request = contract.request
        Contract.objects.filter(pk=contract.pk).delete()
        request.members.clear()
        request.delete()
    User.objects.filter(email__in=emails).delete()
    Domain.objects.filter(tenant__in=tenants).delete()
    for tenant in tenants:
        schema = tenant.schema_name
        Tenant.objects.filter(pk=tenant.pk).delete()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    for contract in contracts:
        contract.institution.delete()


@pytest.fixture(scope="module")
def committed(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Contract]]:
    with django_db_blocker.unblock():
        ok = make_signed_contract(slug="wk-ok")
        blocked = make_signed_contract(slug="wk-blocat")
        # Another person already holds the contact's IDNP: the invitation step will fail.
        UserFactory(email="wk-ocupant@example.gov.md", idnp=blocked.request.contact_idnp)
    yield {"ok": ok, "blocked": blocked}
    with django_db_blocker.unblock():
        _cleanup([ok, blocked], [ok.request.contact_email, blocked.request.contact_email,
                                 "wk-ocupant@example.gov.md"])
        connection.set_schema_to_public()


@pytest.fixture(scope="module")
def worker(committed: dict[str, Contract],
           django_db_blocker: Any) -> Iterator[subprocess.Popen[bytes]]:
    with celery_worker(subprocess_env(django_db_blocker)) as process:
        yield process


def _commit_now(sql: str, params: list[Any]) -> None:
    """Run one statement on a connection of its own, committed at once (the test's own
    connection stays in its rolled-back transaction)."""
    settings_dict = connection.settings_dict
    with psycopg.connect(dbname=settings_dict["NAME"], user=settings_dict["USER"],
                         password=settings_dict.get("PASSWORD") or None,
                         host=settings_dict.get("HOST") or None,
                         port=settings_dict.get("PORT") or None, autocommit=True) as raw:
        raw.execute(sql, params)


def _wait_for_job(contract: Contract, statuses: set[str], *, attempts: int = 1,
                  timeout: float = 120) -> ProvisioningJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ProvisioningJob.objects.filter(contract=contract).first()
        if job is not None and job.status in statuses and job.attempts >= attempts:
            return job
        time.sleep(0.3)
    raise AssertionError(f"job of {contract.number} not in {statuses} within {timeout} s")


def _states(job: ProvisioningJob) -> list[str]:
    return list(ProvisioningStep.objects.filter(job=job).order_by("position")
                .values_list("state", flat=True))


def test_worker_provisions_a_tenant(db, worker, committed) -> None:  # type: ignore[no-untyped-def]
    contract = committed["ok"]
    provision.apply_async(kwargs={"contract_id": contract.pk})
    job = _wait_for_job(contract, {"done", "failed"})
    assert job.status == "done", list(ProvisioningStep.objects.filter(job=job).values())
    assert _states(job) == ["done"] * 5
    tenant = Tenant.objects.get(slug="wk-ok")
    assert tenant.status == "active" and job.tenant == tenant
    contract.refresh_from_db()
    assert contract.status == "active" and contract.tenant == tenant
    assert ActivationLink.objects.filter(tenant=tenant, used_at__isnull=True).count() == 1


def test_worker_failure_then_resume(db, worker, committed) -> None:  # type: ignore[no-untyped-def]
    contract = committed["blocked"]
    provision.apply_async(kwargs={"contract_id": contract.pk})
    job = _wait_for_job(contract, {"done", "failed"})
    assert job.status == "failed"
    assert _states(job) == ["done", "done", "done", "failed", "pending"]
    step = ProvisioningStep.objects.get(job=job, name="invitation")
    assert "[idnp_taken]" in step.error
    tenant = Tenant.objects.get(slug="wk-blocat")
    assert tenant.status == "provisioning"  # unreachable while half-made
    schema_done = ProvisioningStep.objects.get(job=job, name="schema").finished_at

    # AGE sorts the identities out (committed at once), then the job runs again.
    _commit_now("UPDATE identity_user SET idnp = NULL WHERE email = %s",
                ["wk-ocupant@example.gov.md"])
    provision.apply_async(kwargs={"contract_id": contract.pk})
    job = _wait_for_job(contract, {"done"}, attempts=2)
    assert _states(job) == ["done"] * 5
    assert Tenant.objects.get(pk=tenant.pk).status == "active"
    # The schema step ran once: the resumed run kept the tenant it had made.
    assert AuditEvent.objects.filter(action="tenant.create",
                                     object_id=str(tenant.pk)).count() == 1
    assert Tenant.objects.filter(slug="wk-blocat").count() == 1
    assert ProvisioningStep.objects.get(job=job, name="schema").finished_at == schema_done


def test_worker_second_run_changes_nothing(db, worker, committed) -> None:  # type: ignore[no-untyped-def]
    contract = committed["ok"]
    before = _wait_for_job(contract, {"done"})
    steps = list(ProvisioningStep.objects.filter(job=before).values())
    links = list(ActivationLink.objects.filter(tenant=before.tenant).values())
    provision.apply_async(kwargs={"contract_id": contract.pk})
    queue = redis.Redis.from_url(settings.REDIS_URL)
    deadline = time.monotonic() + 30
    while queue.llen("default") and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # the worker has taken the message; give it time to run (a no-op)
    after = ProvisioningJob.objects.get(pk=before.pk)
    assert (after.status, after.attempts, after.finished_at) == (
        "done", before.attempts, before.finished_at)
    assert list(ProvisioningStep.objects.filter(job=before).values()) == steps
    assert list(ActivationLink.objects.filter(tenant=before.tenant).values()) == links
