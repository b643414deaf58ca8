"""Invariant 1: what is created in tenant A is never visible from tenant B's host."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.tenant_apps.workspace.selectors import workspace_profile_get
from sgsc.tenant_apps.workspace.services import workspace_profile_update


def test_object_in_a_is_invisible_from_b(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    with schema_context(tenants.prov_a.schema_name):
        workspace_profile_update(display_name="Profil secret A",
                                 support_email="secret@a.gov.md")
        Group.objects.create(name="echipa-a")

    client_a, _ = signed_in("l1_operator", tenants.prov_a)
    assert client_a.get("/api/v1/workspace/").json()["display_name"] == "Profil secret A"

    client_b, _ = signed_in("l1_operator", tenants.prov_b)
    response_b = client_b.get("/api/v1/workspace/")
    assert response_b.status_code == 404
    assert "Profil secret A" not in response_b.content.decode()
    assert "Profil secret A" not in client_b.get("/profil/").content.decode()

    with schema_context(tenants.prov_b.schema_name):
        assert workspace_profile_get() is None
        assert not Group.objects.filter(name="echipa-a").exists()


def test_member_of_a_cannot_use_b(signed_in, client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    _client_a, user_a = signed_in("tenant_admin", tenants.prov_a)
    # The session cookie belongs to A's host; the same person on B's host has no rights.
    client_b = client_for(tenants.prov_b)
    client_b.force_login(user_a)
    # A session without access on the host is ended at its first request, and audited.
    assert client_b.get("/api/v1/workspace/").status_code == 401
    assert AuditEvent.objects.filter(action="auth.session.no_access", actor=user_a).exists()
    assert client_b.patch("/api/v1/workspace/", {"display_name": "X"},
                          content_type="application/json").status_code == 401
    assert client_b.get("/profil/").status_code == 302


def test_platform_roles_do_not_open_tenant_hosts(signed_in, client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    _, age_admin = signed_in("age_admin")
    client = client_for(tenants.prov_a)
    client.force_login(age_admin)
    # No membership on the tenant: the session is ended at once.
    assert client.get("/api/v1/workspace/").status_code == 401
    assert client.get("/api/v1/me/").status_code == 401
