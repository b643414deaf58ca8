from __future__ import annotations

from django.test import Client

from sgsc.platform.demo import HUB_SLUG, PROVIDER_SLUG, demo_is_needed, demo_load, demo_logins
from sgsc.shared_apps.identity.models import Membership
from sgsc.shared_apps.institutions.models import HubMembership
from sgsc.tenants.models import Tenant


def test_demo_data_builds_the_promised_platform(db: None) -> None:
    assert demo_logins() == []
    demo_load(password="Parola-demo-2026")
    provider = Tenant.objects.get(slug=PROVIDER_SLUG)
    hub = Tenant.objects.get(slug=HUB_SLUG)
    assert (provider.kind, provider.status) == (Tenant.Kind.PROVIDER, Tenant.Status.ACTIVE)
    assert (hub.kind, hub.status) == (Tenant.Kind.HUB, Tenant.Status.ACTIVE)
    assert HubMembership.objects.filter(hub=hub).count() == 2
    assert Membership.objects.filter(tenant=provider).count() >= 3
    assert not demo_is_needed()
    logins = demo_logins()
    roles = {role for login in logins for role in login.roles}
    assert {"age_admin", "chancellery_reviewer", "tenant_admin", "coordinator",
            "l1_operator"} <= roles

    coordinator = next(login for login in logins if "coordinator" in login.roles)
    client = Client(HTTP_HOST=coordinator.host)
    response = client.post("/autentificare/", {"username": coordinator.email,
                                                "password": "Parola-demo-2026"})
    assert response.status_code == 302
    assert "Coordonator de hub" in client.get("/").content.decode()
