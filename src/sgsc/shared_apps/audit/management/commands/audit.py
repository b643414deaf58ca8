"""``sgsc audit verify [--chain NAME ...]``: check the hash chains, name the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sgsc.shared_apps.audit.verification import chains_verify


class Command(BaseCommand):
    help = "Audit log tools. 'verify' recomputes every hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Check every chain (or the chains named).")
        verify.add_argument("--chain", action="append", default=[],
                            help="A chain name: a tenant schema or 'platform'. Repeatable.")

    def handle(self, *args: Any, **options: Any) -> None:
        reports = chains_verify(chains=options["chain"] or None)
        broken = [report for report in reports if not report.ok]
        for report in reports:
            if report.ok:
                self.stdout.write(f"OK     {report.chain}: {report.events_checked} events")
            else:
                where = (f"event id {report.broken_event_id}"
                         if report.broken_event_id is not None else "chain head")
                self.stdout.write(f"BROKEN {report.chain}: {where}: {report.problem} "
                                  f"(after {report.events_checked} good events)")
        if not reports:
            self.stdout.write("No audit events yet.")
        if broken:
            raise CommandError(f"{len(broken)} audit chain(s) broken")
