"""The coordinator's pages, the CSV and the API: the same figures everywhere, who may read
them and where, refused periods."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import User
from sgsc.tenant_apps.catalog.models import RoutingRule
from sgsc.tenants.models import Tenant
from tests.conftest import Tenants
from tests.tenant_apps.hub.conftest import HubWorld

pytestmark = pytest.mark.django_db

FEBRUARY_PAGE = "de_la=2026-02-01&pana_la=2026-02-28"
FEBRUARY_API = "from=2026-02-01&to=2026-02-28"


@pytest.fixture
def coordinator_client(client_for: Callable[[Tenant | None], Client],
                       hub_world: HubWorld) -> Client:
    client = client_for(hub_world.hub)
    client.force_login(hub_world.coordinator)
    return client


def test_overview_shows_each_institution_with_its_figures_and_queue_link(
        coordinator_client: Client, february: HubWorld):
    response = coordinator_client.get(f"/hub/?{FEBRUARY_PAGE}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Agenția X" in html and "Biroul Y" in html
    assert "66,7 %" in html and "100,0 %" in html  # within deadline, Romanian decimals
    assert "6,2" in html and "6,5" in html  # mean resolution, working hours
    assert f"/solicitari/?coada=active&amp;institution_id={february.x.pk}" in html
    assert 'href="/hub/rapoarte/?de_la=2026-02-01&amp;pana_la=2026-02-28"' in html


def test_the_menu_offers_the_hub_to_its_coordinator(coordinator_client: Client):
    html = coordinator_client.get("/profil/").content.decode()
    assert '<a href="/hub/">Hub: instituții</a>' in html


def test_a_bad_period_on_the_page_is_explained(coordinator_client: Client):
    response = coordinator_client.get("/hub/?de_la=2026-03-01&pana_la=2026-02-01")
    assert response.status_code == 400
    assert "Sfârșitul perioadei este înaintea începutului ei." in response.content.decode()
    response = coordinator_client.get("/hub/rapoarte/export.csv?de_la=2020-01-01")
    assert response.status_code == 200  # one end: the rest of its month
    response = coordinator_client.get("/hub/rapoarte/export.csv?de_la=x")
    assert response.status_code == 400


def test_workload_and_routing_pages(coordinator_client: Client, february: HubWorld):
    html = coordinator_client.get("/hub/incarcare/").content.decode()
    assert "Agenția X" in html and "Pe operatori" in html
    html = coordinator_client.get("/hub/rutare/").content.decode()
    assert "Tot ce ține de X" in html and "Avizele Y" in html
    assert 'href="/configurare/rutare/"' in html
    rule = RoutingRule.objects.get(name="Tot ce ține de X")
    assert f'<a href="/configurare/rutare/{rule.pk}/">Tot ce ține de X</a>' in html


def test_report_csv_has_the_page_and_api_figures(coordinator_client: Client,
                                                 february: HubWorld):
    response = coordinator_client.get(f"/hub/rapoarte/export.csv?{FEBRUARY_PAGE}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="raport-hub-20260201-20260228.csv"')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    x, y = february.x, february.y
    assert text[1:].splitlines() == [
        "Instituție;IDNO;Secțiune;Valoare;Înregistrate;Încă deschise;Soluționate;"
        "Soluționate în termen;Ponderea în termen (%);Timp mediu de soluționare (ore lucrătoare)",
        f"Agenția X;{x.idno};Total;;4;1;3;2;66.7;6.2",
        f"Agenția X;{x.idno};Canal;E-mail;1;0;1;1;100.0;0.5",
        f"Agenția X;{x.idno};Canal;Telefon;3;1;2;1;50.0;9.0",
        f"Agenția X;{x.idno};Serviciu;SX Certificat X;4;1;3;2;66.7;6.2",
        f"Biroul Y;{y.idno};Total;;1;0;2;2;100.0;6.5",
        f"Biroul Y;{y.idno};Canal;Telefon;1;0;2;2;100.0;6.5",
        f"Biroul Y;{y.idno};Serviciu;SY Aviz Y;1;0;2;2;100.0;6.5",
    ]
    event = AuditEvent.objects.filter(action="hub.report.export").get()
    assert event.actor_id == february.coordinator.pk
    assert event.details["from"] == "2026-02-01" and event.details["institutions"] == [x.pk, y.pk]
    page = coordinator_client.get(f"/hub/rapoarte/?{FEBRUARY_PAGE}").content.decode()
    assert "SX Certificat X" in page and "66,7 %" in page
    assert 'href="/hub/rapoarte/export.csv?de_la=2026-02-01&amp;pana_la=2026-02-28"' in page


def test_api_institutions_and_report(coordinator_client: Client, february: HubWorld):
    body = coordinator_client.get(f"/api/v1/hub/institutions/?{FEBRUARY_API}").json()
    assert body["period"] == {"start": "2026-02-01", "end": "2026-02-28"}
    x = body["results"][0]
    assert x["institution"] == {"id": february.x.pk, "idno": february.x.idno,
                                "name": "Agenția X"}
    assert x["period"] == {"registered": 4, "open": 1, "resolved": 3, "within_deadline": 2,
                           "within_deadline_percent": 66.7, "mean_resolution_hours": 6.2}
    assert x["load"]["active"] == 1 and x["staffing"] == {"operators": 1, "on_shift": 1}
    assert x["queue_url"] == f"/solicitari/?coada=active&institution_id={february.x.pk}"
    report = coordinator_client.get(f"/api/v1/hub/report/?{FEBRUARY_API}").json()
    y = report["institutions"][1]
    assert y["totals"]["within_deadline_percent"] == 100.0
    assert y["by_channel"] == [{"key": "phone", "name": "Telefon", "registered": 1, "open": 0,
                                "resolved": 2, "within_deadline": 2,
                                "within_deadline_percent": 100.0,
                                "mean_resolution_hours": 6.5}]
    assert y["by_service"][0]["key"] == str(february.service_y.pk)


@pytest.mark.parametrize(("query", "code"), [
    ("from=2026-02-30", "invalid_period"),
    ("from=2026-03-01&to=2026-02-01", "invalid_period"),
    ("from=2025-01-01&to=2026-01-02", "period_too_long"),
])
def test_api_refuses_a_bad_period(coordinator_client: Client, query: str, code: str):
    for path in ("/api/v1/hub/institutions/", "/api/v1/hub/report/"):
        response = coordinator_client.get(f"{path}?{query}")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == code


HUB_PATHS = ("/hub/", "/hub/incarcare/", "/hub/rutare/", "/hub/redistribuire/",
             "/hub/rapoarte/", "/hub/rapoarte/export.csv", "/api/v1/hub/institutions/",
             "/api/v1/hub/report/")


def test_a_provider_host_has_no_hub_view(tenants: Tenants,
                                         signed_in: Callable[..., tuple[Client, User]]):
    client, _admin = signed_in("tenant_admin", tenants.prov_a)  # holds hub.coordinate
    for path in HUB_PATHS:
        response = client.get(path)
        assert response.status_code == 404, path
    assert client.get("/api/v1/hub/report/").json()["error"]["code"] == "not_found"


def test_an_operator_is_refused(hub_world: HubWorld, client_for: Callable[..., Client]):
    client = client_for(hub_world.hub)
    client.force_login(hub_world.operator_x)
    for path in HUB_PATHS:
        assert client.get(path).status_code == 403, path
    assert client.post("/hub/redistribuire/", {}).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor_id=hub_world.operator_x.pk,
                                     outcome=AuditEvent.Outcome.FAILURE).count() >= 6
    html = client.get("/profil/").content.decode()
    assert "Hub: instituții" not in html
