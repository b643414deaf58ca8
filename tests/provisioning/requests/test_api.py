"""The connection request API on the public host."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.requests.models import ConnectionRequest, RequestDocument
from tests.provisioning.requests.conftest import local, make_idno, pdf, valid_submission

pytestmark = pytest.mark.django_db
BASE = "/api/v1/connection-requests/"


def _json_body(**overrides: Any) -> dict[str, Any]:
    body = valid_submission(**overrides)
    body.pop("documents", None)
    return body


def _post_json(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}, default=str),
                       content_type="application/json")


@pytest.fixture
def reviewer(signed_in: Callable[..., tuple[Client, Any]]) -> Client:
    client, _ = signed_in("age_onboarding_officer")
    return client


def test_anonymous_json_submission_returns_the_contract(public_client: Client) -> None:
    with time_machine.travel(local(2026, 4, 8, 16, 45), tick=False):
        response = _post_json(public_client, BASE, _json_body())
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "number", "received_at", "review_deadline", "status"}
    created = ConnectionRequest.objects.get(pk=body["id"])
    assert body["number"] == created.number
    assert body["review_deadline"] == "2026-04-24"  # the deadline's local date
    assert body["received_at"] == "2026-04-08T16:45:00+03:00"
    assert body["status"] == "submitted"


def test_multipart_submission_with_documents(public_client: Client) -> None:
    data = _json_body(mode="hub")
    members = [make_idno(6001, prefix="1008"), make_idno(6002, prefix="1008")]
    data.update(coordinator_idno=data["institution_idno"], agreement_number="AI-3",
                agreement_date="2026-02-01",
                members=[f"{members[0]} Primăria Cahul", f"{members[1]} Primăria Cantemir"],
                document_agreement=pdf("acord.pdf"),
                document_other=[pdf("a.pdf"), pdf("b.pdf")])
    response = public_client.post(BASE, data)  # multipart
    assert response.status_code == 201, response.json()
    created = ConnectionRequest.objects.get(pk=response.json()["id"])
    assert sorted(created.documents.values_list("kind", flat=True)) == [
        "agreement", "other", "other"]
    assert sorted(m.name for m in created.members.all()) == ["Primăria Cahul",
                                                             "Primăria Cantemir"]
    assert created.services == ["Eliberarea certificatelor", "Informații despre taxe"]
    assert created.channels == ["phone", "email"]


@pytest.mark.parametrize(("overrides", "code", "field"), [
    ({"institution_idno": "1003600000000"}, "invalid_idno", "institution_idno"),
    ({"contact_idnp": "123"}, "invalid_idnp", "contact_idnp"),
    ({"mode": "hub"}, "hub_coordinator_required", "coordinator_idno"),
    ({"channels": ["fax"]}, "invalid_channel", "channels"),
    ({"mode": "solo"}, "invalid_mode", "mode"),
    ({"institution_kind": "bank"}, "invalid_kind", "institution_kind"),
    ({"services": []}, "services_required", "services"),
])
def test_submission_errors_have_stable_codes(public_client: Client, overrides: dict[str, Any],
                                             code: str, field: str) -> None:
    response = _post_json(public_client, BASE, _json_body(**overrides))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and field in error["fields"] and error["message"]
    assert ConnectionRequest.objects.count() == 0


def test_not_a_pdf_and_too_large_through_the_api(public_client: Client, settings: Any) -> None:
    settings.CONNECTION_REQUEST_MAX_DOCUMENT_BYTES = 300
    response = public_client.post(BASE, {**_json_body(),
                                         "document_application": pdf("x.pdf", b"MZ\x90\x00")})
    assert response.json()["error"]["code"] == "not_pdf"
    assert "document_application" in response.json()["error"]["fields"]
    response = public_client.post(BASE, {**_json_body(),
                                         "document_other": [pdf("big.pdf", b"%PDF-" + b"1" * 400)]})
    assert response.status_code == 400 and response.json()["error"]["code"] == "file_too_large"
    assert ConnectionRequest.objects.count() == 0 and RequestDocument.objects.count() == 0


def test_duplicate_is_a_conflict(public_client: Client) -> None:
    body = _json_body()
    assert _post_json(public_client, BASE, body).status_code == 201
    again = _post_json(public_client, BASE, body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_request"


def test_anonymous_submissions_are_throttled(public_client: Client) -> None:
    from django.core.cache import cache
    from rest_framework.settings import api_settings
    from rest_framework.throttling import AnonRateThrottle

    cache.clear()
    original = AnonRateThrottle.THROTTLE_RATES
    AnonRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/min"}
    try:
        codes = [_post_json(public_client, BASE, _json_body()).status_code for _ in range(3)]
    finally:
        AnonRateThrottle.THROTTLE_RATES = original
        cache.clear()
    assert codes[:2] == [201, 201] and codes[2] == 429
    assert ConnectionRequest.objects.count() == 2


def test_reading_needs_the_onboarding_capability(public_client: Client, signed_in,  # type: ignore[no-untyped-def]
                                                 submit) -> None:
    created = submit()
    assert public_client.get(BASE).status_code == 401
    assert public_client.get(f"{BASE}{created.pk}/").status_code == 401
    other, _ = signed_in("chancellery_reviewer")
    assert other.get(BASE).status_code == 403
    response = _post_json(other, f"{BASE}{created.pk}/approve/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert _post_json(public_client, f"{BASE}{created.pk}/reject/").status_code == 401
    created.refresh_from_db()
    assert created.status == "submitted"


def test_list_with_working_days_left_and_filters(reviewer: Client, submit, officer) -> None:  # type: ignore[no-untyped-def]
    from sgsc.provisioning.requests.services import connection_request_ask_info

    with time_machine.travel(local(2026, 6, 10, 9, 0), tick=False):
        soon = submit()
        waiting = submit()
        connection_request_ask_info(connection_request=waiting, actor=officer, message="?")
    with time_machine.travel(local(2026, 6, 17, 9, 0), tick=False):
        later = submit(institution_name="Serviciul Vamal de test")
    with time_machine.travel(local(2026, 6, 23, 10, 0), tick=False):
        rows = {row["number"]: row for row in reviewer.get(BASE).json()["results"]}
        at_risk = reviewer.get(BASE, {"timing": "at_risk"}).json()["results"]
        searched = reviewer.get(BASE, {"search": "Vamal"}).json()["results"]
        paused = reviewer.get(BASE, {"status": "needs_info"}).json()["results"]
    assert (rows[soon.number]["working_days_left"], rows[soon.number]["deadline_state"]) == (
        1, "at_risk")
    assert rows[soon.number]["review_deadline"] == "2026-06-24"
    assert rows[later.number]["working_days_left"] == 6
    assert rows[waiting.number]["deadline_state"] == "paused"
    assert rows[soon.number]["institution"]["idno"] == soon.institution.idno
    assert [row["number"] for row in at_risk] == [soon.number]
    assert [row["number"] for row in searched] == [later.number]
    assert [row["number"] for row in paused] == [waiting.number]


def test_list_query_count_does_not_grow_with_rows(reviewer: Client, submit,  # type: ignore[no-untyped-def]
                                                  assert_max_queries) -> None:
    for _ in range(3):
        submit()
    with CaptureQueriesContext(connection) as few:
        assert len(reviewer.get(BASE).json()["results"]) == 3
    for _ in range(12):
        submit()
    with assert_max_queries(len(few.captured_queries)):
        assert len(reviewer.get(BASE).json()["results"]) == 15


def test_detail_has_timeline_documents_and_contract(reviewer: Client, submit) -> None:  # type: ignore[no-untyped-def]
    created = submit(documents=[("application", pdf())])
    body = reviewer.get(f"{BASE}{created.pk}/").json()
    assert body["number"] == created.number and body["contract_id"] is None
    assert [event["action"] for event in body["events"]] == ["submit"]
    assert body["documents"][0]["sha256"] == created.documents.get().sha256
    assert body["contact_idnp"] == created.contact_idnp
    assert reviewer.get(f"{BASE}{created.pk + 999}/").status_code == 404


def test_actions_through_the_api(reviewer: Client, submit) -> None:  # type: ignore[no-untyped-def]
    created = submit()
    url = f"{BASE}{created.pk}"
    assert _post_json(reviewer, f"{url}/start-review/").json()["status"] == "under_review"
    asked = _post_json(reviewer, f"{url}/ask-info/", {"message": ""})
    assert asked.status_code == 400 and asked.json()["error"]["code"] == "message_required"
    assert _post_json(reviewer, f"{url}/ask-info/",
                      {"message": "Lipsește mandatul."}).json()["status"] == "needs_info"
    provided = reviewer.post(f"{url}/info-provided/", {"note": "Mandatul",
                                                      "document_other": [pdf("m.pdf")]})
    assert provided.status_code == 200 and provided.json()["status"] == "under_review"
    assert len(provided.json()["documents"]) == 1
    approved = _post_json(reviewer, f"{url}/approve/", {"note": "Conform"})
    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "approved" and body["deadline_state"] == "closed"
    assert body["contract_id"] == Contract.objects.get(request=created).pk
    assert [event["action"] for event in body["events"]] == [
        "submit", "start_review", "ask_info", "info_provided", "approve"]
    again = _post_json(reviewer, f"{url}/withdraw/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize(("body", "code"), [
    ({"legal_basis": "pct. 10"}, "reasons_required"),
    ({"reasons": "Scopuri contrare legii"}, "legal_basis_required"),
])
def test_reject_requires_reasons_and_legal_basis(reviewer: Client, submit,  # type: ignore[no-untyped-def]
                                                 body: dict[str, str], code: str) -> None:
    created = submit()
    response = _post_json(reviewer, f"{BASE}{created.pk}/reject/", body)
    assert response.status_code == 400 and response.json()["error"]["code"] == code
    created.refresh_from_db()
    assert created.status == "submitted"


def test_approving_a_rejected_request_is_refused(reviewer: Client, submit) -> None:  # type: ignore[no-untyped-def]
    created = submit()
    rejected = _post_json(reviewer, f"{BASE}{created.pk}/reject/",
                          {"reasons": "Scopuri contrare legii", "legal_basis": "pct. 10"})
    assert rejected.status_code == 200
    assert rejected.json()["decision_legal_basis"] == "pct. 10"
    response = _post_json(reviewer, f"{BASE}{created.pk}/approve/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert not Contract.objects.filter(request=created).exists()
    withdrawn = _post_json(reviewer, f"{BASE}{submit().pk}/withdraw/", {"note": "Scrisoare"})
    assert withdrawn.json()["status"] == "withdrawn"


def test_endpoints_are_in_the_openapi_document(public_client: Client) -> None:
    paths = public_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
                              ).json()["paths"]
    for suffix in ("", "{id}/", "{id}/approve/", "{id}/reject/", "{id}/start-review/",
                   "{id}/ask-info/", "{id}/info-provided/", "{id}/withdraw/"):
        assert f"{BASE}{suffix}" in paths, suffix
    create = paths[BASE]["post"]
    assert "multipart/form-data" in create["requestBody"]["content"]
    assert "201" in create["responses"]
