"""The phone channel's staff API: calls listed, read, called back and turned into tickets
through the caller's institution scope; lines, extensions and PBX connectors configured by
``tickets.configure`` only; every refusal with its stable code; answers as the OpenAPI
document describes them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.shared_apps.workdays.selectors import local_zone
from sgsc.tenant_apps.catalog.models import Service
from sgsc.tenant_apps.telephony.models import Call, Connector, Extension, PhoneLine
from sgsc.tenant_apps.telephony.services import (
    PhoneLineInput,
    connector_issue,
    phone_line_save,
)
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenants.models import Tenant
from tests.tenant_apps.telephony.calls import answered_call, missed_call
from tests.tenant_apps.telephony.openapi_check import conforms, documented, tenant_openapi
from tests.tenant_apps.tickets.hub_helpers import hub_with_two_institutions

pytestmark = pytest.mark.django_db

CALLS = "/api/v1/telephony/calls/"
LINES = "/api/v1/config/phone-lines/"
EXTENSIONS = "/api/v1/config/phone-extensions/"
CONNECTORS = "/api/v1/config/pbx-connectors/"
LINE = "022123456"  # stored as 37322123456
TICKET_BODY = {"channel": "phone", "title": "Nu pot descărca certificatul",
               "requester": {"name": "Ion Popescu", "phone": "069123456"}}


def _post(client: Client, url: str, data: Any = None) -> Any:
    return client.post(url, json.dumps(data if data is not None else {}),
                       content_type="application/json")


def _patch(client: Client, url: str, data: Any) -> Any:
    return client.patch(url, json.dumps(data), content_type="application/json")


def _code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def _refused(response: Any, status: int, code: str) -> None:
    assert (response.status_code, _code(response)) == (status, code), response.content


def _ago(**delta: float) -> datetime:
    return timezone.now() - timedelta(**delta)


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


class Calls:
    """Prov-a's line and three calls: answered (oldest), unanswered, abandoned (newest)."""

    def __init__(self, tenant: Tenant, admin: User) -> None:
        with schema_context(tenant.schema_name):
            self.line = phone_line_save(actor=admin, data=PhoneLineInput(
                number=LINE, name="Linia de informare"))
            self.connector, _key = connector_issue(actor=admin, name="Asterisk")
            self.answered = self._pk(answered_call(self.connector, ended=_ago(hours=3),
                                                   seconds=170, line=LINE,
                                                   **{"from": "+37369000111"}))
            self.no_answer = self._pk(missed_call(self.connector, ended=_ago(hours=2),
                                                  line=LINE, **{"from": "+37379222333"}))
            self.abandoned = self._pk(missed_call(self.connector, ended=_ago(hours=1),
                                                  disposition="abandoned", line=LINE,
                                                  **{"from": "+37379444555"}))
        self.schema = tenant.schema_name

    @staticmethod
    def _pk(call_id: str) -> int:
        return int(Call.objects.get(pbx_call_id=call_id).pk)

    def get(self, pk: int) -> Call:
        with schema_context(self.schema):
            return Call.objects.select_related("ticket").get(pk=pk)


@pytest.fixture
def calls(tenants, user_with_role) -> Calls:  # type: ignore[no-untyped-def]
    return Calls(tenants.prov_a, user_with_role(TenantRole.TENANT_ADMIN, tenants.prov_a))


@pytest.fixture
def as_role(signed_in, tenants) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    def make(role: str) -> Client:
        return signed_in(role, tenants.prov_a)[0]

    return make


# --- calls --------------------------------------------------------------------------------


def test_calls_are_listed_newest_first_and_filtered(as_role, calls) -> None:  # type: ignore[no-untyped-def]
    operator = as_role(TenantRole.L1_OPERATOR)
    everything = [calls.abandoned, calls.no_answer, calls.answered]
    assert _ids(operator.get(CALLS)) == everything
    row = operator.get(CALLS).json()["results"][2]
    assert row["line"]["number"] == "37322123456" and row["caller"] == "37369000111"
    assert (row["direction"], row["state"], row["disposition"], row["talk_seconds"],
            row["missed"]) == ("inbound", "ended", "answered", 170, False)
    for number in ("079 222", "+373 79 222", "79222"):
        assert _ids(operator.get(CALLS, {"number": number})) == [calls.no_answer]
    assert _ids(operator.get(CALLS, {"number": "22123456"})) == everything  # the line's
    assert _ids(operator.get(CALLS, {"disposition": "abandoned"})) == [calls.abandoned]
    assert _ids(operator.get(CALLS, {"missed": "1"})) == [calls.abandoned, calls.no_answer]
    assert _ids(operator.get(CALLS, {"missed": "0"})) == everything
    in_chisinau = _ago(minutes=150).astimezone(local_zone()).replace(tzinfo=None)
    assert _ids(operator.get(CALLS, {"from": in_chisinau.isoformat(timespec="seconds")})) == [
        calls.abandoned, calls.no_answer]
    assert _ids(operator.get(CALLS, {"to": _ago(minutes=150).isoformat()})) == [calls.answered]
    assert _post(operator, f"{CALLS}{calls.no_answer}/callback/").status_code == 200
    assert _ids(operator.get(CALLS, {"missed": "1", "called_back": "0"})) == [calls.abandoned]
    assert _ids(operator.get(CALLS, {"missed": "1", "called_back": "1"})) == [calls.no_answer]
    for params in ({"disposition": "hung_up"}, {"from": "ieri"}, {"missed": "poate"},
                   {"from": _ago(hours=1).isoformat(), "to": _ago(hours=2).isoformat()},
                   {"number": "0" * 40}):
        _refused(operator.get(CALLS, params), 400, "invalid_filter")
    _refused(operator.get(CALLS, {"cursor": "garbage"}), 400, "invalid_cursor")


def test_pages_follow_next_links_with_constant_queries(  # type: ignore[no-untyped-def]
        as_role, calls, assert_max_queries) -> None:
    operator = as_role(TenantRole.L1_OPERATOR)
    with schema_context(calls.schema):
        for hours in range(4, 9):
            answered_call(calls.connector, ended=_ago(hours=hours), seconds=60, line=LINE)
    seen: list[int] = []
    counts: list[int] = []
    response = operator.get(CALLS, {"page_size": 2})
    while True:
        body = response.json()
        seen += [row["id"] for row in body["results"]]
        if body["next"] is None:
            break
        with assert_max_queries(20) as captured:
            response = operator.get(body["next"])
        counts.append(len(captured.captured_queries))
    assert len(seen) == len(set(seen)) == 8
    assert seen[:3] == [calls.abandoned, calls.no_answer, calls.answered]
    assert len(set(counts)) == 1  # the same on every page, whatever the rows hold


def test_a_call_is_read_with_its_events(as_role, calls) -> None:  # type: ignore[no-untyped-def]
    operator = as_role(TenantRole.L1_OPERATOR)
    body = operator.get(f"{CALLS}{calls.answered}/").json()
    assert [event["kind"] for event in body["events"]] == [
        "call.ringing", "call.answered", "call.ended"]
    assert body["events"][2]["payload"]["talk_seconds"] == 170
    assert body["ticket"] is None and body["agent"] is None  # extension 201 is nobody's
    _refused(operator.get(f"{CALLS}987654321/"), 404, "call_not_found")


def test_a_missed_call_is_called_back_once(as_role, calls, tenants) -> None:  # type: ignore[no-untyped-def]
    operator = as_role(TenantRole.L1_OPERATOR)
    response = _post(operator, f"{CALLS}{calls.no_answer}/callback/")
    assert response.status_code == 200, response.content
    assert response.json()["called_back_at"] is not None
    person = response.json()["called_back_by"]
    call = calls.get(calls.no_answer)
    assert call.called_back_at is not None and call.called_back_by_id == person["id"]
    _refused(_post(operator, f"{CALLS}{calls.no_answer}/callback/"), 409,
             "already_called_back")
    _refused(_post(operator, f"{CALLS}{calls.answered}/callback/"), 409, "not_missed")
    assert calls.get(calls.answered).called_back_at is None
    assert AuditEvent.objects.filter(action="telephony.call.callback", tenant=tenants.prov_a,
                                     outcome="success",
                                     object_id=str(calls.no_answer)).count() == 1
    assert {(event.object_id, event.details["code"]) for event in AuditEvent.objects.filter(
        action="telephony.call.callback", outcome="failure", tenant=tenants.prov_a,
        object_id__in=[str(calls.no_answer), str(calls.answered)])} == {
        (str(calls.no_answer), "already_called_back"), (str(calls.answered), "not_missed")}


def test_a_ticket_is_registered_from_a_call_once(as_role, calls, tenants) -> None:  # type: ignore[no-untyped-def]
    operator = as_role(TenantRole.L1_OPERATOR)
    with schema_context(calls.schema):
        Service.objects.create(code="CERT-NAST", name="Certificat de naștere")
    url = f"{CALLS}{calls.answered}/ticket/"
    _refused(_post(operator, url, {**TICKET_BODY, "service_code": "NU-E"}), 400,
             "unknown_service")
    _refused(_post(operator, url, {**TICKET_BODY, "service": 1, "service_code": "CERT-NAST"}),
             400, "service_ambiguous")
    _refused(_post(operator, url, {**TICKET_BODY, "requester": {}}), 400, "requester_required")
    _refused(_post(operator, url, {"title": "x"}), 400, "invalid_input")
    with schema_context(calls.schema):
        assert not Ticket.objects.exists()
    response = _post(operator, url, {**TICKET_BODY, "service_code": "CERT-NAST"})
    assert response.status_code == 201, response.content
    call = calls.get(calls.answered)
    assert call.ticket is not None and response.json()["ticket"] == {
        "id": call.ticket.pk, "number": call.ticket.number}
    assert call.ticket.channel == "phone" and call.ticket.service.code == "CERT-NAST"  # type: ignore[union-attr]
    _refused(_post(operator, url, TICKET_BODY), 409, "call_has_ticket")
    with schema_context(calls.schema):
        assert Ticket.objects.count() == 1
    assert AuditEvent.objects.filter(action="telephony.call.ticket", tenant=tenants.prov_a,
                                     outcome="success",
                                     object_id=str(calls.answered)).count() == 1


def test_who_may_do_what(as_role, calls, client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    auditor = as_role(TenantRole.AUDITOR)
    for response in (auditor.get(CALLS), auditor.get(f"{CALLS}{calls.answered}/"),
                     _post(auditor, f"{CALLS}{calls.no_answer}/callback/"),
                     _post(auditor, f"{CALLS}{calls.answered}/ticket/", TICKET_BODY)):
        _refused(response, 403, "permission_denied")
    assert calls.get(calls.no_answer).called_back_at is None
    assert calls.get(calls.answered).ticket_id is None
    operator = as_role(TenantRole.L1_OPERATOR)
    assert operator.get(CALLS).status_code == 200
    # The configuration, reads included (a hub's lines are its institutions'), is the
    # administrators' and coordinators'.
    for response in (operator.get(CONNECTORS), _post(operator, CONNECTORS, {"name": "PBX"}),
                     operator.get(LINES), operator.get(f"{LINES}{calls.line.pk}/"),
                     operator.get(EXTENSIONS),
                     _post(operator, f"{CONNECTORS}{calls.connector.pk}/revoke/"),
                     _post(operator, LINES, {"number": "022999999", "name": "x"}),
                     _patch(operator, f"{LINES}{calls.line.pk}/", {"name": "Alta"}),
                     operator.delete(f"{LINES}{calls.line.pk}/"),
                     _post(operator, EXTENSIONS, {"user": 1, "number": "201"})):
        _refused(response, 403, "permission_denied")
    with schema_context(calls.schema):
        assert Connector.objects.get().revoked_at is None
        assert PhoneLine.objects.get().name == "Linia de informare"
    anonymous = client_for(tenants.prov_a)
    assert anonymous.get(CALLS).status_code == 401
    assert anonymous.get(CONNECTORS).status_code == 401


# --- configuration ------------------------------------------------------------------------


def test_lines_are_configured(as_role, calls, tenants) -> None:  # type: ignore[no-untyped-def]
    admin = as_role(TenantRole.TENANT_ADMIN)
    created = _post(admin, LINES, {"number": "+373 (0)22 999 888", "name": "Linia verde"})
    assert created.status_code == 201, created.content
    line = created.json()
    assert (line["number"], line["is_active"], line["institution"]) == (
        "37322999888", True, None)
    _refused(_post(admin, LINES, {"number": "022 999 888", "name": "Dublură"}), 409,
             "duplicate_number")
    _refused(_post(admin, LINES, {"number": "12", "name": "Scurt"}), 400, "invalid_phone")
    _refused(_post(admin, LINES, {"number": "022999777", "name": " "}), 400, "required")
    _refused(_post(admin, LINES, {"number": "022999777", "name": "x", "service": 987654}),
             400, "unknown_service")
    _refused(_post(admin, LINES, {"number": "022999777", "name": "x" * 256}), 400, "too_long")
    changed = _patch(admin, f"{LINES}{line['id']}/", {"name": "Linia verde gratuită"})
    assert changed.json()["name"] == "Linia verde gratuită"
    assert changed.json()["number"] == "37322999888"  # left out: kept
    _refused(admin.delete(f"{LINES}{calls.line.pk}/"), 409, "in_use")  # it has calls
    assert admin.delete(f"{LINES}{line['id']}/").status_code == 204
    assert [row["number"] for row in admin.get(LINES, {"q": "informare"}).json()["results"]
            ] == ["37322123456"]
    with schema_context(calls.schema):
        assert list(PhoneLine.objects.values_list("number", flat=True)) == ["37322123456"]
    assert AuditEvent.objects.filter(action="config.phoneline.create", outcome="failure",
                                     tenant=tenants.prov_a,
                                     details__code="duplicate_number").exists()


def test_extensions_are_configured(as_role, signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    admin = as_role(TenantRole.TENANT_ADMIN)
    _client, operator = signed_in(TenantRole.L1_OPERATOR, tenants.prov_a)
    _client, auditor = signed_in(TenantRole.AUDITOR, tenants.prov_a)
    created = _post(admin, EXTENSIONS, {"user": operator.pk, "number": "201"})
    assert created.status_code == 201, created.content
    assert created.json()["email"] == operator.email
    _refused(_post(admin, EXTENSIONS, {"user": auditor.pk, "number": "202"}), 400,
             "not_an_operator")
    _refused(_post(admin, EXTENSIONS, {"user": operator.pk, "number": "203"}), 409,
             "duplicate_extension")
    _refused(_post(admin, EXTENSIONS, {"user": operator.pk, "number": "20a"}), 400,
             "invalid_extension")
    url = f"{EXTENSIONS}{created.json()['id']}/"
    assert _patch(admin, url, {"number": "301"}).json()["number"] == "301"
    with schema_context(tenants.prov_a.schema_name):
        assert Extension.objects.get().user_id == operator.pk
    assert admin.delete(url).status_code == 204
    with schema_context(tenants.prov_a.schema_name):
        assert not Extension.objects.exists()


def test_a_connectors_key_is_shown_once_and_revoked(as_role, client_for,  # type: ignore[no-untyped-def]
                                                    tenants) -> None:
    admin = as_role(TenantRole.TENANT_ADMIN)
    _refused(_post(admin, CONNECTORS, {"name": " "}), 400, "required")
    _refused(_post(admin, CONNECTORS, {"name": "x" * 101}), 400, "too_long")
    created = _post(admin, CONNECTORS, {"name": "Asterisk, sediul central"})
    assert created.status_code == 201, created.content
    assert "no-store" in created["Cache-Control"]
    key, connector = created.json()["key"], created.json()
    assert key.startswith(connector["prefix"]) and len(key) >= 40
    listed = admin.get(CONNECTORS).json()["results"]
    assert [row["id"] for row in listed] == [connector["id"]]
    assert "key" not in listed[0] and key not in json.dumps(listed)
    with schema_context(tenants.prov_a.schema_name):
        assert key not in json.dumps(list(Connector.objects.values()), default=str)
    pbx = client_for(tenants.prov_a)
    events = {"events": [{"event_id": "e1", "type": "call.ringing", "call_id": "c1",
                          "at": timezone.now().isoformat(), "direction": "inbound"}]}
    sent = pbx.post("/api/v1/telephony/events/", json.dumps(events),
                    content_type="application/json", HTTP_AUTHORIZATION=f"Connector {key}")
    assert sent.status_code == 202
    revoked = _post(admin, f"{CONNECTORS}{connector['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    _refused(_post(admin, f"{CONNECTORS}{connector['id']}/revoke/"), 409, "already_revoked")
    _refused(_post(admin, f"{CONNECTORS}987654/revoke/"), 404, "not_found")
    events["events"][0]["event_id"] = "e2"
    refused = pbx.post("/api/v1/telephony/events/", json.dumps(events),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Connector {key}")
    assert _code(refused) == "connector_invalid"
    assert AuditEvent.objects.filter(action="config.connector.revoke", tenant=tenants.prov_a,
                                     object_id=str(connector["id"]),
                                     outcome="success").count() == 1


# --- hub scope ----------------------------------------------------------------------------


def test_a_limited_hub_operator_reaches_no_other_institutions_calls(  # type: ignore[no-untyped-def]
        client_for, tenants, user_with_role) -> None:
    hub = hub_with_two_institutions(tenants.hub, user_with_role)
    with schema_context(hub.tenant.schema_name):
        connector, _key = connector_issue(actor=hub.coordinator.user, name="PBX hub")
        for institution, number in ((hub.x, "022100100"), (hub.y, "022200200")):
            phone_line_save(actor=hub.coordinator.user, data=PhoneLineInput(
                number=number, name=institution.name, institution=institution.pk))
        x_call = Calls._pk(answered_call(connector, ended=_ago(hours=2), seconds=90,
                                         line="022100100"))
        y_call = Calls._pk(missed_call(connector, ended=_ago(hours=1), line="022200200"))
        y_answered = Calls._pk(answered_call(connector, ended=_ago(hours=1), seconds=60,
                                             line="022200200"))
    limited = client_for(tenants.hub)
    limited.force_login(hub.limited.user)
    coordinator = client_for(tenants.hub)
    coordinator.force_login(hub.coordinator.user)
    assert set(_ids(coordinator.get(CALLS))) == {x_call, y_call, y_answered}
    for params in ({}, {"missed": "1"}, {"number": "022200200"}, {"disposition": "no_answer"}):
        assert _ids(limited.get(CALLS, params)) in ([x_call], [])
    y_url = f"{CALLS}{y_call}/"
    for response in (limited.get(y_url), _post(limited, f"{y_url}callback/"),
                     _post(limited, f"{CALLS}{y_answered}/ticket/", TICKET_BODY)):
        _refused(response, 404, "call_not_found")
    assert limited.get(f"{CALLS}{x_call}/").status_code == 200
    with schema_context(hub.tenant.schema_name):
        assert Call.objects.get(pk=y_call).called_back_at is None
        assert Call.objects.get(pk=y_answered).ticket_id is None
        assert Ticket.objects.count() == 2  # the helper's two, none from the call
    denied = AuditEvent.objects.filter(action="access.denied", tenant=tenants.hub,
                                       actor=hub.limited.user, object_type="telephony.call")
    assert sorted(denied.values_list("object_id", flat=True)) == sorted(
        [str(y_call), str(y_call), str(y_answered)])


# --- the OpenAPI document ------------------------------------------------------------------


def test_the_answers_match_the_openapi_document(as_role, calls) -> None:  # type: ignore[no-untyped-def]
    admin = as_role(TenantRole.TENANT_ADMIN)
    schema = tenant_openapi(admin)
    one = f"{CALLS}{{call_id}}/"
    answers = [
        (CALLS, "get", admin.get(CALLS)),
        (CALLS, "get", admin.get(CALLS, {"disposition": "x"})),
        (one, "get", admin.get(f"{CALLS}{calls.answered}/")),
        (one, "get", admin.get(f"{CALLS}987654321/")),
        (f"{one}callback/", "post", _post(admin, f"{CALLS}{calls.no_answer}/callback/")),
        (f"{one}callback/", "post", _post(admin, f"{CALLS}{calls.no_answer}/callback/")),
        (f"{one}ticket/", "post", _post(admin, f"{CALLS}{calls.answered}/ticket/",
                                        TICKET_BODY)),
        (f"{one}ticket/", "post", _post(admin, f"{CALLS}{calls.answered}/ticket/",
                                        TICKET_BODY)),
        (LINES, "get", admin.get(LINES)),
        (CONNECTORS, "post", _post(admin, CONNECTORS, {"name": "PBX de rezervă"})),
        (CONNECTORS, "post", _post(admin, CONNECTORS, {"name": ""})),
        (CONNECTORS, "get", admin.get(CONNECTORS)),
        (f"{CONNECTORS}{{id}}/revoke/", "post",
         _post(admin, f"{CONNECTORS}{calls.connector.pk}/revoke/")),
        (f"{CONNECTORS}{{id}}/revoke/", "post",
         _post(admin, f"{CONNECTORS}{calls.connector.pk}/revoke/")),
    ]
    statuses = set()
    for path, method, response in answers:
        statuses.add(response.status_code)
        conforms(schema, documented(schema, path, method, response.status_code),
                 response.json(), f"{method.upper()} {path} {response.status_code}")
    assert statuses == {200, 201, 400, 404, 409}
    assert {"called_back", "missed", "from", "to", "number", "disposition", "cursor"} <= {
        parameter["name"] for parameter in schema["paths"][CALLS]["get"]["parameters"]}
