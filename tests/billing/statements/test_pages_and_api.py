"""Pages and API of usage and statements, with their permissions."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest

from sgsc.billing.statements.models import Statement
from sgsc.billing.statements.services import statement_generate, statement_issue
from sgsc.billing.usage.models import UsageRecord
from sgsc.shared_apps.audit.models import AuditEvent
from tests.billing.statements.helpers import MARCH, fill_month, make_contract, make_schedule


@pytest.fixture
def issued(tenants) -> Statement:  # type: ignore[no-untyped-def]
    schedule, _version = make_schedule()
    contract = make_contract(tenant=tenants.prov_a, schedule=schedule)
    fill_month(tenants.prov_a)
    return statement_issue(statement=statement_generate(contract=contract, month=MARCH,
                                                        actor=None), actor=None)


PUBLIC_PAGES = [("/facturare/utilizare/", "billing.manage"),
                ("/facturare/deconturi/", "billing.manage"),
                ("/cancelarie/utilizare/?luna=2026-03", "tariffs.review"),
                ("/cancelarie/utilizare/prov-a/?luna=2026-03", "tariffs.review"),
                ("/cancelarie/utilizare/prov-a/simulare/", "tariffs.review")]


@pytest.mark.parametrize(("url", "capability"), PUBLIC_PAGES)
def test_public_pages_need_their_capability(signed_in, url, capability) -> None:  # type: ignore[no-untyped-def]
    role = "age_admin" if capability == "billing.manage" else "chancellery_reviewer"
    client, _user = signed_in(role)
    assert client.get(url).status_code == 200
    other, _user = signed_in("asp_monitor")
    assert other.get(url).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", object_id=url.split("?")[0]).exists()


def test_console_shows_the_month_with_charts_and_drills_down(signed_in, issued) -> None:  # type: ignore[no-untyped-def]
    client, _user = signed_in("chancellery_reviewer")
    page = client.get("/cancelarie/utilizare/?luna=2026-03").content.decode()
    assert "<svg" in page and "Prestatorul A de test" in page and "2\u00a0212,00" in page
    assert "/cancelarie/utilizare/prov-a/?luna=2026-03" in page
    drill = client.get("/cancelarie/utilizare/prov-a/?luna=2026-03&indicator=seats")
    assert issued.number in drill.content.decode()
    seat_record = UsageRecord.objects.filter(tenant=issued.tenant, metric="seats").first()
    assert f'id="u{seat_record.pk}"' in drill.content.decode()
    export = client.get("/cancelarie/utilizare/?luna=2026-03&format=csv")
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert export.content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Prestator" and "Total" in rows[0]
    provider = next(row for row in rows if row[0] == "Prestatorul A de test")
    assert provider[rows[0].index("Total")] == "2212.00"
    assert AuditEvent.objects.filter(action="billing.console.export").exists()


def test_what_if_computes_without_storing(signed_in, issued) -> None:  # type: ignore[no-untyped-def]
    from tests.billing.tariffs.helpers import PRICES, make_version

    _schedule, other = make_schedule(prices={**PRICES, "subscription": "2000.0000"})
    del other  # a second approved version of another schedule
    version = make_version(schedule=_schedule, effective_from=date(2030, 1, 1),
                           prices={**PRICES, "subscription": "3000.0000"})
    client, _user = signed_in("chancellery_reviewer")
    count = Statement.objects.count()
    response = client.get(f"/cancelarie/utilizare/prov-a/simulare/?month=2026-03"
                          f"&version={version.pk}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "3\u00a0712,00" in page and "1\u00a0500,00" in page  # +1500 on the subscription
    assert Statement.objects.count() == count
    bad = client.get("/cancelarie/utilizare/prov-a/simulare/?month=martie&version=0")
    assert bad.status_code == 400


def test_age_generates_issues_and_voids_through_pages(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    schedule, _version = make_schedule()
    contract = make_contract(tenant=tenants.prov_b, schedule=schedule)
    client, _user = signed_in("age_admin")
    response = client.post("/facturare/deconturi/?luna=2026-03",
                           {"contract": contract.pk, "month": "2026-03"})
    statement = Statement.objects.get(contract=contract)
    assert response.status_code == 302 and statement.status == "draft"
    assert client.post(f"/facturare/deconturi/{statement.pk}/emitere/", {}).status_code == 400
    client.post(f"/facturare/deconturi/{statement.pk}/emitere/", {"confirm": "on"})
    statement.refresh_from_db()
    assert statement.status == "issued" and statement.number.startswith("S-")
    again = client.post("/facturare/deconturi/?luna=2026-03",
                        {"contract": contract.pk, "month": "2026-03"})
    assert again.status_code == 409 and "există deja" in again.content.decode()
    response = client.post(f"/facturare/deconturi/{statement.pk}/anulare/",
                           {"reason": "Greșeală", "confirm": "on"})
    note = Statement.objects.get(credits=statement)
    assert response.status_code == 302 and note.number.startswith("CN-")
    pdf = client.get(f"/facturare/deconturi/{note.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    document = client.get(f"/facturare/deconturi/{statement.pk}/csv/")
    assert document.status_code == 200 and document.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(document.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Număr", "Luna"]
    assert rows[1][:2] == [statement.number, "2026-03"]
    assert rows[2] == [] and rows[3][0] == "Componenta"


def test_metering_page_meters_one_tenant(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _user = signed_in("age_admin")
    response = client.post("/facturare/utilizare/", {"action": "meter", "day": "2026-03-02",
                                                     "tenant": "prov-a"})
    assert response.status_code == 302
    # Seats, storage, tickets handled and call minutes.
    assert UsageRecord.objects.filter(tenant=tenants.prov_a, day=date(2026, 3, 2)).count() == 4
    bad = client.post("/facturare/utilizare/", {"action": "meter", "day": "2099-01-01"})
    assert bad.status_code == 400 and "nu s-a încheiat" in bad.content.decode()


def test_provider_sees_only_its_own_issued_statements(signed_in, client_for, tenants,  # type: ignore[no-untyped-def]
                                                      issued) -> None:
    client, _user = signed_in("tenant_admin", tenants.prov_a)
    page = client.get("/facturare/?luna=2026-03").content.decode()
    assert issued.number in page
    assert client.get(f"/facturare/deconturi/{issued.pk}/pdf/").status_code == 200
    api = client.get("/api/v1/statements/").json()
    assert [s["number"] for s in api["results"]] == [issued.number]
    assert len(client.get("/api/v1/usage/records/?month=2026-03").json()["results"]) == 50
    other, _user = signed_in("tenant_admin", tenants.prov_b)
    assert other.get(f"/facturare/deconturi/{issued.pk}/pdf/").status_code == 404
    assert other.get("/api/v1/statements/").json()["results"] == []
    operator, _user = signed_in("l1_operator", tenants.prov_a)
    assert operator.get("/facturare/").status_code == 403
    assert operator.get("/api/v1/statements/").status_code == 403


def test_api_statement_flow_and_errors(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    schedule, _version = make_schedule()
    contract = make_contract(tenant=tenants.prov_a, schedule=schedule)
    fill_month(tenants.prov_a)
    client, _user = signed_in("age_admin")
    created = client.post("/api/v1/statements/", {"contract": contract.number,
                                                  "month": "2026-03"},
                          content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["total"] == "2212.00" and len(body["lines"]) == 5
    issued = client.post(f"/api/v1/statements/{body['id']}/issue/").json()
    assert issued["status"] == "issued"
    exists = client.post("/api/v1/statements/", {"contract": contract.number, "month": "2026-03"},
                         content_type="application/json")
    assert exists.status_code == 409 and exists.json()["error"]["code"] == "statement_exists"
    void = client.post(f"/api/v1/statements/{body['id']}/void/", {"reason": ""},
                       content_type="application/json")
    assert void.json()["error"]["code"] == "reason_required"
    not_over = client.post("/api/v1/statements/", {"contract": contract.number,
                                                   "month": "2099-01"},
                           content_type="application/json")
    assert not_over.json()["error"]["code"] == "month_not_over"
    reviewer, _user = signed_in("chancellery_reviewer")
    assert reviewer.get("/api/v1/statements/?month=2026-03").status_code == 200
    summary = reviewer.get("/api/v1/statements/summary/?month=2026-03").json()
    assert summary["total"] == "2212.00" and summary["providers"][0]["tenant"] == "prov-a"
    denied = reviewer.post("/api/v1/statements/", {"contract": contract.number,
                                                   "month": "2026-03"},
                           content_type="application/json")
    assert denied.status_code == 403


def test_api_metering_and_adjustment(signed_in, tenants, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client, _user = signed_in("age_admin")
    one = client.post("/api/v1/usage/meterings/", {"day": "2026-03-03", "tenant": "prov-b"},
                      content_type="application/json")
    assert one.status_code == 201 and one.json() == {"created": 4}
    with django_capture_on_commit_callbacks() as callbacks:
        everyone = client.post("/api/v1/usage/meterings/", {"day": "2026-03-03"},
                               content_type="application/json")
    assert everyone.status_code == 202 and len(callbacks) == 1
    future = client.post("/api/v1/usage/meterings/", {"day": "2099-03-03"},
                         content_type="application/json")
    assert future.json()["error"]["code"] == "day_not_over"
    adjusted = client.post("/api/v1/usage/adjustments/", {
        "tenant": "prov-b", "day": "2026-03-03", "metric": "seats", "quantity": "4",
        "reason": "Operatori omiși"}, content_type="application/json")
    assert adjusted.status_code == 201 and adjusted.json()["kind"] == "adjustment"
    records = client.get("/api/v1/usage/records/?tenant=prov-b&month=2026-03").json()
    assert len(records["results"]) == 5  # four metrics and the adjustment
    operator, _user = signed_in("chancellery_reviewer")
    assert operator.post("/api/v1/usage/meterings/", {"day": "2026-03-03"},
                         content_type="application/json").status_code == 403


def test_openapi_lists_the_billing_endpoints(db: None, public_client: Any) -> None:
    schema = public_client.get("/api/schema/?format=json").json()
    for path in ("/api/v1/usage/records/", "/api/v1/usage/meterings/",
                 "/api/v1/statements/", "/api/v1/statements/{id}/void/"):
        assert path in schema["paths"]


def test_list_endpoints_query_count_does_not_grow(signed_in, tenants, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    schedule, _version = make_schedule()
    for tenant in (tenants.prov_a, tenants.prov_b, tenants.hub):
        contract = make_contract(tenant=tenant, schedule=schedule)
        fill_month(tenant)
        statement_issue(statement=statement_generate(contract=contract, month=MARCH, actor=None),
                        actor=None)
    client, _user = signed_in("age_admin")
    with assert_max_queries(6):
        assert len(client.get("/api/v1/statements/").json()["results"]) == 3
    with assert_max_queries(6):
        assert len(client.get("/api/v1/usage/records/").json()["results"]) == 50
    own, _user = signed_in("tenant_admin", tenants.hub)
    with assert_max_queries(11):
        assert len(own.get("/api/v1/statements/").json()["results"]) == 1


def test_hub_statement_page_sets_the_allocation_key(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    from sgsc.billing.statements.models import HubAllocationKey
    from sgsc.shared_apps.institutions.models import HubAgreement, Institution

    agreement = HubAgreement.objects.create(hub=tenants.hub, coordinator=Institution.objects.create(
        idno="1003600000001", name="Coordonatorul"), number="A-9", signed_on=date(2025, 1, 1))
    schedule, _version = make_schedule()
    statement = statement_generate(contract=make_contract(tenant=tenants.hub, schedule=schedule),
                                   month=MARCH, actor=None)
    client, _user = signed_in("age_admin")
    page = client.get(f"/facturare/deconturi/{statement.pk}/")
    assert page.status_code == 200 and "Cheia de repartizare" in page.content.decode()
    response = client.post(f"/facturare/deconturi/{statement.pk}/cheie-hub/", {"key": "seats"})
    assert response.status_code == 302
    assert HubAllocationKey.objects.get(agreement=agreement).key == "seats"
    api = client.put("/api/v1/hubs/hub-test/allocation-key/", {"key": "tickets"},
                     content_type="application/json")
    assert api.json() == {"key": "tickets"}
    assert client.put("/api/v1/hubs/prov-a/allocation-key/", {"key": "tickets"},
                      content_type="application/json").status_code == 404
