"""``sgsc usage meter --day YYYY-MM-DD [--tenant slug]``: meter a day here and now.

Idempotent like the nightly job: metrics already recorded for the day are left as they are.
Prints one line per tenant: its slug and the metrics recorded by this run.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sgsc.billing.usage.services import usage_meter_day
from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.workdays.parsing import parse_iso_date


class Command(BaseCommand):
    help = "Usage metering: record a day's usage for every tenant (or one)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        meter = sub.add_parser("meter", help="Meter one day that is over.")
        meter.add_argument("--day", required=True, help="YYYY-MM-DD")
        meter.add_argument("--tenant", help="Only this tenant (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_iso_date(options["day"])
        if day is None:
            raise CommandError(f"Invalid day {options['day']!r}: expected YYYY-MM-DD.")
        try:
            results = usage_meter_day(day=day, tenant_slug=options.get("tenant"))
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        for slug, created in results.items():
            recorded = ", ".join(f"{r.metric}={r.quantity}" for r in created) or "-"
            self.stdout.write(f"{slug}  {recorded}")
