"""The queues page: tabs and counts, filters and search, keyset pages, htmx fragments, bounded
queries, saved views, bulk actions with per-ticket refusals, the shift, and hub scoping."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.catalog.models import Queue, Team, TeamMember
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.models import SavedView, Ticket
from sgsc.tenant_apps.tickets.services import (
    TicketInput,
    ticket_create,
    ticket_transition,
)
from tests.tenant_apps.tickets.web_helpers import error_code, limited_hub_operator, page, worker

pytestmark = pytest.mark.django_db
URL = "/solicitari/"


def _count(html: str, queue: str) -> str:
    found = re.search(rf'class="tab tab-{queue}[^"]*"[^>]*>[^<]*<span class="count">([^<]+)<',
                      html)
    assert found, html
    return found.group(1)


def _take(client, tickets) -> None:  # type: ignore[no-untyped-def]
    """Assign to oneself through the page (the bulk action, confirmed)."""
    response = client.post("/solicitari/actiuni/", {
        "ids": [ticket.pk for ticket in tickets], "action": "take", "confirmare": "1",
        "next": URL})
    assert response.status_code == 302


def _numbers(html: str) -> list[str]:
    return re.findall(r'<td><a href="/solicitari/\d+/">([A-Z0-9-]+)</a></td>', html)


def test_tabs_counts_rows_and_the_htmx_fragment(signed_in, tenants, in_prov_a, new_ticket) -> None:  # type: ignore[no-untyped-def]
    client, _user, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    mine = [new_ticket(operator, title=f"A mea {n}") for n in range(2)]
    _take(client, mine)
    free = new_ticket(operator, title="Liberă")
    waiting = new_ticket(operator, title="În așteptare")
    ticket_transition(access=operator, ticket_id=waiting.pk, action="wait", reason="Acte")
    html = page(client.get(URL))
    assert 'class="tab tab-mine selected" aria-current="page"' in html  # the default queue
    assert (_count(html, "mine"), _count(html, "unassigned"), _count(html, "waiting"),
            _count(html, "active"), _count(html, "all")) == ("2", "1", "1", "4", "4")
    assert sorted(_numbers(html)) == sorted(ticket.number for ticket in mine)
    assert 'class="sla-running"' in html and "40:00" in html  # the SLA figure of each row
    assert 'data-shortcut="/"' in html and 'id="shortcuts" popover' in html
    fragment = client.get(URL, {"coada": "unassigned"}, HTTP_HX_REQUEST="true")
    assert "<html" not in page(fragment) and "HX-Request" in fragment["Vary"]
    assert _numbers(page(fragment)) == [free.number]  # waiting is not in "unassigned"
    assert 'name="coada" value="unassigned" form="queue-filters"' in page(fragment)
    empty = page(client.get(URL, {"coada": "breached"}))
    assert "Nicio solicitare nu și-a depășit termenul." in empty
    assert "Ale mele" in page(client.get(URL, {"coada": "nu-exista"}))


def test_filters_search_and_their_refusals(signed_in, tenants, in_prov_a, new_ticket) -> None:  # type: ignore[no-untyped-def]
    client, _user, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    urgent = new_ticket(operator, title="Sistemul nu răspunde", impact=1, urgency=1)
    calm = new_ticket(operator, title="Întrebare despre taxă", channel="email",
                      requester=Requester(email="ana@example.md"))

    def numbers(**query: str | int) -> set[str]:
        return set(_numbers(page(client.get(URL, {"coada": "all", **query}))))

    assert numbers(priority_id=urgent.priority_id) == {urgent.number}
    assert numbers(channel="email") == {calm.number}
    assert numbers(q="taxa") == {calm.number}  # without the diacritics
    assert numbers(q=urgent.number) == {urgent.number}
    assert numbers(q="ana@example.md") == {calm.number}
    refused = page(client.get(URL, {"coada": "all", "priority_id": "abc", "level": "9"}))
    assert "Identificator nevalid." in refused and "Valoare necunoscută." in refused
    assert set(_numbers(refused)) == {urgent.number, calm.number}  # refused filters are left out
    nothing = page(client.get(URL, {"coada": "all", "q": "inexistent"}))
    assert "nu corespunde filtrelor sau căutării" in nothing
    assert "Căutați cel puțin un cuvânt" in page(client.get(URL, {"coada": "all", "q": "%%"}))


def test_keyset_pages(signed_in, tenants, in_prov_a, new_ticket) -> None:  # type: ignore[no-untyped-def]
    client, _user, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    tickets = [new_ticket(operator, title=f"Cererea {n}") for n in range(53)]
    first = page(client.get(URL, {"coada": "all"}))
    assert len(_numbers(first)) == 50 and "Următoarele »" in first
    assert _numbers(first)[0] == tickets[-1].number
    found = re.search(r'href="([^"]+)"[^>]*rel="next"', first)
    assert found
    next_href = found.group(1).replace("&amp;", "&")
    second = page(client.get(next_href))
    assert _numbers(second) == [ticket.number for ticket in reversed(tickets[:3])]
    assert "« Precedentele" in second and "Următoarele" not in second
    broken = page(client.get(URL, {"coada": "all", "cursor": "nu-e-bun"}))
    assert "Poziția din listă nu este validă" in broken and len(_numbers(broken)) == 50


def test_queries_stay_constant_with_the_number_of_tickets(signed_in, tenants, in_prov_a, new_ticket, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    client, user, operator = worker(signed_in, TenantRole.SUPERVISOR, tenants.prov_a)
    team = Team.objects.create(name="Echipa 1")
    TeamMember.objects.create(team=team, user=user)

    def add(count: int) -> None:
        _take(client, [new_ticket(operator, title=f"Cererea {n}") for n in range(count)])

    add(5)
    client.get(URL)  # the session and the caches are warm from here on
    with assert_max_queries(30) as captured:
        assert len(_numbers(page(client.get(URL, {"coada": "all"})))) == 5
    full = len(captured.captured_queries)  # read now: the next request resets the log
    with assert_max_queries(20) as captured:
        assert client.get(URL, {"coada": "mine"}, HTTP_HX_REQUEST="true").status_code == 200
    fragment = len(captured.captured_queries)
    add(25)
    with assert_max_queries(full):
        assert len(_numbers(page(client.get(URL, {"coada": "all"})))) == 30
    with assert_max_queries(fragment):
        assert len(_numbers(page(client.get(URL, {"coada": "mine"},
                                            HTTP_HX_REQUEST="true")))) == 30


def test_saved_views(signed_in, tenants, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    client, user, _access = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    colleague, _c, _a = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    save = "/solicitari/vederi/"
    query = "coada=unassigned&channel=phone&q=certificat"
    response = client.post(save, {"name": "Apeluri libere", "shared": "on", "query": query})
    view = SavedView.objects.get()
    assert response.status_code == 302 and view.owner_id == user.pk and view.shared
    assert view.filters == {"coada": "unassigned", "channel": "phone", "q": "certificat"}
    assert response["Location"] == "/solicitari/?channel=phone&coada=unassigned&q=certificat"
    assert client.post(save, {"name": "Vederea mea", "query": "coada=mine"}).status_code == 302
    listed = page(client.get(URL))
    assert "Apeluri libere" in listed and 'href="/solicitari/?channel=phone&amp;coada=' in listed
    shared = page(colleague.get(URL))
    assert "Apeluri libere" in shared and "Vederea mea" not in shared
    assert f"/solicitari/vederi/{view.pk}/stergere/" not in shared
    duplicate = client.post(save, {"name": " Apeluri  libere ", "query": query})
    assert duplicate.status_code == 409 and error_code(page(duplicate)) == "saved_view_exists"
    unnamed = client.post(save, {"name": "", "query": query})
    assert unnamed.status_code == 400 and "Dați un nume vederii." in page(unnamed)
    bad = client.post(save, {"name": "Greșită", "query": "coada=all&team_id=x"})
    assert bad.status_code == 400 and error_code(page(bad)) == "invalid_id"
    removed = colleague.post(f"/solicitari/vederi/{view.pk}/stergere/")
    assert removed.status_code == 404 and error_code(page(removed)) == "saved_view_not_found"
    assert client.post(f"/solicitari/vederi/{view.pk}/stergere/").status_code == 302
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Vederea mea"]
    assert AuditEvent.objects.filter(action="saved_view.delete", outcome="failure").exists()


def test_bulk_take_reports_each_refusal(signed_in, tenants, in_prov_a, new_ticket) -> None:  # type: ignore[no-untyped-def]
    client, user, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    tickets = [new_ticket(operator, title=f"Cererea {n}") for n in range(3)]
    done = tickets[2]
    ticket_transition(access=operator, ticket_id=done.pk, action="resolve", reason="Gata")
    data = {"ids": [ticket.pk for ticket in tickets], "action": "take",
            "next": "/solicitari/?coada=unassigned"}
    confirm = client.post("/solicitari/actiuni/", data)
    assert confirm.status_code == 200 and "Confirmați acțiunea în bloc" in page(confirm)
    assert all(ticket.number in page(confirm) for ticket in tickets)
    assert not Ticket.objects.filter(assignee=user).exists()  # nothing yet
    applied = client.post("/solicitari/actiuni/", {**data, "confirmare": "1"})
    assert applied.status_code == 302 and applied["Location"] == "/solicitari/?coada=unassigned"
    message = page(client.get(applied["Location"]))
    assert (f"2 solicitări actualizate, 1 refuzată: {done.number}: "
            "Doar solicitările active se repartizează.") in message
    assert set(Ticket.objects.filter(assignee=user).values_list("pk", flat=True)) == {
        tickets[0].pk, tickets[1].pk}
    outside = client.post("/solicitari/actiuni/", {**data, "ids": [999999], "confirmare": "1",
                                                   "next": "https://rau.example/"})
    assert outside["Location"] == "/solicitari/"
    assert "0 solicitări actualizate, 1 refuzată: #999999: Solicitarea nu a fost găsită." in \
        page(client.get("/solicitari/"))
    huge = client.post("/solicitari/actiuni/", {**data, "ids": [10**20, "\u0661"]})
    assert huge.status_code == 400
    none = client.post("/solicitari/actiuni/", {"action": "take", "next": "/solicitari/"})
    assert none.status_code == 400 and "Bifați cel puțin o solicitare." in page(none)


def test_bulk_assign_move_and_close(signed_in, tenants, in_prov_a, new_ticket) -> None:  # type: ignore[no-untyped-def]
    operator_client, _o, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    client, _user, supervisor = worker(signed_in, TenantRole.SUPERVISOR, tenants.prov_a)
    _c, colleague, _a = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    team = Team.objects.create(name="Prima linie")
    queue = Queue.objects.create(name="Certificate", team=team)
    first, second = new_ticket(operator), new_ticket(operator)
    ids = [first.pk, second.pk]

    def bulk(who, **fields):  # type: ignore[no-untyped-def]
        return who.post("/solicitari/actiuni/", {"ids": ids, "confirmare": "1",
                                                 "next": "/solicitari/", **fields})

    # An L1 operator is not offered "assign to"; a forged choice is refused by the form.
    assert 'value="assign"' not in page(operator_client.get(URL))
    assert bulk(operator_client, action="assign", assignee=colleague.pk).status_code == 400
    assert bulk(client, action="assign").status_code == 400  # whom?
    assert bulk(client, action="assign", assignee=colleague.pk).status_code == 302
    assert set(Ticket.objects.values_list("assignee_id", flat=True)) == {colleague.pk}
    assert bulk(client, action="queue", queue=queue.pk).status_code == 302
    assert set(Ticket.objects.values_list("queue_id", "team_id")) == {(queue.pk, team.pk)}
    ticket_transition(access=supervisor, ticket_id=first.pk, action="resolve", reason="Gata")
    bulk(client, action="close")
    assert (f"1 solicitare actualizată, 1 refuzată: {second.number}: "
            "Acțiunea „Închide” nu este permisă") in page(client.get(URL))
    assert Ticket.objects.get(pk=first.pk).status == "closed"


def test_shift_on_and_off(signed_in, tenants, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    client, user, _access = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    refused = client.post("/solicitari/tura/", {"on_shift": "1"}, follow=True)
    assert "Nu faceți parte din nicio echipă" in page(refused)
    assert AuditEvent.objects.filter(action="team_member.shift", outcome="failure",
                                     details__code="not_team_member").exists()
    first = TeamMember.objects.create(team=Team.objects.create(name="Linia 1"), user=user)
    second = TeamMember.objects.create(team=Team.objects.create(name="Linia 2"), user=user)
    html = page(client.get(URL))
    assert "În afara turei" in html and "Intră în tură" in html and "Linia 1, Linia 2" in html
    done = client.post("/solicitari/tura/", {"on_shift": "1", "query": "coada=team"})
    assert done["Location"] == "/solicitari/?coada=team"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.on_shift and second.on_shift
    assert "Ieși din tură" in page(client.get(URL))
    client.post("/solicitari/tura/", {"on_shift": "0"})
    assert not TeamMember.objects.filter(on_shift=True).exists()
    assert AuditEvent.objects.filter(action="team_member.shift", outcome="success",
                                     actor=user).count() == 2


def test_a_limited_hub_operator_sees_only_their_institutions(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _user, operator, coordinator, ours, theirs = limited_hub_operator(signed_in,
                                                                       tenants.hub)
    with schema_context(tenants.hub.schema_name):
        own = ticket_create(access=operator, data=TicketInput(
            channel="phone", title="A noastră", requester=Requester(phone="069111222"),
            institution_id=ours.pk))
        other = ticket_create(access=coordinator, data=TicketInput(
            channel="phone", title="A lor", requester=Requester(phone="069111222"),
            institution_id=theirs.pk))
        html = page(client.get(URL, {"coada": "all"}))
        assert _numbers(html) == [own.number] and _count(html, "all") == "1"
        filters = html.split('name="institution_id"', 1)[1].split("</select>", 1)[0]
        assert ours.name in filters and theirs.name not in filters
        assert _numbers(page(client.get(URL, {"coada": "all", "q": other.number}))) == []
        bulk = client.post("/solicitari/actiuni/", {"ids": [other.pk], "action": "take",
                                                    "confirmare": "1", "next": URL})
        assert bulk.status_code == 302
        assert Ticket.objects.get(pk=other.pk).assignee_id is None
