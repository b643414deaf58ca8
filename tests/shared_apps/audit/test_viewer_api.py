"""The audit API: scoping, filters, cursor pages, errors, roles and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sgsc.shared_apps.audit.models import PLATFORM_CHAIN, AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from tests.factories import UserFactory

LIST = "/api/v1/audit/events/"


def _get(client: Client, url: str, **params: Any) -> dict[str, Any]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content.decode()[:500]
    body: dict[str, Any] = response.json()
    return body


def _actions(client: Client, **params: Any) -> list[str]:
    return [event["action"] for event in _get(client, LIST, **params)["results"]]


def test_tenant_auditor_reads_only_own_chain_whatever_the_query(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    mine = audit_record(action="api.scope.mine", tenant=tenants.prov_a)
    theirs = audit_record(action="api.scope.theirs", tenant=tenants.prov_b)
    platform = audit_record(action="api.scope.platform", tenant=None)
    client, _user = signed_in("auditor", tenants.prov_a)
    for params in ({}, {"tenant": "prov-b"}, {"tenant": PLATFORM_CHAIN},
                   {"action": "api.scope.theirs", "tenant": "prov-b"}):
        body = _get(client, LIST, page_size=200, **params)
        assert {event["tenant"] for event in body["results"]} <= {tenants.prov_a.slug}
    assert _actions(client, action="api.scope", tenant="prov-b") == ["api.scope.mine"]
    detail = _get(client, f"{LIST}{mine.pk}/")
    assert detail["hash"] == mine.hash
    for event in (theirs, platform):
        response = client.get(f"{LIST}{event.pk}/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "audit_event_not_found"
        assert event.hash not in response.content.decode()


def test_public_host_reads_every_chain_and_filters_by_tenant(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    audit_record(action="api.pub.a", tenant=tenants.prov_a)
    audit_record(action="api.pub.b", tenant=tenants.prov_b)
    audit_record(action="api.pub.platform", tenant=None)
    client, _user = signed_in("age_admin")
    assert sorted(_actions(client, action="api.pub.")) == ["api.pub.a", "api.pub.b",
                                                           "api.pub.platform"]
    assert _actions(client, action="api.pub.", tenant="prov-b") == ["api.pub.b"]
    assert _actions(client, action="api.pub.", tenant=PLATFORM_CHAIN) == ["api.pub.platform"]


def test_filters_match_the_viewers(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    ana = UserFactory(first_name="Ana", last_name="Țurcanu")
    audit_record(action="contract.api_sign", actor=ana, object_type="contract",
                 object_id="C-1", tenant=tenants.prov_a)
    audit_record(action="auth.api_login", outcome=AuditEvent.Outcome.FAILURE,
                 tenant=tenants.prov_a)
    client, _user = signed_in("auditor", tenants.prov_a)
    assert _actions(client, actor="țurcanu") == ["contract.api_sign"]
    assert _actions(client, actor_id=ana.pk) == ["contract.api_sign"]
    assert "contract.api_sign" in _actions(client, family="contract")
    assert "auth.api_login" not in _actions(client, family="contract")
    assert _actions(client, action="auth.api", outcome="failure") == ["auth.api_login"]
    assert _actions(client, object_type="contract", object_id="C-1") == ["contract.api_sign"]
    assert _actions(client, action="contract.api", since="2999-01-01") == []


def test_detail_has_every_field_and_the_chain_position(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    first = audit_record(action="api.detail.one", tenant=tenants.prov_a)
    second = audit_record(action="api.detail.two", tenant=tenants.prov_a, details={"k": "ș"},
                          object_type="user", object_id="5")
    client, _user = signed_in("auditor", tenants.prov_a)
    body = _get(client, f"{LIST}{second.pk}/")
    assert body["previous_hash"] == first.hash and body["hash"] == second.hash
    assert body["chain"] == tenants.prov_a.schema_name and body["sequence"] == second.sequence
    assert body["tenant"] == tenants.prov_a.slug and body["tenant_name"] == tenants.prov_a.name
    assert body["details"] == {"k": "ș"} and body["object_id"] == "5"
    assert body["position"]["previous_id"] == first.pk and body["position"]["linked"] is True
    assert body["position"]["length"] >= second.sequence


def test_cursor_pages_are_newest_first_without_gaps(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    created = [audit_record(action=f"api.page.{index}", tenant=tenants.prov_a).pk
               for index in range(5)]
    client, _user = signed_in("auditor", tenants.prov_a)
    body = _get(client, LIST, action="api.page.", page_size=2)
    seen = [event["id"] for event in body["results"]]
    while body["next"]:
        assert "action=api.page." in body["next"]
        body = client.get(body["next"]).json()
        seen += [event["id"] for event in body["results"]]
    assert seen == sorted(created, reverse=True)


@pytest.mark.parametrize(("params", "field"), [
    ({"since": "ieri"}, "since"),
    ({"actor_id": "x"}, "actor_id"),
    ({"outcome": "maybe"}, "outcome"),
    ({"family": "nope"}, "family"),
    ({"action": "a" * 101}, "action"),
    ({"since": "2026-05-06", "until": "2026-05-05"}, "__all__"),
])
def test_invalid_filter_is_a_400_with_a_stable_code(signed_in, tenants, params: dict[str, str],  # type: ignore[no-untyped-def]
                                                    field: str) -> None:
    client, _user = signed_in("auditor", tenants.prov_a)
    response = client.get(LIST, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_filter"
    assert error["message"] == "Filtrele nu sunt valide."
    assert field in error["fields"]


def test_a_tenant_filter_on_a_tenant_host_is_ignored_not_an_error(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _user = signed_in("auditor", tenants.prov_a)
    assert client.get(LIST, {"tenant": "nu-exista"}).status_code == 200
    admin, _admin = signed_in("age_admin")
    response = admin.get(LIST, {"tenant": "nu-exista"})
    assert response.status_code == 400 and "tenant" in response.json()["error"]["fields"]


def test_huge_ids_are_not_found_not_a_crash(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _user = signed_in("auditor", tenants.prov_a)
    assert client.get(f"{LIST}99999999999999999999999/").status_code == 404
    assert client.get(LIST, {"actor_id": "99999999999999999999999"}).json()["results"] == []


@pytest.mark.parametrize("url", [LIST, f"{LIST}1/"])
def test_operator_is_refused_and_the_refusal_audited(signed_in, tenants, url: str) -> None:  # type: ignore[no-untyped-def]
    client, user = signed_in("l1_operator", tenants.prov_a)
    response = client.get(url)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    denial = AuditEvent.objects.filter(action="access.denied", actor=user).latest("id")
    assert denial.object_id == url and denial.outcome == AuditEvent.Outcome.FAILURE


def test_list_query_count_does_not_grow_with_rows(signed_in, tenants, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    client, _user = signed_in("auditor", tenants.prov_a)
    actors = UserFactory.create_batch(3)
    client.get(LIST)
    for count in (2, 40):
        for index in range(count):
            audit_record(action=f"api.bulk.{index}", actor=actors[index % 3],
                         tenant=tenants.prov_a)
        with assert_max_queries(8):
            body = _get(client, LIST, action="api.bulk", actor="persoana", page_size=100)
        assert len(body["results"]) == (2 if count == 2 else 42)


@pytest.mark.parametrize("host", ["public", "tenant"])
def test_openapi_documents_the_audit_endpoints(db: None, client_for, tenants, host: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(tenants.prov_a if host == "tenant" else None)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    listing = schema["paths"][LIST]["get"]
    names = {parameter["name"] for parameter in listing["parameters"]}
    assert {"actor", "actor_id", "tenant", "family", "action", "outcome", "since", "until",
            "object_type", "object_id", "cursor", "page_size"} <= names
    assert "/api/v1/audit/events/{id}/" in schema["paths"]
