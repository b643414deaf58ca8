"""``sgsc workdays add YYYY-MM-DD N`` and ``sgsc workdays off YEAR``.

``add`` prints only the ISO date of the deadline (the Nth working day after the date, as every
deadline of the platform counts), so scripts can use it. ``off`` prints the weekdays of the
year that are not worked, one per line: the date, two spaces, the reason.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sgsc.shared_apps.workdays.calendar import FIRST_YEAR, LAST_YEAR
from sgsc.shared_apps.workdays.parsing import MAX_TERM, parse_iso_date, parse_term, parse_year
from sgsc.shared_apps.workdays.selectors import work_calendar


class Command(BaseCommand):
    help = "Moldovan working days: deadlines and the non-working weekdays of a year."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="The Nth working day after a date (ISO date).")
        add.add_argument("date", help="YYYY-MM-DD: the day of the event (it never counts).")
        add.add_argument("days", help=f"Working days, 1 to {MAX_TERM}.")
        off = sub.add_parser("off", help="The weekdays of a year that are not worked.")
        off.add_argument("year", help=f"{FIRST_YEAR} to {LAST_YEAR}.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            self._add(options["date"], options["days"])
        else:
            self._off(options["year"])

    def _add(self, date_text: str, days_text: str) -> None:
        start = parse_iso_date(date_text)
        if start is None:
            raise CommandError(f"Invalid date {date_text!r}: expected YYYY-MM-DD, "
                               f"a real day between {FIRST_YEAR} and {LAST_YEAR}.")
        days = parse_term(days_text)
        if days is None:
            raise CommandError(f"Invalid number of working days {days_text!r}: "
                               f"expected a whole number from 1 to {MAX_TERM}.")
        self.stdout.write(work_calendar().add_working_days(start, days).isoformat())

    def _off(self, year_text: str) -> None:
        year = parse_year(year_text)
        if year is None:
            raise CommandError(f"Invalid year {year_text!r}: expected {FIRST_YEAR} to "
                               f"{LAST_YEAR}.")
        for day, reason in work_calendar().non_working_weekdays(year):
            self.stdout.write(f"{day.isoformat()}  {reason}")
