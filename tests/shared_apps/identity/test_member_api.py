"""The tenant's people over the API: cursor-paginated list with filters, add, read (audited),
change, revoke; bad input is a 400 with a stable code, another tenant's id a 404."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.services import api_token_issue
from tests.factories import UserFactory
from tests.shared_apps.identity.member_helpers import (
    hub_institutions,
    membership_of,
    new_idnp,
    refusal,
    wrong_check_digit,
)


def _member(tenant, roles):  # type: ignore[no-untyped-def]
    user = UserFactory(idnp=new_idnp())
    Membership.objects.create(user=user, tenant=tenant, roles=roles)
    return user


def _post(client, url, data):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(data), content_type="application/json")


def _patch(client, url, data):  # type: ignore[no-untyped-def]
    return client.patch(url, json.dumps(data), content_type="application/json")


def _code(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.json()["error"]["code"])


def test_list_is_paginated_filtered_and_masks_idnp_for_viewers(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    people = [_member(tenants.prov_a, ["l1_operator"]) for _ in range(4)]
    _member(tenants.prov_a, ["supervisor"])
    _member(tenants.prov_b, ["l1_operator"])
    admin, _ = signed_in("tenant_admin", tenants.prov_a)
    first = admin.get("/api/v1/members/?page_size=3&role=l1_operator")
    assert first.status_code == 200
    body = first.json()
    assert len(body["results"]) == 3 and body["next"]
    rest = admin.get(body["next"]).json()
    ids = {r["id"] for r in body["results"]} | {r["id"] for r in rest["results"]}
    assert ids == {membership_of(p, tenants.prov_a).pk for p in people}
    record = body["results"][0]
    assert set(record) >= {"id", "person", "roles", "state", "institutions", "valid_until",
                           "last_sign_in", "end_reason"}
    assert len(record["person"]["idnp"]) == 13 and "•" not in record["person"]["idnp"]

    supervisor, _ = signed_in("supervisor", tenants.prov_a)
    listed = supervisor.get(f"/api/v1/members/?q={people[0].email}").json()["results"]
    assert [r["person"]["email"] for r in listed] == [people[0].email]
    assert listed[0]["person"]["idnp"] == f"{people[0].idnp[:4]}•••••{people[0].idnp[-4:]}"
    assert supervisor.get("/api/v1/members/?state=revoked").json()["results"] == []


@pytest.mark.parametrize(("query", "code"), [("role=root", "unknown_role"),
                                             ("state=deleted", "invalid_state"),
                                             ("cursor=zzz", "not_found")])
def test_bad_list_filters_are_a_400_not_a_500(signed_in, tenants, query, code) -> None:  # type: ignore[no-untyped-def]
    admin, _ = signed_in("tenant_admin", tenants.prov_a)
    response = admin.get(f"/api/v1/members/?{query}")
    assert response.status_code in (400, 404) and _code(response) == code


def test_list_needs_members_view_and_queries_are_bounded(  # type: ignore[no-untyped-def]
        signed_in, tenants, assert_max_queries) -> None:
    operator, _ = signed_in("l1_operator", tenants.prov_a)
    assert operator.get("/api/v1/members/").status_code == 403
    admin, _ = signed_in("tenant_admin", tenants.hub)
    served = hub_institutions(tenants.hub, 2)
    for number in range(12):
        user = _member(tenants.hub, ["l1_operator"])
        if number % 2:
            from sgsc.shared_apps.identity.scoping import membership_scope_write

            membership_scope_write(membership=membership_of(user, tenants.hub),
                                   institution_ids=[served[0].pk])
    with assert_max_queries(14):
        response = admin.get("/api/v1/members/")
    limited = [r for r in response.json()["results"] if r["institutions"] is not None]
    assert len(limited) == 6 and all(r["institutions"] == [served[0].pk] for r in limited)


def test_add_through_the_api(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    admin, admin_user = signed_in("tenant_admin", tenants.hub)
    served = hub_institutions(tenants.hub, 2)
    until = (timezone.now() + timedelta(days=10)).isoformat()
    idnp = new_idnp()
    response = _post(admin, "/api/v1/members/", {
        "idnp": idnp, "first_name": "Lilia", "last_name": "Cazacu",
        "email": "lilia@test.gov.md", "roles": ["l1_operator"],
        "institutions": [served[0].pk], "valid_until": until})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person"]["idnp"] == idnp and body["roles"] == ["l1_operator"]
    assert body["institutions"] == [served[0].pk] and body["state"] == "active"
    membership = Membership.objects.get(pk=body["id"])
    assert membership.granted_by == admin_user and membership.tenant == tenants.hub


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"idnp": "WRONG"}, 400, "invalid_idnp"),
    ({"roles": ["auditor"]}, 400, "role_not_grantable"),
    ({"roles": ["root"]}, 400, "unknown_role"),
    ({"roles": []}, 400, "roles_required"),
    ({"roles": "l1_operator"}, 400, "invalid_input"),
    ({"email": "nu-e-email"}, 400, "invalid_input"),
    ({"institutions": ["x"]}, 400, "invalid_input"),
    ({"institutions": [1]}, 400, "scope_not_hub"),
    ({"valid_until": "2020-01-01T00:00:00Z"}, 400, "invalid_validity"),
    ({"valid_until": "mâine"}, 400, "invalid_input"),
    ({"preferred_language": "fr"}, 400, "invalid_language"),
])
def test_bad_additions_are_refused_with_stable_codes(signed_in, tenants, change, status, code) -> None:  # type: ignore[no-untyped-def]
    admin, _ = signed_in("tenant_admin", tenants.prov_a)
    idnp = new_idnp()
    data = {"idnp": idnp, "first_name": "A", "last_name": "B", "email": "ab@test.gov.md",
            "roles": ["l1_operator"], **change}
    if data["idnp"] == "WRONG":
        data["idnp"] = wrong_check_digit(idnp)
    response = _post(admin, "/api/v1/members/", data)
    assert (response.status_code, _code(response)) == (status, code)
    assert not User.objects.filter(email="ab@test.gov.md").exists()
    if code != "invalid_input":
        assert refusal("membership.grant", code) is not None


def test_malformed_json_and_missing_rights(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    admin, _ = signed_in("tenant_admin", tenants.prov_a)
    broken = admin.post("/api/v1/members/", "{roles:", content_type="application/json")
    assert (broken.status_code, _code(broken)) == (400, "malformed_request")
    supervisor, _ = signed_in("supervisor", tenants.prov_a)
    denied = _post(supervisor, "/api/v1/members/", {"idnp": new_idnp()})
    assert (denied.status_code, _code(denied)) == (403, "permission_denied")


def test_reading_one_person_is_audited(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    person = _member(tenants.prov_a, ["l1_operator"])
    membership = membership_of(person, tenants.prov_a)
    supervisor, viewer = signed_in("supervisor", tenants.prov_a)
    response = supervisor.get(f"/api/v1/members/{membership.pk}/")
    assert response.status_code == 200 and response.json()["person"]["email"] == person.email
    event = AuditEvent.objects.filter(action="personal_data.view").latest("id")
    assert (event.object_id, event.actor, event.tenant, event.details["channel"]) == (
        str(person.pk), viewer, tenants.prov_a, "api")


def test_token_holder_reads_and_the_view_names_them(user_with_role, client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    person = _member(tenants.prov_a, ["l1_operator"])
    admin = user_with_role("tenant_admin", tenants.prov_a)
    _token, key = api_token_issue(user=admin, tenant=tenants.prov_a, name="hr")
    membership = membership_of(person, tenants.prov_a)
    response = client_for(tenants.prov_a).get(f"/api/v1/members/{membership.pk}/",
                                              HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="personal_data.view").latest("id")
    assert event.actor == admin


def test_another_tenants_id_is_not_found(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    other = _member(tenants.prov_b, ["l1_operator"])
    pk = membership_of(other, tenants.prov_b).pk
    admin, _ = signed_in("tenant_admin", tenants.prov_a)
    for response in (admin.get(f"/api/v1/members/{pk}/"),
                     _patch(admin, f"/api/v1/members/{pk}/", {"roles": ["supervisor"]}),
                     _post(admin, f"/api/v1/members/{pk}/revoke/",
                           {"reason": "rule_violation"})):
        assert (response.status_code, _code(response)) == (404, "member_not_found")
        assert other.email not in response.content.decode()
    assert membership_of(other, tenants.prov_b).state == Membership.State.ACTIVE
    assert admin.get("/api/v1/members/99999999999999999999/").status_code == 404


def test_change_through_the_api(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    admin, admin_user = signed_in("tenant_admin", tenants.hub)
    served = hub_institutions(tenants.hub, 2)
    person = _member(tenants.hub, ["l1_operator"])
    url = f"/api/v1/members/{membership_of(person, tenants.hub).pk}/"
    limited = _patch(admin, url, {"institutions": [served[1].pk]})
    assert limited.status_code == 200 and limited.json()["institutions"] == [served[1].pk]
    # Fields left out keep their values.
    more = _patch(admin, url, {"roles": ["l1_operator", "l2_specialist"]})
    assert more.json()["institutions"] == [served[1].pk]
    assert more.json()["roles"] == ["l1_operator", "l2_specialist"]
    lifted = _patch(admin, url, {"institutions": None})
    assert lifted.json()["institutions"] is None
    bad = _patch(admin, url, {"valid_until": "2001-01-01T00:00:00Z"})
    assert (bad.status_code, _code(bad)) == (400, "invalid_validity")
    outside = _patch(admin, url, {"institutions": [999999]})
    assert (outside.status_code, _code(outside)) == (400, "institution_not_in_hub")
    own = _patch(admin, f"/api/v1/members/{membership_of(admin_user, tenants.hub).pk}/",
                 {"roles": ["supervisor"]})
    assert (own.status_code, _code(own)) == (409, "last_tenant_admin")
    event = AuditEvent.objects.filter(action="membership.change", outcome="success").latest("id")
    assert event.details["before"]["institutions"] == [served[1].pk]
    assert event.details["after"]["institutions"] is None


def test_revoke_through_the_api(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    admin, _ = signed_in("tenant_admin", tenants.prov_a)
    person = _member(tenants.prov_a, ["l1_operator"])
    url = f"/api/v1/members/{membership_of(person, tenants.prov_a).pk}/revoke/"
    missing = _post(admin, url, {"note": "fără motiv"})
    assert (missing.status_code, _code(missing)) == (400, "reason_required")
    assert refusal("membership.revoke", "reason_required") is not None
    done = _post(admin, url, {"reason": "employment_ended", "note": "demisie"})
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["end_reason"], done.json()["end_note"]) == (
        "revoked", "employment_ended", "demisie")
    twice = _post(admin, url, {"reason": "employment_ended"})
    assert (twice.status_code, _code(twice)) == (409, "membership_not_active")
    supervisor, _ = signed_in("supervisor", tenants.prov_a)
    assert _post(supervisor, url, {"reason": "rule_violation"}).status_code == 403


def test_members_api_is_in_the_tenant_openapi(client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    schema = client_for(tenants.prov_a).get("/api/schema/",
                                            HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"/api/v1/members/", "/api/v1/members/{id}/",
            "/api/v1/members/{id}/revoke/"} <= set(schema["paths"])
    assert "patch" in schema["paths"]["/api/v1/members/{id}/"]
