"""Hub scoping on every page, file and API answer (invariant 1), and a number of queries that
does not grow with institutions or tickets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sgsc.shared_apps.identity.models import Membership
from sgsc.shared_apps.identity.roles import ROLE_CAPABILITIES, Capability, TenantRole
from sgsc.shared_apps.identity.scoping import membership_scope_write
from sgsc.shared_apps.institutions.models import HubMembership
from sgsc.tenant_apps.catalog.models import Service, Team, TeamMember
from sgsc.tenants.models import Tenant
from tests.factories import InstitutionFactory, UserFactory
from tests.tenant_apps.hub.conftest import HubWorld, local, ticket_new, ticket_resolve

pytestmark = pytest.mark.django_db

FEBRUARY = "de_la=2026-02-01&pana_la=2026-02-28"


@pytest.fixture
def limited_client(february: HubWorld, monkeypatch: pytest.MonkeyPatch,
                   client_for: Callable[[Tenant | None], Client]) -> Client:
    """A supervisor who also coordinates (no role combines the two today, so the test gives
    the supervisor's role hub.coordinate), limited to institution X."""
    monkeypatch.setitem(ROLE_CAPABILITIES, TenantRole.SUPERVISOR,
                        ROLE_CAPABILITIES[TenantRole.SUPERVISOR] | {Capability.HUB_COORDINATE})
    person = UserFactory()
    membership = Membership.objects.create(user=person, tenant=february.hub,
                                           roles=[TenantRole.SUPERVISOR])
    membership_scope_write(membership=membership, institution_ids=[february.x.pk])
    ticket_new(february.access(), at=local(10, 9))  # no institution: not theirs either
    client = client_for(february.hub)
    client.force_login(person)
    return client


def test_a_person_limited_to_x_sees_only_x(limited_client: Client, february: HubWorld):
    for path in (f"/hub/?{FEBRUARY}", "/hub/incarcare/", "/hub/rutare/",
                 f"/hub/rapoarte/?{FEBRUARY}", f"/hub/rapoarte/export.csv?{FEBRUARY}",
                 "/hub/redistribuire/"):
        response = limited_client.get(path)
        assert response.status_code == 200, path
        text = response.content.decode()
        assert "Agenția X" in text, path
        assert "Biroul Y" not in text and "Avizele Y" not in text, path
        assert "Fără instituție" not in text, path
    for path in ("/api/v1/hub/institutions/", "/api/v1/hub/report/"):
        body = limited_client.get(path).json()
        rows = body.get("results") or body.get("institutions")
        assert [row["institution"]["name"] for row in rows] == ["Agenția X"], path
    # Asking for Y's tickets by the query string shows nothing of Y.
    html = limited_client.get(f"/hub/redistribuire/?institutie={february.y.pk}").content.decode()
    assert february.tickets["y_in"].number not in html


def _new_institution(world: HubWorld, n: int) -> None:
    institution = InstitutionFactory()
    HubMembership.objects.create(hub=world.hub, institution=institution)
    service = Service.objects.create(code=f"S{n}", name=f"Serviciu {n}",
                                     institution=institution, resolution_hours=8)
    team = Team.objects.create(name=f"Echipa {n}", institution=institution)
    TeamMember.objects.create(team=team, user=world.operator_x, on_shift=True)
    access = world.access()
    ticket_new(access, at=local(5, 9), service=world.service_x)  # one more of X to move
    for hour in (9, 10, 11):
        ticket = ticket_new(access, at=local(5, hour), service=service,
                            channel="email" if hour == 10 else "phone")
        if hour != 11:
            ticket_resolve(access, ticket, at=local(6, hour))


def _paths(world: HubWorld) -> tuple[str, ...]:
    return (f"/hub/?{FEBRUARY}", "/hub/incarcare/", "/hub/rutare/", f"/hub/rapoarte/?{FEBRUARY}",
            f"/hub/rapoarte/export.csv?{FEBRUARY}", f"/hub/redistribuire/?institutie={world.x.pk}",
            "/api/v1/hub/institutions/?from=2026-02-01&to=2026-02-28",
            "/api/v1/hub/report/?from=2026-02-01&to=2026-02-28")


def _counts(client: Client, paths: tuple[str, ...]) -> dict[str, int]:
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200, path
        counts[path] = len(captured.captured_queries)
    return counts


def test_queries_do_not_grow_with_institutions_or_tickets(
        february: HubWorld, client_for: Callable[[Tenant | None], Client],
        assert_max_queries: Callable[[int], Any]):
    client = client_for(february.hub)
    client.force_login(february.coordinator)
    paths = _paths(february)
    _counts(client, paths)  # warm up (sessions, content types)
    small = _counts(client, paths)
    for n in range(4):
        _new_institution(february, n)
    for path in paths:
        with assert_max_queries(small[path]):
            assert client.get(path).status_code == 200
    assert len(client.get("/api/v1/hub/institutions/").json()["results"]) == 6
