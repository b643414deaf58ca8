"""The whole path on a real Celery worker: an audit event the worker records is shipped by
the drain task its commit kicked, over mutual TLS, to the MLog double."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context

from sgsc.integrations.doubles.mlog_server import MLogDouble
from sgsc.integrations.mlog.models import MLogOutboxEntry
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.tasks import verify_current_chain
from tests.integrations.mlog.conftest import PLATFORM_IDNO
from tests.subprocesses import celery_worker, subprocess_env

pytestmark = pytest.mark.worker


@pytest.fixture(scope="module")
def shared_double() -> Iterator[MLogDouble]:
    with MLogDouble() as double:
        yield double


@pytest.fixture(scope="module")
def worker(django_db_setup: None, django_db_blocker: Any,
           shared_double: MLogDouble) -> Iterator[subprocess.Popen[bytes]]:
    credentials = shared_double.client_credentials("worker")
    env = subprocess_env(
        django_db_blocker, MLOG_URL=shared_double.url, MLOG_CERT_FILE=credentials.cert_file,
        MLOG_KEY_FILE=credentials.key_file, MLOG_CA_FILE=shared_double.ca_file,
        MLOG_LEGAL_ENTITY_IDNO=PLATFORM_IDNO)
    with celery_worker(env) as process:
        yield process


def test_an_event_recorded_by_a_worker_reaches_mlog(worker, shared_double: MLogDouble,  # type: ignore[no-untyped-def]
                                                    tenants) -> None:
    schema = tenants.hub.schema_name
    with schema_context(schema):
        verify_current_chain.apply_async()

    deadline = time.monotonic() + 60
    while not [event for event in shared_double.events
               if event["event_type"] == "SGSC.Audit.ChainVerify"]:
        assert time.monotonic() < deadline, "nothing reached the MLog double within 60 s"
        time.sleep(0.2)

    [shipped] = shared_double.events
    recorded = AuditEvent.objects.get(chain=schema, action="audit.chain.verify",
                                      sequence=int(shipped["event_id"].split(":")[1]))
    assert shipped["event_id"] == f"{schema}:{recorded.sequence}"
    assert shipped["hash"] == recorded.hash
    assert shipped["legal_entity"] == PLATFORM_IDNO  # the test hub has no institution
    # The worker marks the row in the transaction that was open while MLog answered.
    while not MLogOutboxEntry.objects.filter(event=recorded, sent_at__isnull=False).exists():
        assert time.monotonic() < deadline, "the outbox row was not marked sent"
        time.sleep(0.1)
    assert MLogOutboxEntry.objects.get(event=recorded).mlog_id == shared_double.received[0].uid
