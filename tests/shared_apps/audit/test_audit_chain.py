from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import PLATFORM_CHAIN, AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.audit.verification import chain_verify


def _tamper(sql: str, params: list[object]) -> None:
    """Change a row the way only a database superuser could: with triggers disabled."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_events_link_into_a_chain(db: None) -> None:
    first = audit_record(action="test.one", details={"a": 1})
    second = audit_record(action="test.two", details={"b": "ș"})
    assert second.sequence == first.sequence + 1
    assert second.previous_hash == first.hash
    assert chain_verify(chain=PLATFORM_CHAIN).ok


def test_each_tenant_has_its_own_chain(tenants) -> None:  # type: ignore[no-untyped-def]
    with schema_context(tenants.prov_a.schema_name):
        connection.set_tenant(tenants.prov_a)
        event_a = audit_record(action="test.in_a")
    connection.set_schema_to_public()
    event_b = audit_record(action="test.in_b", tenant=tenants.prov_b)
    assert event_a.chain == tenants.prov_a.schema_name
    assert event_a.tenant == tenants.prov_a
    assert event_b.chain == tenants.prov_b.schema_name
    assert chain_verify(chain=tenants.prov_a.schema_name).ok


@pytest.mark.parametrize("statement", [
    "UPDATE audit_auditevent SET action = 'changed' WHERE id = %s",
    "DELETE FROM audit_auditevent WHERE id = %s",
])
def test_database_refuses_update_and_delete(db: None, statement: str) -> None:
    event = audit_record(action="test.immutable")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.immutable"


def test_database_refuses_truncate(db: None) -> None:
    # The session's tenant creation already wrote committed events.
    assert AuditEvent.objects.exists()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent CASCADE")


def test_verify_names_the_tampered_row(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    audit_record(action="test.before")
    tampered = audit_record(action="test.tampered", details={"amount": 10})
    audit_record(action="test.after")
    call_command("audit", "verify", "--chain", PLATFORM_CHAIN)
    assert f"OK     {PLATFORM_CHAIN}" in capsys.readouterr().out

    _tamper("UPDATE audit_auditevent SET details = %s WHERE id = %s",
             ['{"amount": 1000}', tampered.pk])
    with pytest.raises(CommandError, match="1 audit chain"):
        call_command("audit", "verify", "--chain", PLATFORM_CHAIN)
    out = capsys.readouterr().out
    assert f"BROKEN {PLATFORM_CHAIN}: event id {tampered.pk}" in out


def test_verify_detects_a_deleted_row(db: None) -> None:
    audit_record(action="test.one")
    removed = audit_record(action="test.removed")
    following = audit_record(action="test.three")
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [removed.pk])
    report = chain_verify(chain=PLATFORM_CHAIN)
    assert not report.ok
    assert report.broken_event_id == following.pk
