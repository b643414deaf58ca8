"""A tenant cloned from the template has exactly the schema of one built by migrating, and the
template never shows up where tenants are listed or looped over."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_context

from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_list_active, tenant_list_real
from sgsc.tenants.services import tenant_create
from sgsc.tenants.tasks import fan_out_to_tenants


def _rows(sql: str, schema: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [schema])
        rows = cursor.fetchall()
    # Names that embed the schema (defaults, definitions) are compared without it.
    return sorted(tuple(str(v).replace(f"{schema}.", "<s>.") if v is not None else None
                        for v in row) for row in rows)


# The order of columns, not their ordinal number: a column dropped by a migration leaves a gap
# in the migrated table that a clone (built from the current definition) does not have.
COLUMNS = """
    SELECT table_name, column_name,
           row_number() OVER (PARTITION BY table_name ORDER BY ordinal_position),
           data_type, is_nullable, column_default,
           character_maximum_length, numeric_precision, is_identity, identity_generation
    FROM information_schema.columns WHERE table_schema = %s"""
CONSTRAINTS = """
    SELECT cl.relname, co.conname, co.contype, pg_get_constraintdef(co.oid), co.condeferrable,
           co.condeferred
    FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
    JOIN pg_namespace n ON n.oid = co.connamespace WHERE n.nspname = %s"""
INDEXES = "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s"
TRIGGERS = """
    SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = %s AND NOT t.tgisinternal"""
SEQUENCES = """
    SELECT sequence_name, data_type, start_value, increment FROM information_schema.sequences
    WHERE sequence_schema = %s"""
TABLES = """
    SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = %s"""


def _shape(schema: str) -> dict[str, list[tuple[Any, ...]]]:
    return {name: _rows(sql, schema) for name, sql in (
        ("tables", TABLES), ("columns", COLUMNS), ("constraints", CONSTRAINTS),
        ("indexes", INDEXES), ("triggers", TRIGGERS), ("sequences", SEQUENCES))}


def test_cloned_tenant_equals_a_migrated_one(tenants) -> None:  # type: ignore[no-untyped-def]
    with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
        migrated = tenant_create(slug="prin-migrare", name="Migrat", kind=Tenant.Kind.PROVIDER)
    cloned = tenant_create(slug="prin-clonare", name="Clonat", kind=Tenant.Kind.PROVIDER)
    migrated_shape = _shape(migrated.schema_name)
    cloned_shape = _shape(cloned.schema_name)
    assert migrated_shape["tables"], "the migrated schema must have tables"
    assert migrated_shape["constraints"] and migrated_shape["indexes"]
    for part in migrated_shape:
        assert cloned_shape[part] == migrated_shape[part], part
    # And the template itself (what every tenant is cloned from) is current.
    assert _shape("tenant_template") == migrated_shape
    # Both record every migration as applied.
    applied = []
    for schema in (migrated.schema_name, cloned.schema_name):
        with schema_context(schema), connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY 1, 2")
            applied.append(cursor.fetchall())
    assert applied[0] == applied[1] and applied[0]


def test_template_is_in_no_list_and_no_fan_out(tenants, signed_in, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    template = Tenant.objects.get(is_template=True)
    assert template not in tenant_list_real()
    assert template not in tenant_list_active()
    sent: list[str] = []
    monkeypatch.setattr("sgsc.tenants.tasks.app.send_task",
                        lambda name, **kwargs: sent.append(connection.schema_name))
    for only_active in (True, False):
        schemas = fan_out_to_tenants(task_name="audit.verify_current_chain",
                                     include_platform=True, only_active=only_active)
        assert "tenant_template" not in schemas
    assert "tenant_template" not in sent
    client, _ = signed_in("age_admin")
    api = client.get("/api/v1/tenants/?page_size=200").json()
    assert "template" not in {row["slug"] for row in api["results"]}
    assert client.get("/api/v1/tenants/template/").status_code == 404
    assert client.get("/prestatori/template/").status_code == 404
    assert 'href="/prestatori/template/"' not in client.get("/prestatori/").content.decode()


def test_clone_copies_rows_and_sequence_positions(tenants) -> None:  # type: ignore[no-untyped-def]
    cloned = tenant_create(slug="cu-date", name="Cu date", kind=Tenant.Kind.PROVIDER)
    rows = []
    for schema in ("tenant_template", cloned.schema_name):
        with schema_context(schema), connection.cursor() as cursor:
            cursor.execute("SELECT id, app_label, model FROM django_content_type ORDER BY id")
            types = cursor.fetchall()
            cursor.execute("SELECT count(*) FROM auth_permission")
            permissions = cursor.fetchone()[0]
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
            rows.append((types, permissions, cursor.fetchall()))
    assert rows[0] == rows[1] and rows[0][1] > 0
    # The identity sequences continue after the copied rows.
    with schema_context(cloned.schema_name), connection.cursor() as cursor:
        cursor.execute("INSERT INTO django_content_type (app_label, model) VALUES ('x', 'y') "
                       "RETURNING id")
        assert cursor.fetchone()[0] > max(row[0] for row in rows[0][0])
