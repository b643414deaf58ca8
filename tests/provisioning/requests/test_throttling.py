"""The submission throttle: per client address, public form and API counted together."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.shared_apps.audit.models import AuditEvent
from tests.provisioning.requests.test_public_form import _form_data

pytestmark = pytest.mark.django_db


def _fresh_address() -> str:
    # The counters (Redis) outlive the test database: a new address for every use.
    raw = uuid.uuid4().bytes
    return f"10.{raw[0]}.{raw[1]}.{raw[2]}"


@pytest.fixture
def address() -> str:
    return _fresh_address()


@pytest.fixture(autouse=True)
def _low_rates(settings: Any) -> None:
    settings.CONNECTION_REQUEST_SUBMIT_RATES = ["3/hour", "5/day"]


def _refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="connection_request.submit",
                                          outcome=AuditEvent.Outcome.FAILURE,
                                          details__code="too_many_requests"))


def test_form_refuses_after_the_hourly_limit_and_stores_nothing(
        public_client: Client, address: str) -> None:
    for _ in range(3):  # invalid attempts count too: a bot's junk is what we stop
        assert public_client.post("/cerere-conectare/", {},
                                  REMOTE_ADDR=address).status_code == 400
    before = ConnectionRequest.objects.count()
    response = public_client.post("/cerere-conectare/", _form_data(), REMOTE_ADDR=address)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = response.content.decode()
    assert "too_many_requests" in body and "Prea multe cereri de conectare" in body
    assert ConnectionRequest.objects.count() == before
    refusal, = _refusals()
    assert refusal.details["channel"] == "form" and refusal.ip == address


def test_another_address_is_not_refused(public_client: Client, address: str) -> None:
    for _ in range(3):
        public_client.post("/cerere-conectare/", {}, REMOTE_ADDR=address)
    assert public_client.post("/cerere-conectare/", {}, REMOTE_ADDR=address).status_code == 429
    # Behind the ingress the first X-Forwarded-For entry is the client.
    other = _fresh_address()
    response = public_client.post("/cerere-conectare/", {}, REMOTE_ADDR="127.0.0.1",
                                  HTTP_X_FORWARDED_FOR=f"{other}, 127.0.0.1")
    assert response.status_code == 400


def test_api_shares_the_counters_and_answers_json(public_client: Client, address: str) -> None:
    for _ in range(3):
        public_client.post("/cerere-conectare/", {}, REMOTE_ADDR=address)
    before = ConnectionRequest.objects.count()
    response = public_client.post("/api/v1/connection-requests/", {}, REMOTE_ADDR=address,
                                  content_type="application/json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_requests"
    assert int(response["Retry-After"]) > 0
    assert ConnectionRequest.objects.count() == before
    assert [event.details["channel"] for event in _refusals()] == ["api"]


def test_daily_window_applies_too(public_client: Client, address: str, settings: Any) -> None:
    settings.CONNECTION_REQUEST_SUBMIT_RATES = ["100/hour", "2/day"]
    for _ in range(2):
        public_client.post("/api/v1/connection-requests/", {}, REMOTE_ADDR=address,
                           content_type="application/json")
    response = public_client.post("/cerere-conectare/", {}, REMOTE_ADDR=address)
    assert response.status_code == 429


def test_reading_the_form_is_not_counted(public_client: Client, address: str) -> None:
    for _ in range(5):
        assert public_client.get("/cerere-conectare/", REMOTE_ADDR=address).status_code == 200
    assert public_client.post("/cerere-conectare/", {}, REMOTE_ADDR=address).status_code == 400
