from __future__ import annotations

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_list_real


def test_age_admin_lists_tenants_without_template(signed_in, tenants, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("age_admin")
    with assert_max_queries(7):  # 2 search_path, session, user, tenants, domains
        response = client.get("/api/v1/tenants/")
    assert response.status_code == 200
    body = response.json()
    slugs = {row["slug"] for row in body["results"]}
    # Exactly the real tenants (others' committed test tenants included), never the template.
    assert slugs == set(tenant_list_real().values_list("slug", flat=True))
    assert {"prov-a", "prov-b", "hub-test"} <= slugs
    assert "template" not in slugs
    assert {row["host"] for row in body["results"]} >= {"prov-a.sgsc.test"}
    assert "next" in body


def test_tenant_list_is_paginated_by_cursor(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("age_admin")
    first = client.get("/api/v1/tenants/?page_size=2").json()
    assert len(first["results"]) == 2
    seen = [r["slug"] for r in first["results"]]
    while first["next"]:
        first = client.get(first["next"]).json()
        assert len(first["results"]) <= 2
        seen += [r["slug"] for r in first["results"]]
    assert len(seen) == len(set(seen)) == tenant_list_real().count()


def test_other_roles_cannot_list_tenants(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("chancellery_reviewer")
    response = client.get("/api/v1/tenants/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_suspend_and_reactivate_with_reason(signed_in, client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    client, admin = signed_in("age_admin")
    response = client.post("/api/v1/tenants/prov-b/status/",
                           {"status": "suspended", "reason": "Contract suspendat",
                            "legal_basis": "Anexa 2 pct. 37"},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert Tenant.objects.get(slug="prov-b").status == "suspended"
    assert client_for(tenants.prov_b).get("/api/v1/me/").status_code == 403
    event = AuditEvent.objects.filter(action="tenant.status.change").latest("id")
    assert event.actor == admin
    assert event.details == {"from": "active", "to": "suspended", "reason": "Contract suspendat",
                             "legal_basis": "Anexa 2 pct. 37",
                             "access": {"memberships": 0, "sessions_ended": 0,
                                        "tokens_revoked": 0}}
    back = client.post("/api/v1/tenants/prov-b/status/",
                       {"status": "active", "reason": "Suspendare ridicată"},
                       content_type="application/json")
    assert back.status_code == 200


def test_bad_status_changes_get_clear_codes(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("age_admin")
    url = "/api/v1/tenants/prov-a/status/"
    no_reason = client.post(url, {"status": "suspended", "reason": "", "legal_basis": "x"},
                            content_type="application/json")
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["error"]["fields"]
    no_basis = client.post(url, {"status": "suspended", "reason": "Neplata"},
                           content_type="application/json")
    assert no_basis.status_code == 400
    assert no_basis.json()["error"]["code"] == "legal_basis_required"
    assert "legal_basis" in no_basis.json()["error"]["fields"]
    wrong = client.post(url, {"status": "provisioning", "reason": "x"},
                        content_type="application/json")
    assert wrong.status_code == 409
    assert wrong.json()["error"]["code"] == "invalid_transition"
    missing = client.post("/api/v1/tenants/nu-exista/status/", {"status": "active", "reason": "x"},
                          content_type="application/json")
    assert missing.status_code == 404
    template = client.post("/api/v1/tenants/template/status/", {"status": "active", "reason": "x"},
                           content_type="application/json")
    assert template.status_code == 404
    assert Tenant.objects.get(slug="prov-a").status == "active"


def test_console_tenant_list_searches(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("age_admin")
    page = client.get("/prestatori/?q=Hubul").content.decode()
    assert "Hubul de test" in page and "Prestatorul A" not in page
    empty = client.get("/prestatori/?q=zzzz").content.decode()
    assert "Niciun prestator nu corespunde" in empty
