"""Tasks run in the schema they were sent from, on a real worker with real Redis."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import PLATFORM_CHAIN, AuditEvent
from sgsc.shared_apps.audit.tasks import verify_current_chain
from sgsc.tenants.tasks import fan_out_to_tenants
from tests.subprocesses import celery_worker, subprocess_env

pytestmark = pytest.mark.worker


@pytest.fixture(scope="module")
def worker(django_db_setup: None, django_db_blocker: Any) -> Iterator[subprocess.Popen[bytes]]:
    with celery_worker(subprocess_env(django_db_blocker)) as process:
        yield process


def _wait_for_events(chain: str, after_id: int, timeout: float = 60) -> list[AuditEvent]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = list(AuditEvent.objects.filter(chain=chain, action="audit.chain.verify",
                                                id__gt=after_id))
        if events:
            return events
        time.sleep(0.2)
    raise AssertionError(f"no verification event in chain {chain} within {timeout} s")


def _last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_task_runs_in_the_schema_it_was_sent_from(worker, tenants) -> None:  # type: ignore[no-untyped-def]
    start = _last_event_id()
    with schema_context(tenants.prov_a.schema_name):
        verify_current_chain.apply_async()
    event = _wait_for_events(tenants.prov_a.schema_name, start)[0]
    assert event.details["schema"] == tenants.prov_a.schema_name
    assert event.tenant_id == tenants.prov_a.pk
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert not AuditEvent.objects.filter(chain=tenants.prov_b.schema_name, id__gt=start,
                                         action="audit.chain.verify").exists()


def test_fan_out_reaches_every_active_tenant_and_the_platform(worker, tenants) -> None:  # type: ignore[no-untyped-def]
    start = _last_event_id()
    schemas = fan_out_to_tenants(task_name="audit.verify_current_chain", include_platform=True)
    assert "tenant_template" not in schemas
    assert set(schemas) == {tenants.prov_a.schema_name, tenants.prov_b.schema_name,
                            tenants.hub.schema_name, "public"}
    for chain in (tenants.prov_a.schema_name, tenants.prov_b.schema_name,
                  tenants.hub.schema_name, PLATFORM_CHAIN):
        [event] = _wait_for_events(chain, start)
        assert event.details["schema"] == ("public" if chain == PLATFORM_CHAIN else chain)
    connection.set_schema_to_public()


def test_api_request_queues_verification_only_after_commit(  # type: ignore[no-untyped-def]
        worker, signed_in, tenants, django_capture_on_commit_callbacks) -> None:
    client, _user = signed_in("age_admin")
    start = _last_event_id()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/api/v1/audit/verifications/")
    assert response.status_code == 202
    time.sleep(1.0)  # nothing may be sent while the transaction is open
    assert not AuditEvent.objects.filter(id__gt=start, action="audit.chain.verify").exists()
    assert len(callbacks) == 1
    callbacks[0]()  # what the commit would do
    # The platform chain's head stays locked by this test's own open transaction (it holds
    # the request's audit event), so the tenant chains show the fan-out ran.
    _wait_for_events(tenants.hub.schema_name, start)
    _wait_for_events(tenants.prov_a.schema_name, start)
