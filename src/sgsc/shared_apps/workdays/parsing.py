"""Strict parsing of the dates, terms and years people type (command line, API, console)."""

from __future__ import annotations

import re
from datetime import date

from sgsc.shared_apps.workdays.calendar import FIRST_YEAR, LAST_YEAR

# Longer terms than this are typing mistakes; the law's terms count tens of days.
MAX_TERM = 1000

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"[+-]?\d{1,9}")


def parse_iso_date(text: str) -> date | None:
    """``YYYY-MM-DD`` only (``date.fromisoformat`` also takes ``20260410`` or week dates),
    inside the calendar's years; ``None`` when it is anything else."""
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def parse_term(text: str) -> int | None:
    """A number of working days, 1 to ``MAX_TERM``; ``None`` otherwise."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_TERM else None


def parse_year(text: str) -> int | None:
    text = text.strip()
    if not re.fullmatch(r"\d{4}", text):
        return None
    value = int(text)
    return value if FIRST_YEAR <= value <= LAST_YEAR else None
