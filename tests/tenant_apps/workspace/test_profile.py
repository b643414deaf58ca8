from __future__ import annotations

from sgsc.shared_apps.audit.models import AuditEvent


def test_admin_edits_profile_through_api_and_it_is_audited(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, user = signed_in("tenant_admin", tenants.hub)
    response = client.patch("/api/v1/workspace/", {"display_name": "Hubul Nord",
                                                   "support_phone": "+37322000000"},
                            content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["display_name"] == "Hubul Nord"
    event = AuditEvent.objects.filter(action="workspace.profile.update").latest("id")
    assert event.tenant == tenants.hub
    assert event.actor == user
    assert event.chain == tenants.hub.schema_name
    assert event.details["after"]["display_name"] == "Hubul Nord"


def test_invalid_profile_input_is_400_and_changes_nothing(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("tenant_admin", tenants.prov_a)
    client.patch("/api/v1/workspace/", {"display_name": "Bun"}, content_type="application/json")
    response = client.patch("/api/v1/workspace/", {"support_email": "nu-e-email",
                                                   "default_language": "xx"},
                            content_type="application/json")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid_input"
    assert set(body["fields"]) == {"support_email", "default_language"}
    assert client.get("/api/v1/workspace/").json()["display_name"] == "Bun"


def test_operator_reads_but_cannot_edit(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    admin, _ = signed_in("tenant_admin", tenants.prov_a)
    admin.patch("/api/v1/workspace/", {"display_name": "CNAS"}, content_type="application/json")
    operator, _ = signed_in("l1_operator", tenants.prov_a)
    assert operator.get("/api/v1/workspace/").status_code == 200
    denied = operator.patch("/api/v1/workspace/", {"display_name": "Alt nume"},
                            content_type="application/json")
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "permission_denied"
    page = operator.get("/profil/").content.decode()
    assert "CNAS" in page
    assert "<form method=\"post\" class=\"card\">" not in page


def test_profile_page_form_saves(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("tenant_admin", tenants.prov_b)
    response = client.post("/profil/", {"display_name": "Prestator B", "support_email": "",
                                        "support_phone": "", "default_language": "ro"})
    assert response.status_code == 302
    assert "Prestator B" in client.get("/profil/").content.decode()
    bad = client.post("/profil/", {"display_name": "", "default_language": "ro"})
    assert bad.status_code == 200
    assert "field-error" in bad.content.decode()
