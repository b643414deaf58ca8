"""``sgsc mlog status``: the outbox at a glance; ``sgsc mlog drain``: ship everything now;
``sgsc mlog backfill``: queue the events recorded while the adapter was off."""

from __future__ import annotations

import getpass
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sgsc.integrations.mlog.backfill import mlog_outbox_backfill
from sgsc.integrations.mlog.selectors import mlog_outbox_status
from sgsc.integrations.mlog.services import mlog_outbox_drain, mlog_outbox_retry_now
from sgsc.platform.errors import ApplicationError

# Exit code of a backfill refused because the adapter is off (1 is any other error).
EXIT_DISABLED = 2


class Command(BaseCommand):
    help = ("MLog adapter. 'status' shows the outbox; 'drain' sends what waits, ignoring "
            "backoff; 'backfill' queues events recorded while MLOG_URL was empty.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="Unsent rows, the oldest, attempts, errors.")
        drain = sub.add_parser("drain", help="Make every unsent row due and send now.")
        drain.add_argument("--max-batches", type=int, default=1000)
        backfill = sub.add_parser("backfill", help="Queue the audit events that have no "
                                  "outbox row (recorded while the adapter was off).")
        backfill.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD",
                              help="Only events from this day on (platform time zone).")
        backfill.add_argument("--chain", default="", metavar="NAME",
                              help="Only this audit chain ('platform' or a tenant schema).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            self._status()
        elif options["action"] == "backfill":
            self._backfill(since=options["since"], chain=options["chain"])
        else:
            self._drain(max_batches=options["max_batches"])

    def _status(self) -> None:
        status = mlog_outbox_status()
        self.stdout.write(f"adapter:        {'on' if status.enabled else 'off (MLOG_URL empty)'}")
        self.stdout.write(f"unsent:         {status.unsent} (due now: {status.due})")
        self.stdout.write(f"oldest unsent:  {status.oldest_unsent_at or '-'}")
        self.stdout.write(f"max attempts:   {status.max_attempts}")
        waiting = ", ".join(f"{kind}: {n}" for kind, n in sorted(
            status.waiting_by_error.items())) or "-"
        self.stdout.write(f"waiting on:     {waiting}")
        self.stdout.write(f"paused until:   {status.paused_until or '-'}")
        self.stdout.write(f"oldest error:   {status.head_error or '-'}")
        self.stdout.write(f"last sent:      {status.last_sent_at or '-'}")

    def _drain(self, *, max_batches: int) -> None:
        status = mlog_outbox_status()
        if not status.enabled:
            raise CommandError("MLOG_URL is empty: the MLog adapter is off")
        mlog_outbox_retry_now()
        report = mlog_outbox_drain(max_batches=max_batches, time_budget=3600.0)
        self.stdout.write(f"sent {report.sent} events in {report.requests} requests; "
                          f"{report.rejected} refused by MLog; stopped: {report.stopped}")
        if report.stopped in ("unavailable", "configuration"):
            raise CommandError(f"MLog {report.stopped}: see the log; the events wait")

    def _backfill(self, *, since: date | None, chain: str) -> None:
        try:
            who = getpass.getuser()
        except (OSError, KeyError):  # no login name (e.g. a container's uid)
            who = "?"
        try:
            queued = mlog_outbox_backfill(since=since, chain=chain, actor_label=f"cli:{who}")
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=EXIT_DISABLED
                               if exc.code == "mlog_disabled" else 1) from exc
        self.stdout.write(f"queued {queued} events for MLog; the drain ships them "
                          "(or run 'sgsc mlog drain')")
