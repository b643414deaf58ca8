"""The nightly dispatcher on a real worker: one metering task per tenant, in its schema."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from sgsc.billing.usage.models import Metric, UsageRecord
from sgsc.billing.usage.tasks import meter_dispatch
from tests.subprocesses import celery_worker, subprocess_env

pytestmark = pytest.mark.worker

# A day no other test meters: the worker commits its records, so they are removed at the end.
DAY = date(2001, 2, 3)


@pytest.fixture(scope="module")
def worker(django_db_setup: None, django_db_blocker: Any) -> Iterator[subprocess.Popen[bytes]]:
    with celery_worker(subprocess_env(django_db_blocker)) as process:
        yield process
    with django_db_blocker.unblock():
        UsageRecord.objects.filter(day=DAY).delete()


def _wait_for(count: int, timeout: float = 60) -> list[UsageRecord]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records = list(UsageRecord.objects.filter(day=DAY).select_related("tenant"))
        if len(records) >= count:
            return records
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} records for {DAY} within {timeout} s")


def test_dispatcher_meters_every_tenant_once(worker, tenants) -> None:  # type: ignore[no-untyped-def]
    meter_dispatch.apply_async(kwargs={"day": DAY.isoformat()})
    expected = 3 * len(Metric.values)
    records = _wait_for(expected)
    assert {(r.tenant.slug, r.metric) for r in records} == {
        (slug, metric) for slug in ("prov-a", "prov-b", "hub-test")
        for metric in ("seats", "storage_gb", "tickets_handled", "call_minutes")}
    storage = {r.tenant.schema_name: r.source["schema"] for r in records
               if r.metric == "storage_gb"}
    assert all(schema == source for schema, source in storage.items())  # measured in its schema
    # A second night for the same day adds nothing.
    meter_dispatch.apply_async(kwargs={"day": DAY.isoformat()})
    time.sleep(3)
    assert UsageRecord.objects.filter(day=DAY).count() == expected
