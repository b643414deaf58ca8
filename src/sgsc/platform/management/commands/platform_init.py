"""``sgsc platform_init``: migrate public, ensure the platform rows and template, migrate tenants.

Idempotent; run on every start and by the deployment's migration job.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from sgsc.tenants.services import platform_bootstrap


class Command(BaseCommand):
    help = "Migrate the public schema, create the platform rows and template, migrate tenants."

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        platform_bootstrap()
        # Every tenant row, the template included, so clones always match the migrations.
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=verbosity)
        self.stdout.write(self.style.SUCCESS("Platform schemas are up to date."))
