"""The live provisioning panel (htmx polling) and the "Reia" button."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.test import override_settings

from sgsc.provisioning.onboarding import services
from sgsc.provisioning.onboarding.models import ProvisioningJob
from sgsc.provisioning.onboarding.services import provisioning_job_ensure, provisioning_job_run
from sgsc.shared_apps.audit.models import AuditEvent


def _fail_domain(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(run: Any) -> dict[str, Any]:
        raise RuntimeError("DNS indisponibil")

    monkeypatch.setitem(services.STEP_FUNCTIONS, "domain", broken)


def test_panel_polls_while_the_job_runs(signed_contract, tenants, signed_in) -> None:  # type: ignore[no-untyped-def]
    contract = signed_contract(slug="panou-viu")
    provisioning_job_ensure(contract=contract)
    client, _ = signed_in("age_onboarding_officer")
    response = client.get(f"/provizionare/{contract.pk}/pasi/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'hx-get="/provizionare/{contract.pk}/pasi/"' in html
    assert 'hx-trigger="every 2s"' in html
    for label in ("Schema spațiului", "Adresa (domeniul)", "Configurarea implicită",
                  "Invitația administratorului", "Pachetul de acces"):
        assert label in html
    assert "<html" not in html  # a fragment, not a page


def test_panel_stops_polling_when_done(signed_contract, tenants, signed_in) -> None:  # type: ignore[no-untyped-def]
    contract = signed_contract(slug="panou-gata")
    provisioning_job_run(contract_id=contract.pk)
    client, _ = signed_in("age_admin")
    html = client.get(f"/provizionare/{contract.pk}/pasi/").content.decode()
    assert "hx-trigger" not in html
    assert html.count('data-state="done"') == 5
    assert 'data-job-status="done"' in html
    assert "Reia" not in html


def test_failed_job_shows_the_error_and_resumes(  # type: ignore[no-untyped-def]
        signed_contract, tenants, signed_in, monkeypatch,
        django_capture_on_commit_callbacks) -> None:
    contract = signed_contract(slug="panou-reia")
    _fail_domain(monkeypatch)
    provisioning_job_run(contract_id=contract.pk)
    client, officer = signed_in("age_onboarding_officer")
    html = client.get(f"/provizionare/{contract.pk}/pasi/").content.decode()
    assert "DNS indisponibil" in html and 'data-state="failed"' in html
    assert f'hx-post="/provizionare/{contract.pk}/reia/"' in html
    assert "hx-trigger" not in html

    sent: list[str] = []
    monkeypatch.setattr("sgsc.platform.queue.app.send_task",
                        lambda name, **kwargs: sent.append(name))
    with django_capture_on_commit_callbacks(execute=True):
        resumed = client.post(f"/provizionare/{contract.pk}/reia/", HTTP_HX_REQUEST="true")
    assert resumed.status_code == 200
    assert 'hx-trigger="every 2s"' in resumed.content.decode()  # polling again
    assert sent == ["onboarding.provision"]
    assert ProvisioningJob.objects.get(contract=contract).status == "pending"
    assert AuditEvent.objects.filter(action="provisioning.job.resume").latest("id").actor == officer

    # Without htmx: back to the page it came from, with a message; a second time refused.
    again = client.post(f"/provizionare/{contract.pk}/reia/", {"next": "/prestatori/"})
    assert again.status_code == 302 and again["Location"] == "/prestatori/"
    outside = client.post(f"/provizionare/{contract.pk}/reia/",
                          {"next": "https://elsewhere.example/"})
    assert outside["Location"] == f"/contracte/{contract.pk}/"


def test_panel_needs_onboarding_review(signed_contract, tenants, signed_in) -> None:  # type: ignore[no-untyped-def]
    contract = signed_contract(slug="panou-interzis")
    client, _ = signed_in("asp_monitor")
    assert client.get(f"/provizionare/{contract.pk}/pasi/").status_code == 403
    assert client.post(f"/provizionare/{contract.pk}/reia/").status_code == 403
    admin, _ = signed_in("age_admin")
    assert admin.get("/provizionare/999999/pasi/").status_code == 404
    assert admin.get(f"/provizionare/{contract.pk}/reia/").status_code == 405


@override_settings(ROOT_URLCONF="sgsc.platform.urls_public")  # the contract page's host
def test_panel_include_renders_for_a_contract_without_job(signed_contract, tenants) -> None:  # type: ignore[no-untyped-def]
    contract = signed_contract(slug="fara-job")
    html = render_to_string("onboarding/provisioning_panel.html", {"contract": contract})
    assert "Configurarea spațiului urmează să înceapă" in html
    assert 'hx-trigger="every 2s"' in html
    contract.signed_at = None
    html = render_to_string("onboarding/provisioning_panel.html", {"contract": contract})
    assert "după semnarea contractului" in html and "hx-trigger" not in html
