"""The list's deadline filters agree, day by day, with the working days shown on each row."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from sgsc.provisioning.requests.selectors import (
    connection_request_get,
    connection_request_list,
    connection_requests_with_days_left,
    deadline_state,
)
from sgsc.shared_apps.workdays.models import CalendarException
from tests.provisioning.requests.conftest import local

pytestmark = pytest.mark.django_db


def test_filters_match_the_annotation_every_day_around_easter(submit) -> None:  # type: ignore[no-untyped-def]
    created = []
    for day in (30, 31):
        with time_machine.travel(local(2026, 3, day, 11, 0), tick=False):
            created.append(submit())
    for day in (1, 2, 3, 6, 7, 8, 9, 10):
        with time_machine.travel(local(2026, 4, day, 11, 0), tick=False):
            created.append(submit())
    # A rest day declared after some deadlines were set: the count follows the calendar.
    CalendarException.objects.create(date="2026-04-15", kind="rest_day", legal_act="HG test")
    moment = local(2026, 4, 8, 8, 0)
    while moment < local(2026, 4, 30, 8, 0):
        with time_machine.travel(moment, tick=False):
            rows = connection_requests_with_days_left(connection_request_list())
            expected = {state: {row.pk for row in rows if row.deadline_state == state}  # type: ignore[attr-defined]
                        for state in ("late", "at_risk")}
            for state in ("late", "at_risk"):
                found = set(connection_request_list(timing=state).values_list("pk", flat=True))
                assert found == expected[state], (moment, state)
            for row in rows:
                days = row.working_days_left  # type: ignore[attr-defined]
                assert (row.deadline_state == "at_risk") == (0 <= days <= 2)  # type: ignore[attr-defined]
                assert (row.deadline_state == "late") == (days < 0)  # type: ignore[attr-defined]
        moment += timedelta(hours=13)
    assert len(created) == 10


def test_deadline_state_rules() -> None:
    assert deadline_state(days_left=3, status="submitted") == "on_time"
    assert deadline_state(days_left=2, status="under_review") == "at_risk"
    assert deadline_state(days_left=0, status="under_review") == "at_risk"
    assert deadline_state(days_left=-1, status="submitted") == "late"
    assert deadline_state(days_left=-1, status="needs_info") == "paused"
    assert deadline_state(days_left=None, status="approved") == "closed"


def test_detail_selector_loads_in_a_fixed_number_of_queries(submit, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    created = submit()
    with assert_max_queries(6):
        loaded = connection_request_get(pk=created.pk)
        list(loaded.events.all())
        list(loaded.documents.all())
        list(loaded.members.all())
        assert loaded.working_days_left is not None  # type: ignore[attr-defined]
