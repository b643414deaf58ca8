"""The exchange pages and API: each tenant sees its own exchanges and nothing of the other
tenant's ticket beyond the minimised payload; AGE sees every exchange."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from sgsc.shared_apps.exchange.selectors import exchange_list
from sgsc.shared_apps.exchange.tasks import deliver
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.identity.services import api_token_issue
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.services import ticket_reply
from sgsc.tenants.models import Tenant
from tests.shared_apps.exchange.conftest import (
    REQUESTER,
    TITLE,
    Handover,
    at_level2,
    escalate_to_b,
)
from tests.shared_apps.exchange.factories import exchange_make

pytestmark = pytest.mark.django_db

SignedIn = Callable[..., tuple[Client, Any]]
SECRET_NOTE = "NOTA-INTERNA-A-7731"
SECRET_DESCRIPTION = "DESCRIEREA-A-5520"


def _delivered(h: Handover) -> tuple[str, str]:
    """prov-a's ticket (with an internal note) at prov-b's L3: the two numbers."""
    ticket = at_level2(h, description=f"{SECRET_DESCRIPTION} descărcarea eșuează")
    with schema_context(h.a.schema_name):
        ticket_reply(access=h.l2, ticket_id=ticket.pk, body=SECRET_NOTE, public=False)
    ticket, exchange = escalate_to_b(h, ticket)
    with schema_context(h.a.schema_name):
        return ticket.number, deliver(exchange_id=str(exchange.pk))


def _secrets_in(text: str) -> list[str]:
    forbidden = (REQUESTER.idnp, REQUESTER.email, "69123456", SECRET_NOTE, SECRET_DESCRIPTION)
    return [value for value in forbidden if value in text]


def test_each_tenant_sees_its_side_and_nothing_more_of_the_other(
        handover: Handover, signed_in: SignedIn) -> None:
    h = handover
    number_a, number_b = _delivered(h)
    client_b, _user = signed_in("auditor", h.b)
    page = client_b.get("/schimb/")
    assert page.status_code == 200
    html = page.content.decode()
    assert TITLE in html and number_a in html and number_b in html and "Primită" in html
    assert not _secrets_in(html)
    api = client_b.get("/api/v1/exchanges/")
    assert api.status_code == 200
    rows = api.json()["results"]
    assert [(row["direction"], row["source_ticket_number"], row["target_ticket_number"])
            for row in rows] == [("in", number_a, number_b)]
    assert [event["action"] for event in rows[0]["events"]] == ["requested", "delivered"]
    assert not _secrets_in(api.content.decode())
    assert client_b.get("/api/v1/exchanges/?direction=out").json()["results"] == []

    client_a, _user = signed_in("auditor", h.a)
    rows = client_a.get("/api/v1/exchanges/").json()["results"]
    assert [(row["direction"], row["target_tenant"]) for row in rows] == [("out", "prov-b")]
    assert "Trimisă" in client_a.get("/schimb/?direction=out").content.decode()

    # A third tenant sees nothing of it, whatever it asks.
    client_hub, _user = signed_in("auditor", h.hub)
    for query in ("", "?direction=in", "?tenant=prov-b", "?status=delivered"):
        assert number_a not in client_hub.get(f"/schimb/{query}").content.decode()
        assert client_hub.get(f"/api/v1/exchanges/{query}").json()["results"] == []


def test_prov_b_people_cannot_reach_prov_a_through_the_exchange_pages(
        handover: Handover, signed_in: SignedIn, client_for: Callable[[Tenant | None], Client],
        ) -> None:
    h = handover
    number_a, _number_b = _delivered(h)
    # prov-b's L3, who works the received ticket, has no trace page at home...
    client, l3 = signed_in("l3_technical", h.b)
    assert client.get("/schimb/").status_code == 403
    assert client.get("/api/v1/exchanges/").status_code == 403
    # ...and neither its session nor its API token counts on prov-a's host.
    auditor_b = signed_in("auditor", h.b)[1]
    for user in (l3, auditor_b):
        away = client_for(h.a)
        away.force_login(user)
        for path in ("/schimb/", "/api/v1/exchanges/", "/schimb/?direction=out"):
            response = away.get(path)
            assert response.status_code in (302, 401, 403), (path, response.status_code)
            assert number_a not in response.content.decode()
        _token, key = api_token_issue(user=user, tenant=h.b, name="schimb")
        response = client_for(h.a).get("/api/v1/exchanges/", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code in (401, 403) and number_a not in response.content.decode()


def test_institution_scope_limits_a_tenants_exchanges_to_visible_tickets(
        handover: Handover) -> None:
    h = handover
    _delivered(h)
    everything = TicketAccess(user=h.l2.user, capabilities=frozenset({Capability.AUDIT_VIEW}),
                              institution_scope=None)
    limited = TicketAccess(user=h.l2.user, capabilities=frozenset({Capability.AUDIT_VIEW}),
                           institution_scope=frozenset({999_999}))
    with schema_context(h.a.schema_name):
        assert exchange_list(host=h.a, access=everything).count() == 1
        assert exchange_list(host=h.a, access=limited).count() == 0


def test_age_sees_every_exchange_with_filters_and_bounded_queries(
        handover: Handover, signed_in: SignedIn, assert_max_queries: Any) -> None:
    h = handover
    number_a, _number_b = _delivered(h)
    for _ in range(5):
        exchange_make(source=h.hub, target=h.a, status="failed", failure_reason="test")
    client, _user = signed_in("age_admin")
    with assert_max_queries(9):  # constant: 6 exchanges or 20 alike
        page = client.get("/schimburi/")
    assert page.status_code == 200 and page.content.decode().count("<tr>") == 7
    with assert_max_queries(8):
        rows = client.get("/api/v1/exchanges/?page_size=50").json()["results"]
    assert len(rows) == 6 and {row["direction"] for row in rows} == {None}
    rows = client.get("/api/v1/exchanges/?tenant=prov-b").json()["results"]
    assert [row["source_ticket_number"] for row in rows] == [number_a]
    assert client.get("/api/v1/exchanges/?status=failed&tenant=prov-b").json()["results"] == []
    assert number_a not in client.get("/schimburi/?tenant=hub-test").content.decode()
    refused = client.get("/api/v1/exchanges/?status=lost")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_filter"
    assert client.get("/schimburi/?since=2026-05-05&until=2026-05-01").status_code == 400
    # The Chancellery and ASP are on the console too, but have no business here.
    asp, _user = signed_in("asp_monitor")
    assert asp.get("/schimburi/").status_code == 403
    assert asp.get("/api/v1/exchanges/").status_code == 403
