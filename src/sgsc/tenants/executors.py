"""``migrate_schemas`` that skips tenant schemas which already have every migration.

django-tenants runs Django's ``migrate`` once per schema, about 75 ms each even when there is
nothing to do, so a no-op run over 1000 tenants took over a minute. Before handing the list of
schemas to the executor, one small query per schema reads its ``django_migrations``; a schema
holding every migration of the tenant apps is left out (``migrate`` would only have run
``post_migrate``, whose content types and permissions change only together with migrations).
Any run with arguments that are not a plain "bring everything up to date" (an app or target,
``--fake``, ``--plan``, ``--check``, ``--prune``...) goes through unfiltered.

Wired by ``GET_EXECUTOR_FUNCTION`` in the settings; ``--executor`` still picks django-tenants'
executor (standard, multiprocessing, subprocess), filtered the same way.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.migration_executors import get_executor as django_tenants_get_executor

_UNFILTERED_OPTIONS = ("app_label", "migration_name", "fake", "fake_initial", "plan",
                       "check_unapplied", "prune", "run_syncdb")


def tenant_migration_keys() -> set[tuple[str, str]]:
    """Every (app, migration) that a tenant schema must have recorded."""
    labels = {config.label for config in apps.get_app_configs()
              if config.name in settings.TENANT_APPS}
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return {key for key in graph.nodes if key[0] in labels}


def schemas_behind(schemas: Iterable[str]) -> list[str]:
    """The schemas (in the given order) missing at least one tenant migration."""
    expected = tenant_migration_keys()
    behind = []
    with connection.cursor() as cursor:
        for schema in schemas:
            table = f"{connection.ops.quote_name(schema)}.django_migrations"
            cursor.execute("SELECT to_regclass(%s)", [table])
            if cursor.fetchone()[0] is None:
                behind.append(schema)
                continue
            cursor.execute(f"SELECT app, name FROM {table}")  # noqa: S608 (quoted name)
            if expected - set(cursor.fetchall()):
                behind.append(schema)
    return behind


def get_executor(codename: str | None = None) -> type[Any]:
    """django-tenants' executor of that name, skipping tenant schemas already current."""
    base: type[Any] = django_tenants_get_executor(codename)

    class SkippingCurrentSchemas(base):
        def run_migrations(self, tenants: Iterable[str] | None = None) -> Any:
            schemas = list(tenants or [])
            if any(self.options.get(option) for option in _UNFILTERED_OPTIONS):
                return super().run_migrations(tenants=schemas)
            public = [s for s in schemas if s == self.PUBLIC_SCHEMA_NAME]
            others = [s for s in schemas if s != self.PUBLIC_SCHEMA_NAME]
            behind = schemas_behind(others)
            skipped = len(others) - len(behind)
            if skipped and int(self.options.get("verbosity", 1)) >= 1:
                sys.stdout.write(f"[{self.codename}] {skipped} schemas already have every "
                                 f"migration; skipped.\n")
            if not public and not behind:
                return None
            return super().run_migrations(tenants=public + behind)

    SkippingCurrentSchemas.__name__ = f"SkippingCurrentSchemas{base.__name__}"
    return SkippingCurrentSchemas
