from __future__ import annotations

from sgsc.platform.demo import PROVIDER_SLUG, demo_load
from sgsc.provisioning.contracts.models import Contract
from sgsc.tenants.models import Tenant
from sgsc.tenants.services import tenant_set_status


def test_contract_status_follows_the_tenant(db: None) -> None:
    demo_load(password="Parola-demo-2026")  # a tenant onboarded through the real journey
    tenant = Tenant.objects.get(slug=PROVIDER_SLUG)
    contract = Contract.objects.get(tenant=tenant)
    assert contract.status == Contract.Status.ACTIVE

    tenant_set_status(tenant=tenant, status=Tenant.Status.SUSPENDED, reason="Neplată",
                      legal_basis="Contract, pct. 7.2")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SUSPENDED

    tenant_set_status(tenant=tenant, status=Tenant.Status.ACTIVE, reason="Achitat")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE

    tenant_set_status(tenant=tenant, status=Tenant.Status.TERMINATED, reason="Reziliere",
                      legal_basis="Anexa 2, pct. 37")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.TERMINATED
