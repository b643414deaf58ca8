"""Suspend (reason and legal basis), reactivate, terminate (access revoked, sessions ended,
data kept and exportable); periodic tasks reach only active tenants."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from sgsc.platform.errors import Conflict, InvalidInput
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import Membership
from sgsc.tenant_apps.workspace.services import workspace_profile_update
from sgsc.tenants.models import Tenant
from sgsc.tenants.services import tenant_export, tenant_set_status
from sgsc.tenants.tasks import fan_out_to_tenants

BASIS = "Anexa nr. 2, pct. 37"


def _fan_out_schemas(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    sent: list[str] = []
    monkeypatch.setattr("sgsc.tenants.tasks.app.send_task",
                        lambda name, **kwargs: sent.append(connection.schema_name))
    fan_out_to_tenants(task_name="audit.verify_current_chain")
    return sent


def test_suspension_needs_reason_and_legal_basis(tenants) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as error:
        tenant_set_status(tenant=tenants.prov_a, status="suspended", reason="Neplată")
    assert error.value.code == "legal_basis_required"
    with pytest.raises(InvalidInput) as error:
        tenant_set_status(tenant=tenants.prov_a, status="terminated", reason=" ",
                          legal_basis=BASIS)
    assert error.value.code == "reason_required"
    assert Tenant.objects.get(pk=tenants.prov_a.pk).status == "active"
    refusals = AuditEvent.objects.filter(action="tenant.status.change", outcome="failure")
    assert {e.details["code"] for e in refusals} >= {"legal_basis_required", "reason_required"}


def test_suspended_tenant_is_refused_and_its_periodic_tasks_stop(  # type: ignore[no-untyped-def]
        tenants, client_for, monkeypatch) -> None:
    assert tenants.prov_b.schema_name in _fan_out_schemas(monkeypatch)
    tenant_set_status(tenant=tenants.prov_b, status="suspended", reason="Neplată",
                      legal_basis=BASIS)
    response = client_for(tenants.prov_b).get("/api/v1/me/")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "tenant_suspended")
    schemas = _fan_out_schemas(monkeypatch)
    assert tenants.prov_b.schema_name not in schemas
    assert tenants.prov_a.schema_name in schemas
    # Reactivation (no legal basis needed) brings both back.
    tenant_set_status(tenant=tenants.prov_b, status="active", reason="Plata efectuată")
    assert tenants.prov_b.schema_name in _fan_out_schemas(monkeypatch)
    assert client_for(tenants.prov_b).get("/api/v1/me/").status_code == 401


def test_termination_revokes_access_and_ends_sessions_on_that_host(  # type: ignore[no-untyped-def]
        tenants, user_with_role) -> None:
    user = user_with_role("tenant_admin", tenants.prov_b)
    Membership.objects.create(user=user, tenant=tenants.prov_a, roles=["auditor"])
    here, elsewhere = Client(HTTP_HOST="prov-b.sgsc.test"), Client(HTTP_HOST="prov-a.sgsc.test")
    for client in (here, elsewhere):  # signing in records the host in the session
        client.post("/autentificare/", {"username": user.email,
                                        "password": "Parola-de-test-2026"})
        assert client.get("/api/v1/me/").status_code == 200
    colleague = user_with_role("l1_operator", tenants.prov_b)
    sessions_before = Session.objects.count()

    changed = tenant_set_status(tenant=tenants.prov_b, status="terminated",
                                reason="Contract reziliat", legal_basis=BASIS)

    assert changed.status == "terminated"
    assert set(Membership.objects.filter(tenant=tenants.prov_b)
               .values_list("state", flat=True)) == {"revoked"}
    assert Membership.objects.get(user=user, tenant=tenants.prov_a).state == "active"
    assert Session.objects.count() == sessions_before - 1
    assert elsewhere.get("/api/v1/me/").status_code == 200  # the other host's session lives
    event = AuditEvent.objects.filter(action="tenant.status.change").latest("id")
    assert event.details["access"] == {"memberships": 2, "sessions_ended": 1,
                                       "tokens_revoked": 0}
    assert event.details["legal_basis"] == BASIS
    refused = Client(HTTP_HOST="prov-b.sgsc.test").get("/api/v1/me/")
    assert refused.json()["error"]["code"] == "tenant_terminated"
    assert colleague.memberships.get().state == "revoked"
    with pytest.raises(Conflict):  # terminated is final
        tenant_set_status(tenant=tenants.prov_b, status="active", reason="Greșeală")


def test_export_is_a_zip_of_the_tenants_tables(tenants, user_with_role) -> None:  # type: ignore[no-untyped-def]
    with schema_context(tenants.prov_a.schema_name):
        workspace_profile_update(display_name="Profil exportat", support_email="s@a.md")
    user_with_role("supervisor", tenants.prov_a)
    tenant_set_status(tenant=tenants.prov_a, status="terminated", reason="Încetare",
                      legal_basis=BASIS)
    name, content = tenant_export(tenant=Tenant.objects.get(pk=tenants.prov_a.pk))
    assert name.startswith("sgsc-prov-a-") and name.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert {"manifest.json", "memberships.json", "workspace.workspaceprofile.json"} <= set(
        archive.namelist())
    [profile] = json.loads(archive.read("workspace.workspaceprofile.json"))
    assert profile["fields"]["display_name"] == "Profil exportat"
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tenant"]["status"] == "terminated"
    assert manifest["tables"]["workspace.workspaceprofile"] == 1
    [member] = json.loads(archive.read("memberships.json"))
    assert member["roles"] == ["supervisor"] and member["state"] == "revoked"
    assert AuditEvent.objects.filter(action="tenant.export",
                                     object_id=str(tenants.prov_a.pk)).exists()
    # Another tenant's data is not in it.
    with schema_context(tenants.prov_b.schema_name):
        workspace_profile_update(display_name="Profilul lui B")
    _name, again = tenant_export(tenant=tenants.prov_a)
    assert b"Profilul lui B" not in zipfile.ZipFile(io.BytesIO(again)).read(
        "workspace.workspaceprofile.json")


def test_export_page_is_for_age_and_audited(tenants, signed_in) -> None:  # type: ignore[no-untyped-def]
    client, admin = signed_in("age_admin")
    response = client.get("/prestatori/hub-test/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="sgsc-hub-test-' in response["Content-Disposition"]
    assert zipfile.ZipFile(io.BytesIO(response.content)).read("manifest.json")
    event = AuditEvent.objects.filter(action="tenant.export").latest("id")
    assert event.actor == admin
    other, _ = signed_in("chancellery_reviewer")
    assert other.get("/prestatori/hub-test/export/").status_code == 403
