"""The ticket page: what it shows, each of its forms (and their refusals), its permissions,
hub scoping, and the ticket as it was at a past moment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.catalog.models import CannedReply, KnowledgeArticle, Service, Team
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket
from sgsc.tenant_apps.tickets.services import (
    Escalation,
    TicketInput,
    ticket_create,
    ticket_reply,
    ticket_transition,
    ticket_update,
)
from tests.tenant_apps.tickets.web_helpers import error_code, limited_hub_operator, page, worker

pytestmark = pytest.mark.django_db


def test_the_page_shows_the_ticket_its_clock_requester_and_journal(signed_in, tenants, in_prov_a, new_ticket) -> None:  # type: ignore[no-untyped-def]
    client, _user, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    earlier = new_ticket(operator, title="Cerere veche")
    ticket = new_ticket(operator, description="Nu se deschide pagina")
    html = page(client.get(f"/solicitari/{ticket.pk}/"))
    assert ticket.number in html and "Nu pot accesa certificatul" in html
    assert "Nouă" in html and "Nivelul 1" in html and "Medie" in html
    assert 'class="sla sla-running"' in html and "40:00" in html  # 5 working days
    assert timezone.localtime(ticket.resolution_due_at).strftime("%d.%m.%Y %H:%M") in html
    assert "Ion Popescu" in html and "+37369123456" in html
    assert f'href="/solicitari/{earlier.pk}/"' in html  # the same requester's other ticket
    assert 'id="j1"' in html and "Înregistrare" in html and "Nu se deschide pagina" in html
    assert "Preia în lucru" in html and "Escaladează" in html
    assert "Modifică termenul" not in html and 'name="assign-assignee"' in html  # take only
    assert 'id="ticket-attachments"' in html


def test_by_number_permissions_and_errors(signed_in, client_for, tenants, in_prov_a, new_ticket) -> None:  # type: ignore[no-untyped-def]
    client, _user, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    ticket = new_ticket(operator)
    response = client.get(f"/solicitari/nr/{ticket.number.lower()}/")
    assert response.status_code == 302 and response["Location"] == f"/solicitari/{ticket.pk}/"
    missing = client.get("/solicitari/nr/PROVA-1999-000001/")
    assert missing.status_code == 404 and error_code(page(missing)) == "ticket_not_found"
    assert client.get("/solicitari/999999/").status_code == 404
    assert client.get("/solicitari/99999999999999999999/").status_code == 404
    huge = client.post(f"/solicitari/{ticket.pk}/repartizare/", {"assign-assignee": 10**20})
    assert huge.status_code == 400
    auditor, _ = signed_in(TenantRole.AUDITOR, tenants.prov_a)
    assert auditor.get(f"/solicitari/{ticket.pk}/").status_code == 403
    anonymous = client_for(tenants.prov_a).get(f"/solicitari/{ticket.pk}/")
    assert anonymous.status_code == 302 and "/autentificare/" in anonymous["Location"]
    # prov-b's people never reach prov-a's ticket: the id is another schema's.
    stranger, _ = signed_in(TenantRole.SUPERVISOR, tenants.prov_b)
    with schema_context(tenants.prov_b.schema_name):
        assert stranger.get(f"/solicitari/{ticket.pk}/").status_code == 404


def test_a_limited_hub_operator_gets_404_for_another_institutions_ticket(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, user, operator, coordinator, ours, theirs = limited_hub_operator(signed_in,
                                                                          tenants.hub)
    with schema_context(tenants.hub.schema_name):
        requester = Requester(name="Maria Rusu", phone="069000111")
        own = ticket_create(access=operator, data=TicketInput(
            channel="phone", title="A noastră", requester=requester, institution_id=ours.pk))
        other = ticket_create(access=coordinator, data=TicketInput(
            channel="phone", title="A lor", requester=requester, institution_id=theirs.pk))
        html = page(client.get(f"/solicitari/{own.pk}/"))
        assert "A noastră" in html
        assert other.number not in html  # nor among the requester's other tickets
        refused = client.get(f"/solicitari/{other.pk}/")
        assert refused.status_code == 404 and error_code(page(refused)) == "ticket_not_found"
        assert client.get(f"/solicitari/nr/{other.number}/").status_code == 404
        assert client.post(f"/solicitari/{other.pk}/raspuns/",
                           {"body": "x", "visibility": "public"}).status_code == 404
    denied = AuditEvent.objects.filter(action="access.denied", actor=user,
                                       object_type="ticket").latest("id")
    assert denied.details == {"reason": "institution_not_served"}


def test_reply_and_internal_note(signed_in, tenants, in_prov_a, new_ticket) -> None:  # type: ignore[no-untyped-def]
    client, _user, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    ticket = new_ticket(operator)
    url = f"/solicitari/{ticket.pk}/raspuns/"
    response = client.post(url, {"body": "Vă rugăm reîncercați.", "visibility": "public"})
    assert response.status_code == 302
    assert client.post(url, {"body": "Verificat în registru", "visibility": "internal"}
                       ).status_code == 302
    reply, note = ticket.journal.order_by("seq")[1:]
    assert (reply.kind, reply.visibility) == ("reply", "public")
    assert (note.kind, note.visibility) == ("note", "internal")
    html = page(client.get(f"/solicitari/{ticket.pk}/"))
    assert 'class="entry kind-reply public"' in html and 'class="entry kind-note internal"' in html
    assert "Nota internă a fost adăugată." in html
    empty = client.post(url, {"body": "  ", "visibility": "public"})
    assert empty.status_code == 400 and "Scrieți mesajul." in page(empty)
    too_long = client.post(url, {"body": "x" * 20_001, "visibility": "internal"})
    assert too_long.status_code == 400
    assert ticket.journal.count() == 3


def test_canned_replies_and_articles_of_the_service(signed_in, tenants, in_prov_a, new_ticket) -> None:  # type: ignore[no-untyped-def]
    client, _user, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    cert = Service.objects.create(code="CERT", name="Certificat")
    other = Service.objects.create(code="ALT", name="Alt serviciu")
    CannedReply.objects.create(title="Salut general", body="Bună ziua,")
    CannedReply.objects.create(title="Despre certificat", body="Certificatul se eliberează",
                               service=cert)
    CannedReply.objects.create(title="Alt răspuns", body="x", service=other)
    article = KnowledgeArticle.objects.create(title="Cum se eliberează certificatul", body="Pași")
    article.services.add(cert)
    ticket = new_ticket(operator, service_id=cert.pk)
    html = page(client.get(f"/solicitari/{ticket.pk}/"))
    assert "Salut general" in html and "Despre certificat" in html and "Alt răspuns" not in html
    assert 'data-text="Certificatul se eliberează"' in html
    assert "Baza de cunoștințe" in html and "Cum se eliberează certificatul" in html


def test_take_escalate_to_l2_and_level_rules(signed_in, tenants, in_prov_a, new_ticket) -> None:  # type: ignore[no-untyped-def]
    client, _user, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    team = Team.objects.create(name="Specialiști N2", level=2)
    ticket = new_ticket(operator)
    base = f"/solicitari/{ticket.pk}"
    assert client.post(f"{base}/actiune/take/").status_code == 302
    # Closing an open ticket is not a move of the state machine.
    refused = client.post(f"{base}/actiune/close/")
    assert refused.status_code == 409 and error_code(page(refused)) == "invalid_transition"
    unknown = client.post(f"{base}/actiune/fly/")
    assert unknown.status_code == 404 and error_code(page(unknown)) == "unknown_action"
    no_reason = client.post(f"{base}/actiune/escalate/", {"escalate-team": team.pk})
    assert no_reason.status_code == 400 and "Indicați motivul." in page(no_reason)
    wrong_team = client.post(f"{base}/actiune/escalate/", {"escalate-reason": "Registru",
                                                           "escalate-team": 999999})
    assert wrong_team.status_code == 400 and error_code(page(wrong_team)) == "unknown_team"
    past = client.post(f"{base}/actiune/escalate/", {
        "escalate-reason": "Registru", "escalate-due_at": "2020-01-01T10:00"})
    assert past.status_code == 400 and error_code(page(past)) == "level_deadline_past"
    done = client.post(f"{base}/actiune/escalate/", {"escalate-reason": "Verificare în registru",
                                                     "escalate-team": team.pk}, follow=True)
    assert "Solicitarea a fost escaladată la nivelul 2." in page(done)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.level, ticket.team_id) == ("escalated", 2, team.pk)
    # L1 still reads it, but works it no more: no actions, and a forged one is refused.
    html = page(client.get(f"{base}/"))
    assert "o puteți consulta, dar nu o puteți lucra" in html and 'id="actiuni"' not in html
    forged = client.post(f"{base}/actiune/resolve/", {"resolve-reason": "gata"})
    assert forged.status_code == 403 and error_code(page(forged)) == "level_not_allowed"
    specialist, _user, _access = worker(signed_in, TenantRole.L2_SPECIALIST, tenants.prov_a)
    assert specialist.post(f"{base}/actiune/resolve/", {"resolve-reason": "Date corectate"}
                           ).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    kinds = list(ticket.journal.order_by("seq").values_list("kind", flat=True))
    assert kinds == ["created", "status", "escalated", "status"]


def test_edit_the_data(signed_in, tenants, in_prov_a, new_ticket) -> None:  # type: ignore[no-untyped-def]
    client, _user, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    cert = Service.objects.create(code="CERT", name="Certificat")
    ticket = new_ticket(operator)
    url = f"/solicitari/{ticket.pk}/date/"
    data = {"edit-title": "Certificat neprimit", "edit-subject": "", "edit-description": "",
            "edit-service": cert.pk, "edit-category": "", "edit-impact": 1,
            "edit-urgency": 1, "edit-queue": "", "edit-reason": "Clarificat la telefon"}
    assert client.post(url, data).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.title, ticket.service_id, ticket.priority.code) == (
        "Certificat neprimit", cert.pk, "p1")
    entry = ticket.journal.get(seq=2)
    assert entry.kind == "updated" and entry.reason == "Clarificat la telefon"
    assert {"title", "service_id", "priority_id"} <= set(entry.changes)
    html = page(client.get(f"/solicitari/{ticket.pk}/"))
    assert "Certificat neprimit" in html and "CERT · Certificat" in html
    unknown = client.post(url, {**data, "edit-service": 999999})
    assert unknown.status_code == 400 and error_code(page(unknown)) == "unknown_service"
    assert "Valoarea aleasă nu există." in page(unknown)
    assert client.post(url, {**data, "edit-title": ""}).status_code == 400
    assert client.post(url, {**data, "edit-impact": 7}).status_code == 400
    assert ticket.journal.count() == 2


def test_assignment(signed_in, tenants, in_prov_a, new_ticket) -> None:  # type: ignore[no-untyped-def]
    client, user, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    colleague_client, colleague, _ = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    ticket = new_ticket(operator)
    url = f"/solicitari/{ticket.pk}/repartizare/"
    assert client.post(url, {"assign-assignee": user.pk}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee_id == user.pk and ticket.status == "open"
    # Handing it to someone else is a supervisor's right: the 403 page with its code.
    refused = client.post(url, {"assign-assignee": colleague.pk})
    assert refused.status_code == 403 and error_code(page(refused)) == "permission_denied"
    supervisor, _s, _a = worker(signed_in, TenantRole.SUPERVISOR, tenants.prov_a)
    _auditor_client, auditor = signed_in(TenantRole.AUDITOR, tenants.prov_a)
    html = page(supervisor.get(f"/solicitari/{ticket.pk}/"))
    offered = html.split('id="id_assign-assignee"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{colleague.pk}"' in offered  # who may work the ticket
    assert f'<option value="{auditor.pk}"' not in offered
    assert supervisor.post(url, {"assign-assignee": colleague.pk}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee_id == colleague.pk
    unknown = supervisor.post(url, {"assign-assignee": 999999})
    assert unknown.status_code == 400 and error_code(page(unknown)) == "unknown_assignee"
    assert colleague_client.get(f"/solicitari/{ticket.pk}/").status_code == 200


def test_deadline_edit_is_the_supervisors(signed_in, tenants, in_prov_a, new_ticket) -> None:  # type: ignore[no-untyped-def]
    client, _user, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    ticket = new_ticket(operator)
    url = f"/solicitari/{ticket.pk}/termen/"
    due = timezone.localtime() + timedelta(days=20)
    data = {"deadline-due_at": due.strftime("%Y-%m-%dT%H:%M"), "deadline-reason": "Acord"}
    assert "Modifică termenul" not in page(client.get(f"/solicitari/{ticket.pk}/"))
    forged = client.post(url, data)
    assert forged.status_code == 403 and error_code(page(forged)) == "deadline_edit_denied"
    supervisor, _s, _a = worker(signed_in, TenantRole.SUPERVISOR, tenants.prov_a)
    assert "Modifică termenul" in page(supervisor.get(f"/solicitari/{ticket.pk}/"))
    past = supervisor.post(url, {**data, "deadline-due_at": "2020-01-01T10:00"})
    assert past.status_code == 400 and error_code(page(past)) == "deadline_past"
    assert supervisor.post(url, {**data, "deadline-due_at": "mâine"}).status_code == 400
    done = supervisor.post(url, data, follow=True)
    assert due.strftime("%d.%m.%Y %H:%M") in page(done) and "termen stabilit de supervizor" in page(done)
    ticket.refresh_from_db()
    assert ticket.deadline_fixed and ticket.journal.latest("seq").kind == "sla"
    assert AuditEvent.objects.filter(action="ticket.deadline", outcome="failure",
                                     details__code="deadline_edit_denied").exists()


def test_correction_annuls_and_replaces_an_entry(signed_in, tenants, in_prov_a, new_ticket) -> None:  # type: ignore[no-untyped-def]
    client, _user, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    ticket = new_ticket(operator, title="Titlu greșit")
    url = f"/solicitari/{ticket.pk}/corectare/"
    nothing = client.post(url, {"correct-entry": 1, "correct-reason": "x"})
    assert nothing.status_code == 400 and "Indicați cel puțin o valoare nouă." in page(nothing)
    no_reason = client.post(url, {"correct-entry": 1, "correct-title": "Titlu corect"})
    assert no_reason.status_code == 400
    assert client.post(url, {"correct-entry": 1, "correct-title": "Titlu corect",
                             "correct-reason": "Greșeală de tastare"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.title == "Titlu corect"
    correction = ticket.journal.get(seq=2)
    assert correction.kind == JournalEntry.Kind.CORRECTION and correction.annuls.seq == 1
    html = page(client.get(f"/solicitari/{ticket.pk}/"))
    assert 'id="j1" class="entry kind-created public annulled"' in html
    assert 'Anulată și înlocuită de <a href="#j2">' in html and '<a href="#j1">' in html
    again = client.post(url, {"correct-entry": 1, "correct-title": "Alt titlu",
                              "correct-reason": "din nou"})
    assert again.status_code == 400  # an annulled entry is no longer offered


def test_as_of_view_shows_the_ticket_before_the_escalation(signed_in, tenants, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    client, _user, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    now = timezone.now()
    ticket = ticket_create(access=operator, data=TicketInput(
        channel="phone", title="Cerere", requester=Requester(name="Ana")),
        now=now - timedelta(hours=3))
    ticket_transition(access=operator, ticket_id=ticket.pk, action="escalate",
                      reason="Nivelul 2 decide", escalation=Escalation(level=2),
                      now=now - timedelta(hours=1))
    before = timezone.localtime(now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    html = page(client.get(f"/solicitari/{ticket.pk}/", {"la": before}))
    assert "Starea la" in html and 'class="as-of"' in html
    as_of = html.split('class="as-of"', 1)[1].split("</dl>", 1)[0]
    assert "<dd>Nouă</dd>" in as_of and "<dd>1</dd>" in as_of
    assert 'id="j1"' in html and 'id="j2"' not in html  # the journal up to then
    assert 'id="actiuni"' not in html and "Modifică datele" not in html  # read only
    current = page(client.get(f"/solicitari/{ticket.pk}/"))
    assert 'id="j2"' in current and "Escaladare" in current and "Nivelul 2 decide" in current
    too_early = page(client.get(f"/solicitari/{ticket.pk}/", {"la": "2000-01-01T00:00"}))
    assert "nu era încă înregistrată" in too_early
    invalid = client.get(f"/solicitari/{ticket.pk}/", {"la": "ieri"})
    assert invalid.status_code == 400 and "Data și ora nu sunt valide." in page(invalid)
    assert Ticket.objects.get(pk=ticket.pk).level == 2


def test_the_page_reads_the_same_number_of_times_however_long_the_journal(signed_in, tenants, in_prov_a, new_ticket, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    client, _user, supervisor = worker(signed_in, TenantRole.SUPERVISOR, tenants.prov_a)
    services = [Service.objects.create(code=f"S{n}", name=f"Serviciul {n}") for n in range(2)]
    ticket = new_ticket(supervisor, service_id=services[0].pk)
    url = f"/solicitari/{ticket.pk}/"
    ticket_update(access=supervisor, ticket_id=ticket.pk, changes={"service_id": services[1].pk})
    client.get(url)  # the session and the caches are warm from here on
    with assert_max_queries(45) as captured:
        assert client.get(url).status_code == 200
    short = len(captured.captured_queries)  # read now: the next request resets the log
    for n in range(12):
        ticket_reply(access=supervisor, ticket_id=ticket.pk, body=f"Nota {n}", public=n % 2 == 0)
        ticket_update(access=supervisor, ticket_id=ticket.pk,
                      changes={"service_id": services[n % 2].pk, "title": f"Titlul {n}"})
    with assert_max_queries(short):
        assert 'id="j26"' in page(client.get(url))
