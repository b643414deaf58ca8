"""``sgsc workdays``: exact output, clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sgsc.shared_apps.workdays.models import CalendarException
from sgsc.shared_apps.workdays.services import calendar_exception_add
from tests.conftest import database_url_for_subprocesses

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(__file__).resolve().parents[3]


def run(*args: str) -> str:
    out = StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(("start", "days", "deadline"), [
    ("2026-04-10", "1", "2026-04-14"),
    ("2026-04-10", "10", "2026-04-28"),
    ("2027-04-30", "1", "2027-05-04"),
    ("2026-04-18", "1", "2026-04-21"),
])
def test_add_prints_the_deadline_and_nothing_else(start: str, days: str, deadline: str) -> None:
    assert run("add", start, days) == f"{deadline}\n"


def test_add_counts_the_recorded_exceptions() -> None:
    calendar_exception_add(day=date(2026, 4, 14), kind=CalendarException.Kind.REST_DAY,
                           legal_act="HG nr. 5/2026")
    assert run("add", "2026-04-10", "1") == "2026-04-15\n"


def test_off_lists_the_non_working_weekdays_with_their_reasons() -> None:
    calendar_exception_add(day=date(2026, 5, 8), kind=CalendarException.Kind.REST_DAY,
                           legal_act="HG nr. 7/2026")
    calendar_exception_add(day=date(2026, 5, 16), kind=CalendarException.Kind.WORKING_DAY,
                           legal_act="HG nr. 7/2026")
    assert run("off", "2026") == (
        "2026-01-01  Anul Nou\n"
        "2026-01-07  Nașterea lui Iisus Hristos (Crăciunul pe stil vechi)\n"
        "2026-01-08  Nașterea lui Iisus Hristos (Crăciunul pe stil vechi)\n"
        "2026-04-13  Paștele\n"
        "2026-04-20  Paștele blajinilor\n"
        "2026-05-01  Ziua internațională a solidarității oamenilor muncii\n"
        "2026-05-08  HG nr. 7/2026\n"
        "2026-06-01  Ziua Ocrotirii Copilului\n"
        "2026-08-27  Ziua independenței Republicii Moldova\n"
        "2026-08-31  Limba noastră\n"
        "2026-12-25  Nașterea lui Iisus Hristos (Crăciunul pe stil nou)\n"
    )


def test_off_2027_has_easter_in_may() -> None:
    lines = run("off", "2027").splitlines()
    assert "2027-05-03  Paștele" in lines and "2027-05-10  Paștele blajinilor" in lines
    assert "2027-03-08  Ziua internațională a femeii" in lines


@pytest.mark.parametrize(("args", "message"), [
    (("add", "2026-02-30", "1"), "Invalid date '2026-02-30'"),
    (("add", "10.04.2026", "1"), "Invalid date '10.04.2026'"),
    (("add", "20260410", "1"), "Invalid date '20260410'"),
    (("add", "2026-04-10", "0"), "Invalid number of working days '0'"),
    (("add", "2026-04-10", "-3"), "Invalid number of working days '-3'"),
    (("add", "2026-04-10", "zece"), "Invalid number of working days 'zece'"),
    (("off", "26"), "Invalid year '26'"),
    (("off", "1800"), "Invalid year '1800'"),
    (("off", "anul"), "Invalid year 'anul'"),
])
def test_bad_input_is_a_command_error(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_the_real_command_line(django_db_blocker: Any) -> None:
    """Through ``sgsc`` in its own process: stdout exactly the date; bad input exits 1."""
    with django_db_blocker.unblock():
        database_url = database_url_for_subprocesses()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sgsc.platform.settings.test",
           "DATABASE_URL": database_url, "REDIS_URL": os.environ["REDIS_URL"]}
    command = [sys.executable, "-m", "sgsc.platform.cli", "workdays"]
    good = subprocess.run([*command, "add", "2026-04-10", "10"], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert good.returncode == 0, good.stderr
    assert good.stdout == "2026-04-28\n"
    bad = subprocess.run([*command, "add", "2026-04-10", "0"], cwd=PROJECT_DIR, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert bad.returncode != 0
    assert bad.stdout == ""
    assert "Invalid number of working days" in bad.stderr
