"""Tickets over the API: a ticket worked from registration to resolution, bad input with
stable codes, keyset pages with constant queries, and hub scoping on every endpoint."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.catalog.models import Service
from sgsc.tenant_apps.tickets.models import Ticket
from tests.tenant_apps.tickets.conftest import VALID_IDNP
from tests.tenant_apps.tickets.hub_helpers import hub_with_two_institutions

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"


def _post(client: Client, url: str, data: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def _patch(client: Client, url: str, data: Any) -> Any:
    return client.patch(url, json.dumps(data), content_type="application/json")


def _code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def _new(client: Client, **fields: Any) -> dict[str, Any]:
    data = {"channel": "phone", "title": "Nu pot descărca certificatul",
            "requester": {"name": "Ion Popescu", "idnp": VALID_IDNP}, **fields}
    response = _post(client, TICKETS, data)
    assert response.status_code == 201, response.content
    return dict(response.json())


@pytest.fixture
def service(tenants):  # type: ignore[no-untyped-def]
    with schema_context(tenants.prov_a.schema_name):
        return Service.objects.create(code="CERT-NAST", name="Certificat de naștere",
                                      resolution_hours=16)


def test_a_ticket_worked_through_the_api(signed_in, tenants, service) -> None:  # type: ignore[no-untyped-def]
    operator, _user = signed_in(TenantRole.L1_OPERATOR, tenants.prov_a)
    specialist, _specialist = signed_in(TenantRole.L2_SPECIALIST, tenants.prov_a)
    created = _new(operator, service_code="CERT-NAST", description="Eroare la plată")
    url = f"{TICKETS}{created['id']}/"
    assert created["service"]["code"] == "CERT-NAST" and created["status"] == "new"
    assert created["sla"]["state"] == "running" and created["sla"]["target_minutes"] == 960
    assert created["contact"]["idnp"] == VALID_IDNP
    assert {a["action"] for a in created["allowed_actions"]} >= {"take", "escalate", "resolve"}
    assert _post(operator, f"{url}actions/take/", {}).json()["status"] == "open"
    reply = _post(operator, f"{url}replies/", {"body": "Verificăm plata.", "public": True})
    assert reply.status_code == 201 and reply.json()["visibility"] == "public"
    patched = _patch(operator, url, {"title": "Nu pot descărca certificatul de naștere",
                                     "impact": 1, "reason": "Clarificare"})
    assert patched.status_code == 200 and patched.json()["priority"]["code"] != "p3"
    escalated = _post(operator, f"{url}actions/escalate/", {"reason": "Registru", "level": 2})
    assert escalated.json()["level"] == 2 and escalated.json()["status"] == "escalated"
    refused = _post(operator, f"{url}actions/resolve/", {"reason": "x"})
    assert refused.status_code == 403 and _code(refused) == "level_not_allowed"
    corrected = _post(specialist, f"{url}journal/1/correct/",
                      {"changes": {"description": "Eroare la plata taxei"}, "reason": "Tastare"})
    assert corrected.status_code == 201 and corrected.json()["annuls"] == 1
    resolved = _post(specialist, f"{url}actions/resolve/", {"reason": "Plata confirmată"})
    assert resolved.json()["status"] == "resolved" and resolved.json()["sla"]["state"] == "stopped"
    journal = operator.get(f"{url}journal/").json()
    assert [entry["kind"] for entry in journal] == [
        "created", "status", "reply", "updated", "escalated", "correction", "status"]
    assert journal[0]["annulled_by"] == 6 and journal[5]["annulled_by"] is None
    at = journal[0]["at"]
    before = operator.get(f"{url}as-of/", {"at": at}).json()
    assert before["registered"] and before["values"]["title"] == "Nu pot descărca certificatul"
    assert before["values"]["description"] == "Eroare la plată"  # not yet corrected then
    assert before["values"]["status"] == "new"
    now = operator.get(f"{url}as-of/", {"at": journal[-1]["at"]}).json()["values"]
    assert now["description"] == "Eroare la plata taxei" and now["status"] == "resolved"
    by_number = operator.get(f"{TICKETS}by-number/{created['number'].lower()}/")
    assert by_number.json()["id"] == created["id"]
    with schema_context(tenants.prov_a.schema_name):
        assert Ticket.objects.get(pk=created["id"]).journal_length == 7


def test_bad_input_has_stable_codes(signed_in, tenants, service) -> None:  # type: ignore[no-untyped-def]
    operator, _user = signed_in(TenantRole.L1_OPERATOR, tenants.prov_a)
    ticket = _new(operator)
    url = f"{TICKETS}{ticket['id']}/"
    cases = [
        (_post(operator, TICKETS, {"channel": "phone", "title": "x", "service": 999999,
                                   "requester": {"name": "A"}}), 400, "unknown_service"),
        (_post(operator, TICKETS, {"channel": "phone", "title": "x", "service_code": "NU-E",
                                   "requester": {"name": "A"}}), 400, "unknown_service"),
        (_post(operator, TICKETS, {"channel": "phone", "title": "x", "service": service.pk,
                                   "service_code": "CERT-NAST", "requester": {"name": "A"}}),
         400, "service_ambiguous"),
        (_post(operator, TICKETS, {"channel": "fax", "title": "x", "requester": {"name": "A"}}),
         400, "unknown_channel"),
        (_post(operator, TICKETS, {"channel": "phone", "title": "x", "requester": {}}),
         400, "requester_required"),
        (_post(operator, TICKETS, {"channel": "phone", "title": "x", "service": "abc",
                                   "requester": {"name": "A"}}), 400, "invalid_input"),
        (_post(operator, TICKETS, [1, 2]), 400, "invalid_input"),
        (_post(operator, f"{url}actions/close/", {}), 409, "invalid_transition"),
        (_post(operator, f"{url}actions/fly/", {}), 400, "unknown_action"),
        (_post(operator, f"{url}actions/resolve/", {}), 400, "required"),
        (_post(operator, f"{url}actions/escalate/", {"reason": "x", "level": 3}), 400,
         "invalid_escalation_level"),
        (_post(operator, f"{url}actions/escalate/", {"reason": "x", "team": 5}), 400,
         "invalid_input"),
        (_post(operator, f"{url}deadline/", {"due_at": "2030-01-01T10:00", "reason": "x"}),
         403, "deadline_edit_denied"),
        (_post(operator, f"{url}assign/", {"assignee": 987654321}), 400, "unknown_assignee"),
        (_post(operator, f"{url}replies/", {"body": "", "public": True}), 400, "required"),
        (_patch(operator, url, {"status": "closed"}), 400, "unknown_fields"),
        (_patch(operator, url, {"service_id": "abc"}), 400, "unknown_fields"),
        (_patch(operator, url, {"service": "abc"}), 400, "invalid_input"),
        (_patch(operator, url, {"impact": 7}), 400, "invalid_priority_input"),
        (_post(operator, f"{url}journal/1/correct/",
               {"changes": {"status": "closed"}, "reason": "x"}), 400, "unknown_fields"),
        (_post(operator, f"{url}journal/1/correct/",
               {"changes": {"queue": 1}, "reason": "x"}), 400, "field_not_correctable"),
        (_post(operator, f"{url}journal/99/correct/",
               {"changes": {"title": "y"}, "reason": "x"}), 400, "entry_not_found"),
        (operator.get(f"{url}as-of/", {"at": "ieri"}), 400, "invalid_moment"),
        (operator.get(f"{url}as-of/"), 400, "invalid_moment"),
        (operator.get(f"{url}as-of/", {"at": "2026-02-30T10:00"}), 400, "invalid_moment"),
        (operator.get(TICKETS, {"cursor": "garbage"}), 400, "invalid_cursor"),
        (operator.get(TICKETS, {"queue": "everything"}), 400, "unknown_queue"),
        (operator.get(TICKETS, {"service_id": "x"}), 400, "invalid_id"),
        (operator.get(TICKETS, {"service_id": "x", "status": "y"}), 400, "invalid_filter"),
        (operator.get(TICKETS, {"page_size": "0"}), 400, "invalid_page_size"),
        (operator.get(TICKETS, {"q": "&|!():*"}), 400, "invalid_search"),
        (operator.get(TICKETS, {"q": "a" * 201}), 400, "search_too_long"),
        (operator.get(f"{TICKETS}987654321/"), 404, "ticket_not_found"),
        (operator.get(f"{TICKETS}{10**30}/"), 404, "ticket_not_found"),
        (operator.get(f"{TICKETS}by-number/NU-2026-1/"), 404, "ticket_not_found"),
    ]
    for response, status, code in cases:
        assert (response.status_code, _code(response)) == (status, code), response.content
    assert AuditEvent.objects.filter(action="ticket.create", outcome="failure",
                                     details__code="unknown_service").count() == 2
    assert AuditEvent.objects.filter(action="ticket.update", outcome="failure",
                                     details__code="unknown_fields").count() == 2
    with schema_context(tenants.prov_a.schema_name):  # nothing was written by the refusals
        assert Ticket.objects.count() == 1
        assert Ticket.objects.get().journal_length == 1


@pytest.mark.parametrize("text", ["'; DROP TABLE tickets_ticket; --", "a & b | !c:*", "x\\'y",
                                  "(certificat)", "-- x", "ş'ţ"])
def test_search_with_operators_never_fails(signed_in, tenants, text) -> None:  # type: ignore[no-untyped-def]
    operator, _user = signed_in(TenantRole.L1_OPERATOR, tenants.prov_a)
    _new(operator)
    assert operator.get(TICKETS, {"q": text}).status_code == 200


def test_pages_follow_next_links_with_constant_queries(  # type: ignore[no-untyped-def]
        signed_in, tenants, assert_max_queries) -> None:
    operator, _user = signed_in(TenantRole.L1_OPERATOR, tenants.prov_a)

    def walk(**params: Any) -> tuple[list[int], list[int]]:
        ids: list[int] = []
        counts: list[int] = []
        response = operator.get(TICKETS, {"page_size": 2, **params})
        while True:
            body = response.json()
            ids += [row["id"] for row in body["results"]]
            if body["next"] is None:
                return ids, counts
            with assert_max_queries(30) as captured:
                response = operator.get(body["next"])
            counts.append(len(captured.captured_queries))

    for _ in range(3):
        _new(operator)
    _few, few_counts = walk()
    for _ in range(4):
        _new(operator)
    ids, counts = walk()
    assert len(ids) == len(set(ids)) == 7 and ids == sorted(ids, reverse=True)
    assert len(set(counts)) == 1 and set(counts) == set(few_counts)  # on every page
    searched, _counts = walk(q="certificat", queue="unassigned")
    assert sorted(searched) == sorted(ids)
    last = operator.get(TICKETS, {"page_size": 5}).json()
    back = operator.get(operator.get(last["next"]).json()["previous"]).json()
    assert [row["id"] for row in back["results"]] == ids[:5]
    counts_body = operator.get("/api/v1/queues/").json()
    assert {row["queue"]: row["count"] for row in counts_body}["unassigned"] == 7
    assert counts_body[0]["label"] == "Ale mele" and counts_body[0]["display"] == "0"


def test_work_is_needed(signed_in, client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    auditor, _user = signed_in(TenantRole.AUDITOR, tenants.prov_a)
    response = auditor.get(TICKETS)
    assert response.status_code == 403 and _code(response) == "permission_denied"
    assert client_for(tenants.prov_a).get("/api/v1/queues/").status_code in (401, 403)


def test_a_limited_hub_operator_reaches_no_other_institution_anywhere(  # type: ignore[no-untyped-def]
        client_for, tenants, user_with_role) -> None:
    hub = hub_with_two_institutions(tenants.hub, user_with_role)
    limited = client_for(tenants.hub)
    limited.force_login(hub.limited.user)
    y_url = f"{TICKETS}{hub.ticket_y.pk}/"
    refusals = [
        limited.get(y_url), limited.get(f"{TICKETS}by-number/{hub.ticket_y.number}/"),
        limited.get(f"{y_url}journal/"),
        limited.get(f"{y_url}as-of/", {"at": timezone.now().isoformat()}),
        _patch(limited, y_url, {"title": "Altceva"}),
        _post(limited, f"{y_url}actions/take/", {}),
        _post(limited, f"{y_url}replies/", {"body": "Bună ziua", "public": True}),
        _post(limited, f"{y_url}assign/", {"assignee": hub.limited.user.pk}),
        _post(limited, f"{y_url}journal/1/correct/", {"changes": {"title": "x"}, "reason": "x"}),
    ]
    for response in refusals:
        assert (response.status_code, _code(response)) == (404, "ticket_not_found")
    assert limited.get(f"{TICKETS}{hub.ticket_x.pk}/").status_code == 200
    for queue in ("mine", "team", "unassigned", "due_soon", "breached", "waiting", "active",
                  "all"):
        for q in ("", "zebra", "069123456", hub.ticket_y.number):
            rows = limited.get(TICKETS, {"queue": queue, "q": q}).json()["results"]
            assert hub.ticket_y.pk not in [row["id"] for row in rows]
    registered = _post(limited, TICKETS, {"channel": "phone", "title": "x",
                                          "institution": hub.y.pk, "requester": {"name": "A"}})
    assert (registered.status_code, _code(registered)) == (403, "institution_not_served")
    counts = {row["queue"]: row["count"] for row in limited.get("/api/v1/queues/").json()}
    assert counts["all"] == 1
