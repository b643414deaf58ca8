"""Served institutions on tenant hosts: hub scoping decides which (invariant 1)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.services import membership_grant
from sgsc.shared_apps.institutions.models import HubMembership, Institution
from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


@dataclass
class Hub:
    x: Institution
    y: Institution
    former: Institution
    outsider: Institution


@pytest.fixture
def hub(tenants, user_with_role) -> Hub:  # type: ignore[no-untyped-def]
    x = InstitutionFactory(name="Agenția X", email="x@gov.md")
    y = InstitutionFactory(name="Agenția Y")
    former = InstitutionFactory(name="Agenția plecată")
    for institution in (x, y):
        HubMembership.objects.create(hub=tenants.hub, institution=institution)
    HubMembership.objects.create(hub=tenants.hub, institution=former, left_at=timezone.now())
    return Hub(x=x, y=y, former=former, outsider=InstitutionFactory(name="Agenția străină"))


def limited_operator(tenants, client_for, institutions: list[Institution]) -> tuple[Client, User]:  # type: ignore[no-untyped-def]
    admin = UserFactory(platform_roles=["age_admin"])
    operator = UserFactory(first_name="Olga", last_name="Limitată")
    membership_grant(actor=admin, tenant=tenants.hub, user=operator, roles=["l1_operator"],
                     institution_ids=[i.pk for i in institutions])
    client = client_for(tenants.hub)
    client.force_login(operator)
    return client, operator


def test_limited_operator_sees_only_their_institution(tenants, client_for, hub) -> None:  # type: ignore[no-untyped-def]
    client, operator = limited_operator(tenants, client_for, [hub.x])
    page = client.get("/institutii-deservite/").content.decode()
    assert "Agenția X" in page and "Agenția Y" not in page
    assert client.get(f"/institutii-deservite/{hub.x.pk}/").status_code == 200
    api = client.get("/api/v1/served-institutions/").json()
    assert [row["id"] for row in api["results"]] == [hub.x.pk]
    assert client.get(f"/api/v1/served-institutions/{hub.x.pk}/").status_code == 200

    for institution in (hub.y, hub.former, hub.outsider):
        html = client.get(f"/institutii-deservite/{institution.pk}/")
        assert html.status_code == 404 and institution.name not in html.content.decode()
        json = client.get(f"/api/v1/served-institutions/{institution.pk}/")
        assert json.status_code == 404
        assert json.json()["error"]["code"] == "institution_not_found"
        denials = AuditEvent.objects.filter(action="access.denied", object_type="institution",
                                            object_id=str(institution.pk))
        assert denials.count() == 2
        assert {event.outcome for event in denials} == {AuditEvent.Outcome.FAILURE}
        assert {event.actor for event in denials} == {operator}
        assert {event.tenant for event in denials} == {tenants.hub}


def test_coordinator_sees_every_current_member(signed_in, tenants, hub, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    client, _coordinator = signed_in("coordinator", tenants.hub)
    assert 'href="/institutii-deservite/"' in client.get("/").content.decode()
    for number in range(30):
        HubMembership.objects.create(hub=tenants.hub,
                                     institution=InstitutionFactory(name=f"Membru {number:02d}"))
    # search_path, host, session, user, membership (capabilities), membership (scope),
    # count, page.
    with assert_max_queries(9):
        response = client.get("/institutii-deservite/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Agenția X" in page and "Agenția Y" in page and "Agenția plecată" not in page
    assert "Pagina 1 din 2" in page
    with assert_max_queries(9):
        api = client.get("/api/v1/served-institutions/?page_size=100")
    ids = {row["id"] for row in api.json()["results"]}
    assert {hub.x.pk, hub.y.pk} <= ids and hub.former.pk not in ids and len(ids) == 32
    found = client.get("/institutii-deservite/?q=agenția y").content.decode()
    assert "Agenția Y" in found and "Agenția X" not in found
    assert client.get(f"/institutii-deservite/{hub.y.pk}/").status_code == 200
    assert client.get(f"/institutii-deservite/{hub.former.pk}/").status_code == 404


def test_detail_names_the_people_who_serve_it(tenants, client_for, user_with_role, hub) -> None:  # type: ignore[no-untyped-def]
    coordinator = user_with_role("coordinator", tenants.hub, first_name="Cora",
                                 last_name="Coordonatoare")
    _client_x, only_x = limited_operator(tenants, client_for, [hub.x])
    client_y, only_y = limited_operator(tenants, client_for, [hub.y])
    only_y.first_name = "Yvonne"
    only_y.save(update_fields=["first_name"])
    detail = client_y.get(f"/institutii-deservite/{hub.y.pk}/")
    page = detail.content.decode()
    assert detail.status_code == 200 and hub.y.idno in page
    assert "Coordonatoare" in page and "Yvonne" in page
    # Olga serves only X, so she is not listed under Y.
    assert only_x.email not in page
    body = client_y.get(f"/api/v1/served-institutions/{hub.y.pk}/").json()
    assert {person["user_id"] for person in body["people"]} == {coordinator.pk, only_y.pk}
    assert body["served_since"] and body["idno"] == hub.y.idno


def test_provider_serves_its_own_institution_only(signed_in, tenants, hub) -> None:  # type: ignore[no-untyped-def]
    own = InstitutionFactory(name="Instituția prestatorului A")
    tenants.prov_a.institution = own
    tenants.prov_a.save(update_fields=["institution"])
    client, _operator = signed_in("l1_operator", tenants.prov_a)
    page = client.get("/institutii-deservite/").content.decode()
    assert "Instituția prestatorului A" in page and "Agenția X" not in page
    assert client.get(f"/institutii-deservite/{own.pk}/").status_code == 200
    # A hub's member, seen from a provider's host: not found.
    assert client.get(f"/institutii-deservite/{hub.x.pk}/").status_code == 404
    assert client.get(f"/api/v1/served-institutions/{hub.x.pk}/").status_code == 404


def test_pages_need_workspace_view_and_a_tenant_host(client_for, signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    assert client_for(tenants.hub).get("/institutii-deservite/")["Location"].startswith(
        "/autentificare/")
    assert client_for(tenants.hub).get("/api/v1/served-institutions/").status_code == 401
    public, _admin = signed_in("age_admin")
    assert public.get("/institutii-deservite/").status_code == 404
