"""Recording and removing national exceptions: validation codes, audit, nothing half-written."""

from __future__ import annotations

from datetime import date

import pytest

from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.workdays.models import CalendarException
from sgsc.shared_apps.workdays.services import calendar_exception_add, calendar_exception_remove
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REST = CalendarException.Kind.REST_DAY
WORK = CalendarException.Kind.WORKING_DAY


def test_a_rest_day_is_recorded_and_audited() -> None:
    actor = UserFactory()
    row = calendar_exception_add(day=date(2026, 1, 2), kind=REST, legal_act=" HG nr. 1/2025 ",
                                 note="transfer", actor=actor)
    assert row.legal_act == "HG nr. 1/2025" and row.created_by == actor
    event = AuditEvent.objects.get(action="calendar.exception.add")
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.actor == actor and event.chain == "platform"
    assert event.object_type == "calendar_exception" and event.object_id == "2026-01-02"
    assert event.details == {"date": "2026-01-02", "kind": "rest_day",
                             "legal_act": "HG nr. 1/2025", "note": "transfer"}


@pytest.mark.parametrize("day", [date(2026, 1, 10), date(2026, 4, 20), date(2026, 4, 12)])
def test_a_working_day_on_a_weekend_or_a_holiday_is_recorded(day: date) -> None:
    calendar_exception_add(day=day, kind=WORK, legal_act="HG nr. 1/2025")
    assert CalendarException.objects.filter(date=day, kind=WORK).exists()


@pytest.mark.parametrize(("day", "kind", "legal_act", "code"), [
    (date(2026, 1, 10), REST, "HG", "exception_not_needed"),   # a Saturday is already off
    (date(2026, 4, 13), REST, "HG", "exception_not_needed"),   # Easter Monday is already off
    (date(2026, 1, 12), WORK, "HG", "exception_not_needed"),   # an ordinary Monday is worked
    (date(2026, 1, 12), REST, "  ", "legal_act_required"),
    (date(2026, 1, 12), "holiday", "HG", "invalid_kind"),
    (date(1990, 1, 12), REST, "HG", "invalid_date"),
    (date(2026, 1, 12), REST, "x" * 501, "too_long"),
])
def test_refusals_have_codes_store_nothing_and_are_audited(day: date, kind: str, legal_act: str,
                                                           code: str) -> None:
    with pytest.raises(ApplicationError) as caught:
        calendar_exception_add(day=day, kind=kind, legal_act=legal_act)
    assert caught.value.code == code
    assert caught.value.status_code == 400
    assert not CalendarException.objects.exists()
    event = AuditEvent.objects.get(action="calendar.exception.add")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.details["code"] == code


def test_a_second_exception_for_the_same_day_is_refused() -> None:
    calendar_exception_add(day=date(2026, 1, 2), kind=REST, legal_act="HG nr. 1/2025")
    with pytest.raises(ApplicationError) as caught:
        calendar_exception_add(day=date(2026, 1, 2), kind=REST, legal_act="HG nr. 2/2025")
    assert caught.value.code == "exception_exists" and caught.value.status_code == 409
    assert CalendarException.objects.get().legal_act == "HG nr. 1/2025"


def test_removal_is_audited_with_what_was_removed() -> None:
    calendar_exception_add(day=date(2026, 1, 2), kind=REST, legal_act="HG nr. 1/2025")
    calendar_exception_remove(day=date(2026, 1, 2))
    assert not CalendarException.objects.exists()
    event = AuditEvent.objects.get(action="calendar.exception.remove")
    assert event.details["legal_act"] == "HG nr. 1/2025" and event.details["kind"] == "rest_day"


def test_removing_a_missing_exception_is_refused() -> None:
    with pytest.raises(ApplicationError) as caught:
        calendar_exception_remove(day=date(2026, 1, 2))
    assert caught.value.code == "exception_not_found" and caught.value.status_code == 404
    event = AuditEvent.objects.get(action="calendar.exception.remove")
    assert event.outcome == AuditEvent.Outcome.FAILURE
