from __future__ import annotations

from django.test import Client

from sgsc.platform.demo import HUB_SLUG, PROVIDER_SLUG, demo_is_needed, demo_load, demo_logins
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.shared_apps.identity.models import Membership
from sgsc.shared_apps.institutions.models import HubMembership
from sgsc.shared_apps.workdays.selectors import work_calendar, working_days_left
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

    statuses = set(ConnectionRequest.objects.values_list("status", flat=True))
    assert {"approved", "rejected", "needs_info", "under_review", "submitted"} <= statuses
    calendar = work_calendar()
    left = sorted(working_days_left(deadline=r.review_deadline, calendar=calendar)
                  for r in ConnectionRequest.objects.filter(status="under_review"))
    assert left[0] < 0 and 0 <= left[1] <= 2  # one late, one close to its deadline
    assert Contract.objects.filter(status="draft").count() == 1
    assert Contract.objects.get(tenant=provider).handed_over_at is not None
    assert Contract.objects.get(tenant=hub).handed_over_at is None

    coordinator = next(login for login in logins if "coordinator" in login.roles)
    client = Client(HTTP_HOST=coordinator.host)
    response = client.post("/autentificare/", {"username": coordinator.email,
                                                "password": "Parola-demo-2026"})
    assert response.status_code == 302
    assert "Coordonator de hub" in client.get("/").content.decode()
