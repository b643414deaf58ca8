"""The configuration API: reads for operators, writes for those who configure, stable codes."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.institutions.models import HubMembership
from sgsc.tenant_apps.catalog.models import Priority, Service
from tests.factories import InstitutionFactory
from tests.tenant_apps.catalog.conftest import last_event

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_operators_read_the_catalogue_but_change_nothing(admin, operator) -> None:  # type: ignore[no-untyped-def]
    client, _ = admin
    created = client.post("/api/v1/config/services/", {"code": "CERT-01", "name": "Cazier"},
                          content_type=JSON)
    assert created.status_code == 201, created.content
    reader, _ = operator
    listed = reader.get("/api/v1/config/services/?q=cazier")
    assert listed.status_code == 200
    assert [row["code"] for row in listed.json()["results"]] == ["CERT-01"]
    for method, url, body in (
            ("post", "/api/v1/config/services/", {"code": "X", "name": "X"}),
            ("patch", f"/api/v1/config/services/{created.json()['id']}/", {"name": "Y"}),
            ("delete", f"/api/v1/config/services/{created.json()['id']}/", None),
            ("put", "/api/v1/config/priority-matrix/", {"cells": []}),
            ("put", "/api/v1/config/business-hours/", {}),
            ("patch", "/api/v1/config/ticket-settings/", {"number_prefix": "XX"}),
            ("post", "/api/v1/config/teams/1/members/", {"user": 1})):
        response = getattr(reader, method)(url, body, content_type=JSON)
        assert response.status_code == 403, (method, url)
        assert response.json()["error"]["code"] == "permission_denied"
    assert AuditEvent.objects.filter(action="access.denied",
                                     details__method="DELETE").exists()


def test_a_service_is_created_changed_and_deleted(admin, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = admin
    group = client.post("/api/v1/config/service-groups/", {"code": "acte", "name": "Acte"},
                        content_type=JSON).json()
    created = client.post("/api/v1/config/services/", {
        "code": "CERT-01", "name": "Cazier", "name_ru": "Справка", "group": group["id"],
        "resolution_hours": 40}, content_type=JSON).json()
    assert created["group"] == group["id"] and created["is_active"] is True
    url = f"/api/v1/config/services/{created['id']}/"
    changed = client.patch(url, {"is_active": False}, content_type=JSON)
    assert changed.status_code == 200
    body = changed.json()
    assert body["is_active"] is False and body["name_ru"] == "Справка"
    assert body["resolution_hours"] == 40
    assert last_event("config.service.update").details == {"changes": {"is_active": [True,
                                                                                     False]}}
    duplicate = client.post("/api/v1/config/services/", {"code": "cert-01", "name": "Alt"},
                            content_type=JSON)
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "duplicate_code"
    in_use = client.delete(f"/api/v1/config/service-groups/{group['id']}/")
    assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "in_use"
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    with schema_context(tenants.prov_a.schema_name):
        assert not Service.objects.exists()


def test_another_tenants_rows_are_out_of_reach(admin, signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = admin
    created = client.post("/api/v1/config/services/", {"code": "A", "name": "A"},
                          content_type=JSON).json()
    other, _ = signed_in("tenant_admin", tenants.prov_b)
    assert other.patch(f"/api/v1/config/services/{created['id']}/", {"name": "B"},
                       content_type=JSON).status_code == 404
    assert other.get("/api/v1/config/services/").json()["results"] == []


def test_bad_input_gets_stable_codes(admin) -> None:  # type: ignore[no-untyped-def]
    client, _ = admin
    root = client.post("/api/v1/config/categories/", {"name": "Acte"}, content_type=JSON).json()
    child = client.post("/api/v1/config/categories/", {"name": "Cazier", "parent": root["id"]},
                        content_type=JSON).json()
    cycle = client.patch(f"/api/v1/config/categories/{root['id']}/", {"parent": child["id"]},
                         content_type=JSON)
    assert cycle.status_code == 400 and cycle.json()["error"]["code"] == "category_cycle"
    assert cycle.json()["error"]["fields"] == {"parent": ["Ar forma un ciclu."]}
    typed = client.post("/api/v1/config/services/", {"code": "X", "name": "X",
                                                     "resolution_hours": "multe"},
                        content_type=JSON)
    assert typed.status_code == 400 and typed.json()["error"]["code"] == "invalid_input"
    unknown = client.post("/api/v1/config/queues/", {"name": "Q", "team": 999_999},
                          content_type=JSON)
    assert unknown.json()["error"]["code"] == "unknown_team"


def test_the_matrix_over_the_api(admin, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = admin
    cells = client.get("/api/v1/config/priority-matrix/").json()["cells"]
    assert len(cells) == 9
    with schema_context(tenants.prov_a.schema_name):
        p1 = Priority.objects.get(code="p1").pk
    cells[-1]["priority"] = p1  # 3x3
    saved = client.put("/api/v1/config/priority-matrix/", {"cells": cells}, content_type=JSON)
    assert saved.status_code == 200 and saved.json()["cells"][-1]["priority"] == p1
    incomplete = client.put("/api/v1/config/priority-matrix/", {"cells": cells[:8]},
                            content_type=JSON)
    assert incomplete.status_code == 400
    assert incomplete.json()["error"]["code"] == "matrix_incomplete"
    assert set(incomplete.json()["error"]["fields"]) == {"cell_3_3"}
    rank = client.post("/api/v1/config/priorities/", {"code": "p5", "name": "Minoră",
                                                      "rank": 1}, content_type=JSON)
    assert rank.status_code == 409 and rank.json()["error"]["code"] == "duplicate_rank"


def test_teams_members_queues_and_routing(admin, signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = admin
    _, operator = signed_in("l1_operator", tenants.prov_a)
    _, auditor = signed_in("auditor", tenants.prov_a)
    team = client.post("/api/v1/config/teams/", {"name": "Linia 1"}, content_type=JSON).json()
    assert team["level"] == 1
    members = f"/api/v1/config/teams/{team['id']}/members/"
    added = client.post(members, {"user": operator.pk, "on_shift": True}, content_type=JSON)
    assert added.status_code == 201 and added.json()["email"] == operator.email
    refused = client.post(members, {"user": auditor.pk}, content_type=JSON)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "member_not_eligible"
    member = f"{members}{added.json()['id']}/"
    assert client.patch(member, {"on_shift": False}, content_type=JSON).json()["on_shift"] is False
    assert client.get(members).json()[0]["on_shift"] is False
    queue = client.post("/api/v1/config/queues/", {"name": "Generală", "team": team["id"]},
                        content_type=JSON).json()
    first = client.post("/api/v1/config/routing-rules/", {"name": "Restul", "queue": queue["id"]},
                        content_type=JSON).json()
    second = client.post("/api/v1/config/routing-rules/", {
        "name": "Telefon", "channel": "phone", "keywords": ["cazier"], "queue": queue["id"]},
        content_type=JSON).json()
    assert (first["position"], second["position"]) == (1, 2)
    moved = client.post(f"/api/v1/config/routing-rules/{second['id']}/move/",
                        {"direction": "up"}, content_type=JSON)
    assert [rule["id"] for rule in moved.json()] == [second["id"], first["id"]]
    channel = client.post("/api/v1/config/routing-rules/", {
        "name": "Fax", "channel": "fax", "queue": queue["id"]}, content_type=JSON)
    assert channel.json()["error"]["code"] == "unknown_channel"
    assert client.delete(member).status_code == 204
    assert client.get(members).json() == []


def test_replies_articles_and_ticket_settings(admin, operator) -> None:  # type: ignore[no-untyped-def]
    client, _ = admin
    service = client.post("/api/v1/config/services/", {"code": "S1", "name": "S1"},
                          content_type=JSON).json()
    reply = client.post("/api/v1/config/canned-replies/", {
        "title": "Salut", "body": "Bună ziua,", "service": service["id"]}, content_type=JSON)
    assert reply.status_code == 201
    article = client.post("/api/v1/config/articles/", {
        "title": "Cazierul", "body": "Pașii", "services": [service["id"]]}, content_type=JSON)
    assert article.status_code == 201 and article.json()["services"] == [service["id"]]
    reader, _ = operator
    assert reader.get("/api/v1/config/articles/").json()["results"][0]["title"] == "Cazierul"
    settings = reader.get("/api/v1/config/ticket-settings/").json()
    assert settings["number_prefix"] == "PROVA"
    changed = client.patch("/api/v1/config/ticket-settings/", {"number_prefix": "cnas"},
                           content_type=JSON)
    assert changed.json()["number_prefix"] == "CNAS"
    assert changed.json()["archive_after_days"] == settings["archive_after_days"]
    bad = client.patch("/api/v1/config/ticket-settings/", {"number_prefix": "C-1"},
                       content_type=JSON)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_prefix"


def test_a_hub_names_only_its_member_institutions(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    member, outsider = InstitutionFactory(), InstitutionFactory()
    HubMembership.objects.create(hub=tenants.hub, institution=member)
    client, _ = signed_in("coordinator", tenants.hub)
    ok = client.post("/api/v1/config/services/", {"code": "S1", "name": "S",
                                                  "institution": member.pk}, content_type=JSON)
    assert ok.status_code == 201
    refused = client.post("/api/v1/config/routing-rules/", {
        "name": "R", "institution": outsider.pk, "queue": 1}, content_type=JSON)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "institution_not_allowed"


def test_the_list_costs_the_same_whatever_its_length(admin, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    client, _ = admin
    for number in range(3):
        client.post("/api/v1/config/articles/", {"title": f"A{number}", "body": "x"},
                    content_type=JSON)
    client.get("/api/v1/config/articles/")  # session and capabilities warmed the same way
    with assert_max_queries(12) as few:
        client.get("/api/v1/config/articles/")
    counted = len(few.captured_queries)
    for number in range(3, 12):
        client.post("/api/v1/config/articles/", {"title": f"A{number}", "body": "x"},
                    content_type=JSON)
    with assert_max_queries(counted):
        response = client.get("/api/v1/config/articles/")
    assert len(response.json()["results"]) == 12
