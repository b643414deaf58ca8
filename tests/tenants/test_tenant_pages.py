"""AGE's tenant page and the tenant detail API (status, contract, hand-over, steps)."""

from __future__ import annotations

from typing import Any

from sgsc.provisioning.onboarding import services
from sgsc.provisioning.onboarding.services import provisioning_job_run
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.tenants.models import Tenant
from tests.provisioning.onboarding.helpers import make_signed_contract


def test_list_links_each_tenant_to_its_page(tenants, signed_in) -> None:  # type: ignore[no-untyped-def]
    contract = make_signed_contract(slug="din-lista")
    provisioning_job_run(contract_id=contract.pk)
    client, _ = signed_in("age_admin")
    html = client.get("/prestatori/").content.decode()
    assert 'href="/prestatori/prov-a/"' in html and 'href="/prestatori/din-lista/"' in html
    assert contract.handover_deadline is not None
    assert contract.handover_deadline.astimezone().strftime("%d.%m.%Y") in html


def test_tenant_page_shows_status_contract_steps_and_dialogs(tenants, signed_in) -> None:  # type: ignore[no-untyped-def]
    contract = make_signed_contract(slug="pagina-t")
    provisioning_job_run(contract_id=contract.pk)
    client, _ = signed_in("age_onboarding_officer")
    response = client.get("/prestatori/pagina-t/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="active"' in html
    assert "pagina-t.sgsc.test" in html
    assert f'href="/contracte/{contract.pk}/"' in html and contract.number in html
    assert html.count('data-state="done"') == 5
    assert 'data-dialog="suspended"' in html and 'data-dialog="terminated"' in html
    assert 'data-dialog="active"' not in html  # nothing to reactivate
    assert 'href="/prestatori/pagina-t/export/"' in html
    assert "Membrii hubului" not in html
    assert client.get("/prestatori/nu-exista/").status_code == 404


def test_console_suspend_needs_legal_basis_then_works(tenants, signed_in) -> None:  # type: ignore[no-untyped-def]
    client, admin = signed_in("age_admin")
    refused = client.post("/prestatori/prov-b/stare/", {"status": "suspended",
                                                        "reason": "Neplată"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Temeiul legal este obligatoriu" in html
    assert '<details class="dialog" data-dialog="suspended" open>' in html
    assert Tenant.objects.get(slug="prov-b").status == "active"
    done = client.post("/prestatori/prov-b/stare/", {
        "status": "suspended", "reason": "Neplată", "legal_basis": "Contract, pct. 8.2"})
    assert done.status_code == 302 and done["Location"] == "/prestatori/prov-b/"
    assert Tenant.objects.get(slug="prov-b").status == "suspended"
    event = AuditEvent.objects.filter(action="tenant.status.change").latest("id")
    assert event.actor == admin and event.details["legal_basis"] == "Contract, pct. 8.2"
    page = client.get("/prestatori/prov-b/").content.decode()
    assert 'data-dialog="active"' in page and 'data-dialog="suspended"' not in page
    assert client.post("/prestatori/prov-b/stare/", {
        "status": "active", "reason": "Plată primită"}).status_code == 302
    other, _ = signed_in("chancellery_reviewer")
    assert other.post("/prestatori/prov-b/stare/", {"status": "terminated", "reason": "x",
                                                    "legal_basis": "y"}).status_code == 403


def test_detail_api_has_status_contract_and_steps(  # type: ignore[no-untyped-def]
        tenants, signed_in, monkeypatch) -> None:
    contract = make_signed_contract(slug="api-detaliu")
    real = services.STEP_FUNCTIONS["access"]

    def broken(run: Any) -> dict[str, Any]:
        raise RuntimeError("poșta indisponibilă")

    monkeypatch.setitem(services.STEP_FUNCTIONS, "access", broken)
    provisioning_job_run(contract_id=contract.pk)
    client, _ = signed_in("age_admin")
    body = client.get("/api/v1/tenants/api-detaliu/").json()
    assert body["status"] == "provisioning" and body["kind"] == "provider"
    assert body["host"] == "api-detaliu.sgsc.test"
    assert body["contract_number"] == contract.number
    assert body["handover_deadline"].startswith(contract.handover_deadline.astimezone()
                                                .date().isoformat())
    assert body["provisioning_status"] == "failed"
    assert [s["name"] for s in body["steps"]] == ["schema", "domain", "configuration",
                                                  "invitation", "access"]
    assert [s["state"] for s in body["steps"]] == ["done"] * 4 + ["failed"]
    assert "poșta indisponibilă" in body["steps"][4]["error"]
    assert set(body["steps"][0]) == {"name", "state", "started_at", "finished_at", "error"}

    monkeypatch.setitem(services.STEP_FUNCTIONS, "access", real)
    provisioning_job_run(contract_id=contract.pk)
    done = client.get("/api/v1/tenants/api-detaliu/").json()
    assert done["status"] == "active" and done["provisioning_status"] == "done"

    plain = client.get("/api/v1/tenants/prov-a/").json()
    assert plain["steps"] == [] and plain["contract_number"] is None
    assert client.get("/api/v1/tenants/nimic/").status_code == 404
    other, _ = signed_in("asp_monitor")
    assert other.get("/api/v1/tenants/prov-a/").status_code == 403
