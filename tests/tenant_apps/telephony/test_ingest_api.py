"""The PBX's endpoint over HTTP: ``POST /api/v1/telephony/events/`` on the tenant's host with
``Authorization: Connector <key>``. Stored before the answer, each event once, a bad batch
refused whole with a stable code; a key works only on the host of the tenant that issued it,
and only a connector's key opens it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.shared_apps.identity.services import api_token_issue
from sgsc.tenant_apps.telephony.models import Call, CallEvent, Connector
from sgsc.tenant_apps.telephony.services import connector_issue, connector_revoke
from tests.tenant_apps.telephony.conftest import call_event
from tests.tenant_apps.telephony.openapi_check import conforms, documented, tenant_openapi

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/telephony/events/"


def _send(client: Client, body: Any, *, key: str | None = None, raw: str | None = None,
          authorization: str | None = None) -> Any:
    headers = {}
    if authorization is not None:
        headers["HTTP_AUTHORIZATION"] = authorization
    elif key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Connector {key}"
    return client.post(EVENTS, raw if raw is not None else json.dumps(body),
                       content_type="application/json", **headers)


def _code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def _stored(tenants: Any, tenant: str = "prov_a") -> tuple[int, int]:
    with schema_context(getattr(tenants, tenant).schema_name):
        return Call.objects.count(), CallEvent.objects.count()


@pytest.fixture
def pbx_key(tenants, user_with_role) -> str:  # type: ignore[no-untyped-def]
    """A key issued in prov-a by its admin."""
    admin = user_with_role(TenantRole.TENANT_ADMIN, tenants.prov_a)
    with schema_context(tenants.prov_a.schema_name):
        _connector, key = connector_issue(actor=admin, name="Asterisk principal")
    return key


@pytest.fixture
def prov_a(client_for, tenants) -> Client:  # type: ignore[no-untyped-def]
    return client_for(tenants.prov_a)


def _a_call(call_id: str = "1732612345.1") -> list[dict[str, Any]]:
    start = timezone.now() - timedelta(minutes=5)
    return [call_event("call.ringing", call_id, start),
            call_event("call.answered", call_id, start + timedelta(seconds=12), extension="201"),
            call_event("call.ended", call_id, start + timedelta(seconds=140),
                       disposition="answered", talk_seconds=128)]


def test_a_batch_is_stored_and_answered_with_each_events_result(prov_a, pbx_key,
                                                                 tenants) -> None:  # type: ignore[no-untyped-def]
    events = _a_call()
    response = _send(prov_a, {"events": events}, key=pbx_key)
    assert response.status_code == 202, response.content
    assert response.json() == {"results": [
        {"event_id": event["event_id"], "call_id": "1732612345.1", "status": "accepted"}
        for event in events]}
    with schema_context(tenants.prov_a.schema_name):
        call = Call.objects.get(pbx_call_id="1732612345.1")
        assert (call.state, call.disposition, call.talk_seconds) == ("ended", "answered", 128)
        assert call.events.count() == 3
        connector = Connector.objects.get()
        assert connector.last_used_at is not None
    received = AuditEvent.objects.filter(action="telephony.events.receive",
                                         tenant=tenants.prov_a,
                                         object_id=str(connector.pk)).get()
    assert received.outcome == "success" and received.details["accepted"] == 3


def test_a_resent_batch_is_a_duplicate_and_changes_nothing(prov_a, pbx_key,
                                                           tenants) -> None:  # type: ignore[no-untyped-def]
    events = _a_call()
    assert _send(prov_a, {"events": events}, key=pbx_key).status_code == 202
    with schema_context(tenants.prov_a.schema_name):
        before = Call.objects.values().get()
    again = _send(prov_a, {"events": events}, key=pbx_key)
    assert again.status_code == 202
    assert [row["status"] for row in again.json()["results"]] == ["duplicate"] * 3
    assert _stored(tenants) == (1, 3)
    with schema_context(tenants.prov_a.schema_name):
        assert Call.objects.values().get() == before


def test_a_missing_key_is_refused(prov_a, tenants) -> None:  # type: ignore[no-untyped-def]
    response = _send(prov_a, {"events": _a_call()})
    assert (response.status_code, _code(response)) == (401, "connector_required")
    assert _stored(tenants) == (0, 0)


@pytest.mark.parametrize("authorization", ["Connector not-a-key", "Connector", "Connector a b"])
def test_a_wrong_key_is_refused_and_recorded(prov_a, pbx_key, tenants,  # type: ignore[no-untyped-def]
                                             authorization) -> None:
    refusals = AuditEvent.objects.filter(action="telephony.connector.authenticate",
                                         outcome="failure", tenant=tenants.prov_a,
                                         details__code="connector_invalid")
    before = refusals.count()
    response = _send(prov_a, {"events": _a_call()}, authorization=authorization)
    assert (response.status_code, _code(response)) == (401, "connector_invalid")
    assert _stored(tenants) == (0, 0)
    assert refusals.count() == before + 1


def test_a_revoked_key_is_refused_and_recorded(prov_a, pbx_key, tenants,  # type: ignore[no-untyped-def]
                                               user_with_role) -> None:
    admin = user_with_role(TenantRole.TENANT_ADMIN, tenants.prov_a)
    assert _send(prov_a, {"events": _a_call("c-before")}, key=pbx_key).status_code == 202
    with schema_context(tenants.prov_a.schema_name):
        connector = Connector.objects.get()
        connector_revoke(actor=admin, pk=connector.pk)
    response = _send(prov_a, {"events": _a_call("c-after")}, key=pbx_key)
    assert (response.status_code, _code(response)) == (401, "connector_invalid")
    assert _stored(tenants) == (1, 3)
    assert AuditEvent.objects.filter(action="telephony.connector.authenticate",
                                     outcome="failure", tenant=tenants.prov_a,
                                     object_id=str(connector.pk)).count() == 1


def test_a_body_that_is_not_json_is_refused(prov_a, pbx_key, tenants) -> None:  # type: ignore[no-untyped-def]
    response = _send(prov_a, None, key=pbx_key, raw='{"events": [')
    assert (response.status_code, _code(response)) == (400, "malformed_request")
    assert _stored(tenants) == (0, 0)


def test_a_bad_event_refuses_the_batch_naming_the_event_and_field(  # type: ignore[no-untyped-def]
        prov_a, pbx_key, tenants) -> None:
    events = _a_call()
    events[2] = {**events[2], "at": "ieri la prânz"}
    response = _send(prov_a, {"events": events}, key=pbx_key)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_call_event"
    assert list(error["fields"]) == ["events[2].at"] and error["message"]
    assert _stored(tenants) == (0, 0)
    for body, code in (({"events": []}, "invalid_call_batch"),
                       ([1, 2], "invalid_call_batch"),
                       ({"events": [events[0], events[0]]}, "duplicate_event_in_batch"),
                       ({"events": events * 34}, "call_batch_too_large")):
        refused = _send(prov_a, body, key=pbx_key)
        assert (refused.status_code, _code(refused)) == (400, code)
    assert _stored(tenants) == (0, 0)


def test_a_key_works_only_on_its_own_tenants_host(client_for, pbx_key,  # type: ignore[no-untyped-def]
                                                  tenants) -> None:
    for tenant in (tenants.prov_b, tenants.hub):
        refusals = AuditEvent.objects.filter(action="telephony.connector.authenticate",
                                             outcome="failure", tenant=tenant)
        before = refusals.count()
        response = _send(client_for(tenant), {"events": _a_call()}, key=pbx_key)
        assert (response.status_code, _code(response)) == (401, "connector_invalid")
        assert refusals.count() == before + 1
    assert _stored(tenants, "prov_b") == (0, 0) and _stored(tenants, "hub") == (0, 0)
    assert _stored(tenants, "prov_a") == (0, 0)


def test_a_personal_api_token_does_not_open_the_endpoint(prov_a, tenants,  # type: ignore[no-untyped-def]
                                                          user_with_role) -> None:
    admin = user_with_role(TenantRole.TENANT_ADMIN, tenants.prov_a)
    _token, key = api_token_issue(user=admin, tenant=tenants.prov_a, name="integrare")
    assert prov_a.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    response = _send(prov_a, {"events": _a_call()}, authorization=f"Token {key}")
    assert (response.status_code, _code(response)) == (401, "connector_required")
    signed_in = Client(HTTP_HOST=prov_a.defaults["HTTP_HOST"])
    signed_in.force_login(admin)  # nor does a signed-in session
    refused = _send(signed_in, {"events": _a_call()})
    assert (refused.status_code, _code(refused)) == (401, "connector_required")
    assert _stored(tenants) == (0, 0)


# --- the OpenAPI document describes what the endpoint answers ------------------------------


def test_the_answers_match_the_openapi_document(prov_a, pbx_key) -> None:  # type: ignore[no-untyped-def]
    schema = tenant_openapi(prov_a)
    operation = schema["paths"][EVENTS]["post"]
    assert {"connectorAuth": []} in operation["security"]
    assert "connectorAuth" in schema["components"]["securitySchemes"]
    events = _a_call()
    conforms(schema, operation["requestBody"]["content"]["application/json"]["schema"],
             {"events": events})
    accepted = _send(prov_a, {"events": events}, key=pbx_key)
    conforms(schema, documented(schema, EVENTS, "post", 202), accepted.json())
    duplicate = _send(prov_a, {"events": events}, key=pbx_key)
    conforms(schema, documented(schema, EVENTS, "post", 202), duplicate.json())


def test_the_refusals_are_documented_too(prov_a, pbx_key) -> None:  # type: ignore[no-untyped-def]
    schema = tenant_openapi(prov_a)
    for status, response in ((400, _send(prov_a, {"events": []}, key=pbx_key)),
                             (401, _send(prov_a, {"events": _a_call()}))):
        assert response.status_code == status
        conforms(schema, documented(schema, EVENTS, "post", status), response.json())
    documented(schema, EVENTS, "post", 409)


def test_a_busy_pbx_is_not_held_to_the_anonymous_rate_limit(prov_a, pbx_key,
                                                            monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rest_framework.throttling import AnonRateThrottle
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    answers = [_send(prov_a, {"events": _a_call(f"busy.{index}")}, key=pbx_key).status_code
               for index in range(4)]
    assert answers == [202] * 4
    # With the platform's default throttles the same PBX would be turned away.
    from rest_framework.settings import api_settings

    from sgsc.tenant_apps.telephony.ingest_api import CallEventIngestView
    monkeypatch.setattr(CallEventIngestView, "throttle_classes",
                        api_settings.DEFAULT_THROTTLE_CLASSES)
    answers = [_send(prov_a, {"events": _a_call(f"held.{index}")}, key=pbx_key).status_code
               for index in range(4)]
    assert answers[-1] == 429
