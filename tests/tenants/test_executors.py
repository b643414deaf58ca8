"""migrate_schemas leaves out the tenant schemas that already have every migration."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django_tenants.migration_executors.standard import StandardExecutor
from django_tenants.utils import schema_context

from sgsc.tenants.executors import get_executor, schemas_behind, tenant_migration_keys


def test_current_schemas_are_not_behind(tenants) -> None:  # type: ignore[no-untyped-def]
    schemas = [tenants.prov_a.schema_name, tenants.hub.schema_name, "tenant_template"]
    assert schemas_behind(schemas) == []
    assert ("workspace", "0001_initial") in tenant_migration_keys()
    assert not any(app == "audit" for app, _name in tenant_migration_keys())  # shared only


def test_a_missing_migration_or_table_puts_a_schema_behind(tenants) -> None:  # type: ignore[no-untyped-def]
    with schema_context(tenants.prov_b.schema_name), connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'workspace'")
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA t_gol")
    schemas = [tenants.prov_a.schema_name, tenants.prov_b.schema_name, "t_gol"]
    assert schemas_behind(schemas) == [tenants.prov_b.schema_name, "t_gol"]


def test_executor_hands_only_schemas_behind_to_django_tenants(  # type: ignore[no-untyped-def]
        tenants, monkeypatch) -> None:
    received: list[list[str]] = []

    def record(self: Any, tenants: Any = None) -> None:
        received.append(list(tenants))

    monkeypatch.setattr(StandardExecutor, "run_migrations", record)
    executor_class = get_executor("standard")
    assert issubclass(executor_class, StandardExecutor)
    with schema_context(tenants.hub.schema_name), connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'workspace'")
    all_schemas = ["public", tenants.prov_a.schema_name, tenants.hub.schema_name]

    executor_class([], {"verbosity": 0}).run_migrations(tenants=all_schemas)
    executor_class([], {"verbosity": 0}).run_migrations(tenants=[tenants.prov_a.schema_name])
    executor_class([], {"verbosity": 0, "fake": True}).run_migrations(tenants=all_schemas)
    executor_class([], {"verbosity": 0, "app_label": "workspace"}).run_migrations(
        tenants=[tenants.prov_a.schema_name])

    assert received == [
        ["public", tenants.hub.schema_name],  # public always, prov-a current
        # a run where every schema is current hands nothing over
        all_schemas,  # --fake: unfiltered
        [tenants.prov_a.schema_name],  # an app label: unfiltered
    ]
