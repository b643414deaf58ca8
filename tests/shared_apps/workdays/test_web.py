"""The calendar page of the AGE console and the calendar API (public host)."""

from __future__ import annotations

from datetime import date

import pytest

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.workdays.models import CalendarException
from sgsc.shared_apps.workdays.services import calendar_exception_add

pytestmark = pytest.mark.django_db

REST = CalendarException.Kind.REST_DAY
WORK = CalendarException.Kind.WORKING_DAY


# --- console page ------------------------------------------------------------------------

def test_the_page_shows_the_non_working_weekdays_and_the_exceptions(signed_in) -> None:  # type: ignore[no-untyped-def]
    calendar_exception_add(day=date(2026, 5, 8), kind=REST, legal_act="HG nr. 7/2026",
                           note="transfer")
    client, _ = signed_in("age_admin")
    response = client.get("/calendar/?an=2026")
    assert response.status_code == 200
    page = response.content.decode()
    assert "13.04.2026" in page and "Paștele" in page
    assert "20.04.2026" in page and "Paștele blajinilor" in page
    assert "08.05.2026" in page and "HG nr. 7/2026" in page
    assert "09.05.2026" not in page  # a Saturday: not a weekday off
    assert "/calendar/exceptii/2026-05-08/stergere/" in page
    assert 'href="?an=2025"' in page and 'href="?an=2027"' in page


def test_year_navigation_shows_another_year(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("age_admin")
    page = client.get("/calendar/?an=2027").content.decode()
    assert "03.05.2027" in page and "10.05.2027" in page and "13.04.2026" not in page
    assert "Nicio excepție înregistrată pentru acest an." in page
    # A bad year falls back to the current one instead of failing.
    assert client.get("/calendar/?an=abc").status_code == 200


def test_only_holders_of_calendar_manage_see_the_page(signed_in, public_client) -> None:  # type: ignore[no-untyped-def]
    anonymous = public_client.get("/calendar/")
    assert anonymous.status_code == 302 and "/autentificare/" in anonymous["Location"]
    client, officer = signed_in("age_onboarding_officer")
    assert client.get("/calendar/").status_code == 403
    denied = AuditEvent.objects.filter(action="access.denied", actor=officer).get()
    assert denied.details["capability"] == "calendar.manage"
    assert client.post("/calendar/", {"date": "2026-01-02", "kind": REST,
                                      "legal_act": "HG"}).status_code == 403
    assert not CalendarException.objects.exists()


def test_adding_an_exception_from_the_page(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, admin = signed_in("age_admin")
    response = client.post("/calendar/?an=2026", {
        "date": "2026-01-02", "kind": REST, "legal_act": "HG nr. 1/2025", "note": "transfer"})
    assert response.status_code == 302 and response["Location"] == "/calendar/?an=2026"
    row = CalendarException.objects.get()
    assert row.date == date(2026, 1, 2) and row.created_by == admin
    assert AuditEvent.objects.get(action="calendar.exception.add").actor == admin
    page = client.get(response["Location"]).content.decode()
    assert "02.01.2026" in page and "HG nr. 1/2025" in page


@pytest.mark.parametrize(("data", "message"), [
    ({"date": "2026-01-03", "kind": REST, "legal_act": "HG"}, "nu este oricum zi lucrătoare"),
    ({"date": "2026-01-05", "kind": WORK, "legal_act": "HG"}, "este oricum zi lucrătoare"),
    ({"date": "2026-01-05", "kind": REST, "legal_act": ""}, "Indicați actul normativ"),
    ({"date": "2026-13-05", "kind": REST, "legal_act": "HG"}, "Introduceți o dată validă"),
])
def test_bad_exceptions_are_refused_on_the_page(signed_in, data, message) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("age_admin")
    response = client.post("/calendar/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CalendarException.objects.exists()


def test_deleting_asks_for_confirmation(signed_in) -> None:  # type: ignore[no-untyped-def]
    calendar_exception_add(day=date(2026, 1, 2), kind=REST, legal_act="HG nr. 1/2025")
    client, admin = signed_in("age_admin")
    confirm = client.get("/calendar/exceptii/2026-01-02/stergere/")
    assert confirm.status_code == 200
    assert "Ștergeți excepția?" in confirm.content.decode()
    assert CalendarException.objects.exists()
    done = client.post("/calendar/exceptii/2026-01-02/stergere/")
    assert done.status_code == 302 and done["Location"] == "/calendar/?an=2026"
    assert not CalendarException.objects.exists()
    assert AuditEvent.objects.get(action="calendar.exception.remove").actor == admin
    assert client.get("/calendar/exceptii/2026-01-02/stergere/").status_code == 404
    assert client.get("/calendar/exceptii/2026-02-30/stergere/").status_code == 404


# --- API ------------------------------------------------------------------------------------

def test_api_lists_exceptions_by_date_and_year(signed_in) -> None:  # type: ignore[no-untyped-def]
    calendar_exception_add(day=date(2027, 1, 4), kind=REST, legal_act="HG nr. 9/2026")
    calendar_exception_add(day=date(2026, 1, 2), kind=REST, legal_act="HG nr. 1/2025")
    client, _ = signed_in("asp_monitor")  # reading needs only a sign-in
    body = client.get("/api/v1/calendar/exceptions/").json()
    assert [row["date"] for row in body["results"]] == ["2026-01-02", "2027-01-04"]
    assert body["results"][0]["kind"] == "rest_day"
    assert body["results"][0]["legal_act"] == "HG nr. 1/2025"
    only = client.get("/api/v1/calendar/exceptions/?year=2027").json()
    assert [row["date"] for row in only["results"]] == ["2027-01-04"]
    bad = client.get("/api/v1/calendar/exceptions/?year=20x7")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_year"


def test_api_creates_and_deletes_exceptions(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, admin = signed_in("age_admin")
    created = client.post("/api/v1/calendar/exceptions/",
                          {"date": "2026-01-10", "kind": WORK, "legal_act": "HG nr. 1/2025"},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["date"] == "2026-01-10" and created.json()["kind"] == "working_day"
    assert AuditEvent.objects.get(action="calendar.exception.add").actor == admin
    deleted = client.delete("/api/v1/calendar/exceptions/2026-01-10/")
    assert deleted.status_code == 204
    assert not CalendarException.objects.exists()
    again = client.delete("/api/v1/calendar/exceptions/2026-01-10/")
    assert again.status_code == 404 and again.json()["error"]["code"] == "exception_not_found"
    bad = client.delete("/api/v1/calendar/exceptions/10-01-2026/")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_date"


@pytest.mark.parametrize(("data", "status", "code"), [
    ({"date": "2026-01-10", "kind": REST, "legal_act": "HG"}, 400, "exception_not_needed"),
    ({"date": "2026-01-12", "kind": REST}, 400, "legal_act_required"),
    ({"date": "2026-01-12", "kind": "holiday", "legal_act": "HG"}, 400, "invalid_input"),
    ({"date": "12.01.2026", "kind": REST, "legal_act": "HG"}, 400, "invalid_input"),
    ({"date": "2026-01-02", "kind": REST, "legal_act": "HG"}, 409, "exception_exists"),
])
def test_api_refusals_have_stable_codes(signed_in, data, status, code) -> None:  # type: ignore[no-untyped-def]
    calendar_exception_add(day=date(2026, 1, 2), kind=REST, legal_act="HG nr. 1/2025")
    client, _ = signed_in("age_admin")
    response = client.post("/api/v1/calendar/exceptions/", data,
                           content_type="application/json")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert CalendarException.objects.count() == 1


def test_api_writes_need_calendar_manage(signed_in, public_client) -> None:  # type: ignore[no-untyped-def]
    calendar_exception_add(day=date(2026, 1, 2), kind=REST, legal_act="HG nr. 1/2025")
    client, officer = signed_in("age_onboarding_officer")
    refused = client.post("/api/v1/calendar/exceptions/",
                          {"date": "2026-01-05", "kind": REST, "legal_act": "HG"},
                          content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert client.delete("/api/v1/calendar/exceptions/2026-01-02/").status_code == 403
    assert CalendarException.objects.count() == 1
    assert AuditEvent.objects.filter(action="access.denied", actor=officer).count() == 2
    assert public_client.get("/api/v1/calendar/exceptions/").status_code == 401


def test_api_deadline(signed_in, public_client) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("chancellery_reviewer")
    response = client.get("/api/v1/calendar/deadline/?from=2026-04-10&days=10")
    assert response.status_code == 200
    assert response.json() == {"from": "2026-04-10", "working_days": 10,
                               "deadline": "2026-04-28"}
    calendar_exception_add(day=date(2026, 4, 14), kind=REST, legal_act="HG nr. 5/2026")
    again = client.get("/api/v1/calendar/deadline/?from=2026-04-10&days=1").json()
    assert again["deadline"] == "2026-04-15"
    assert public_client.get("/api/v1/calendar/deadline/?from=2026-04-10&days=1"
                             ).status_code == 401


@pytest.mark.parametrize(("query", "code", "fields"), [
    ("from=2026-04-31&days=1", "invalid_date", {"from"}),
    ("from=10.04.2026&days=1", "invalid_date", {"from"}),
    ("days=1", "invalid_date", {"from"}),
    ("from=2026-04-10&days=0", "invalid_term", {"days"}),
    ("from=2026-04-10&days=1001", "invalid_term", {"days"}),
    ("from=2026-04-10&days=x", "invalid_term", {"days"}),
    ("from=x&days=x", "invalid_date", {"from", "days"}),
])
def test_api_deadline_bad_input(signed_in, query, code, fields) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("age_admin")
    response = client.get(f"/api/v1/calendar/deadline/?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and set(error["fields"]) == fields
