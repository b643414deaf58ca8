from __future__ import annotations

from django.test import Client

from sgsc.tenants.models import Tenant
from sgsc.tenants.services import tenant_set_status


def test_public_host_shows_romanian_login(db: None, public_client: Client) -> None:
    response = public_client.get("/autentificare/")
    assert response.status_code == 200
    assert "Autentificare" in response.content.decode()
    assert 'lang="ro"' in response.content.decode()


def test_tenant_host_routes_to_its_schema(client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    response = client_for(tenants.prov_a).get("/autentificare/")
    assert response.status_code == 200
    assert tenants.prov_a.name in response.content.decode()


def test_unknown_host_gets_romanian_404(db: None) -> None:
    response = Client(HTTP_HOST="nimeni.sgsc.test").get("/")
    assert response.status_code == 404
    assert "Nu există niciun spațiu SGSC" in response.content.decode()


def test_unknown_host_api_gets_json_404(db: None) -> None:
    response = Client(HTTP_HOST="nimeni.sgsc.test").get("/api/v1/me/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_host"


def test_template_schema_is_not_reachable(db: None) -> None:
    template = Tenant.objects.get(is_template=True)
    response = Client(HTTP_HOST=f"{template.slug}.sgsc.test").get("/api/v1/me/")
    assert response.status_code == 404


def test_suspended_tenant_gets_403(client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    tenant_set_status(tenant=tenants.prov_b, status=Tenant.Status.SUSPENDED,
                      reason="Contract suspendat", legal_basis="Anexa 2 pct. 37")
    html = client_for(tenants.prov_b).get("/")
    assert html.status_code == 403
    assert "tenant_suspended" in html.content.decode()
    api = client_for(tenants.prov_b).get("/api/v1/me/")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "tenant_suspended"
