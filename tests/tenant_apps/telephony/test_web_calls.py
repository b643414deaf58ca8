"""The operators' call pages: the list and its filters, one call with its events, the missed
calls called back, the call on the operator's screen, the intake from a call; a hub operator
limited to one institution never sees nor touches another's calls (invariant 1)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.catalog.models import Service
from sgsc.tenant_apps.telephony.models import Call, Connector, Extension, PhoneLine
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.models import Ticket
from tests.tenant_apps.telephony.calls import answered_call, ingest, missed_call
from tests.tenant_apps.telephony.conftest import call_event
from tests.tenant_apps.tickets.web_helpers import error_code, limited_hub_operator, page, worker

pytestmark = pytest.mark.django_db
CHISINAU = ZoneInfo("Europe/Chisinau")
CITIZEN = "+37369123456"
INTAKE = "/solicitari/apel/"


class Desk(NamedTuple):
    """An L1 operator of prov-a at extension 201, the line 022 123 456 and the PBX."""

    client: Client
    user: User
    access: TicketAccess
    connector: Connector
    line: PhoneLine


@pytest.fixture
def desk(signed_in, tenants, in_prov_a, pbx) -> Desk:  # type: ignore[no-untyped-def]
    client, user, access = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    user.first_name, user.last_name = "Ana", "Operatoare"
    user.save(update_fields=["first_name", "last_name"])
    Extension.objects.create(user=user, number="201")
    line = PhoneLine.objects.create(number="37322123456", name="Linia verde")
    return Desk(client, user, access, pbx[0], line)


def _ago(minutes: int) -> datetime:
    return timezone.now() - timedelta(minutes=minutes)


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-call="\d+".*?</tr>', html, flags=re.S)


def test_the_list_shows_each_call_with_its_figures(desk: Desk, signed_in, tenants,
                                                   assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    assert "Niciun apel încă." in page(desk.client.get("/apeluri/"))
    answered_call(desk.connector, call_id="answered-1", ended=_ago(30), seconds=170,
                  wait_seconds=12)
    missed_call(desk.connector, call_id="missed-1", ended=_ago(20), **{"from": "+37379555444"})
    listed = page(desk.client.get("/apeluri/"))
    rows = _rows(listed)
    assert len(rows) == 2
    missed, answered = rows  # newest first
    call = Call.objects.get(pbx_call_id="answered-1")
    for text in (CITIZEN, "Linia verde", "Ana Operatoare", "00:12", "02:50", "Preluat",
                 "De intrare", f'href="{INTAKE}?apel={call.pk}"', f'href="/apeluri/{call.pk}/"'):
        assert text in answered, text
    assert "+37379555444" in missed and "Fără răspuns" in missed and "00:40" in missed
    # The navigation offers the calls right after the intake.
    nav = page(desk.client.get("/")).split("<nav", 1)[1].split("</nav>", 1)[0]
    assert 0 < nav.index('href="/solicitari/apel/"') < nav.index('href="/apeluri/"')
    # The rows' related rows come with them: the queries do not grow with the page.
    for _ in range(10):
        answered_call(desk.connector, ended=_ago(10), seconds=60)
    with assert_max_queries(9):
        assert len(_rows(page(desk.client.get("/apeluri/")))) == 12
    auditor, _user = signed_in(TenantRole.AUDITOR, tenants.prov_a)
    for url in ("/apeluri/", "/apeluri/pierdute/", f"/apeluri/{call.pk}/",
                f"/apeluri/{call.pk}/apelat-inapoi/", "/apeluri/curent/"):
        assert auditor.get(url).status_code == 403, url
    assert 'href="/apeluri/"' not in page(auditor.get("/"))


def test_filters_by_number_result_and_chisinau_time(desk: Desk) -> None:
    # Rung at 23:30 on 10 March and at 00:30 on 11 March, Chisinau time (UTC+2).
    answered_call(desk.connector, call_id="evening", seconds=100,
                  ended=datetime(2026, 3, 10, 23, 32, tzinfo=CHISINAU))
    missed_call(desk.connector, call_id="night", disposition="abandoned",
                ended=datetime(2026, 3, 11, 0, 30, 40, tzinfo=CHISINAU),
                **{"from": "+37379555444"})
    client = desk.client

    def shown(**query: str) -> set[str]:
        html = page(client.get("/apeluri/", query))
        return {pbx for pbx in ("evening", "night")
                if f'data-call="{Call.objects.get(pbx_call_id=pbx).pk}"' in html}

    assert shown() == {"evening", "night"}
    assert shown(q="069 123") == {"evening"}  # typed with the trunk zero
    assert shown(q="555 444") == {"night"}
    assert shown(q="022 123") == {"evening", "night"}  # the line's number
    assert shown(disposition="abandoned") == {"night"}
    # Dates are Chisinau's: 10 March ends at its midnight, not UTC's.
    assert shown(since="2026-03-10", until="2026-03-10") == {"evening"}
    assert shown(since="2026-03-11") == {"night"}
    assert shown(since="10.03.2026 23:00", until="10.03.2026 23:59") == {"evening"}
    assert "Niciun apel nu corespunde filtrelor." in page(client.get("/apeluri/",
                                                                     {"q": "777"}))
    for query, code in (({"disposition": "hung_up"}, "invalid_choice"),
                        ({"since": "2026-03-12", "until": "2026-03-10"}, "invalid_range"),
                        ({"since": "ieri"}, "invalid")):
        response = client.get("/apeluri/", query)
        assert response.status_code == 400 and error_code(page(response)) == code, query
        assert not _rows(page(response))


def test_a_call_shows_its_events_recording_and_ticket(desk: Desk, new_ticket) -> None:  # type: ignore[no-untyped-def]
    start = _ago(15)
    ingest(desk.connector, [
        call_event("call.ringing", "detail", start),
        call_event("call.answered", "detail", start + timedelta(seconds=9), extension="201"),
        call_event("call.ended", "detail", start + timedelta(seconds=99),
                   disposition="answered", talk_seconds=90, extension="201",
                   recording_url="https://pbx.example.md/rec/detail.wav")])
    call = Call.objects.get(pbx_call_id="detail")
    html = page(desk.client.get(f"/apeluri/{call.pk}/"))
    kinds = re.findall(r"<strong><code>(call\.[a-z]+)</code></strong>", html)
    assert kinds == ["call.ringing", "call.answered", "call.ended"]
    assert html.count("<details><summary>") == 3 and "&quot;talk_seconds&quot;: 90" in html
    assert 'href="https://pbx.example.md/rec/detail.wav"' in html
    assert "01:30" in html and "Ana Operatoare" in html and "interior 201" in html
    assert f'href="{INTAKE}?apel={call.pk}"' in html and "Înregistrează solicitarea" in html
    ticket = new_ticket(desk.access)
    Call.objects.filter(pk=call.pk).update(ticket=ticket)
    linked = page(desk.client.get(f"/apeluri/{call.pk}/"))
    assert f'href="/solicitari/{ticket.pk}/"' in linked and ticket.number in linked
    assert "Înregistrează solicitarea" not in linked
    missing = desk.client.get("/apeluri/999999/")
    assert missing.status_code == 404 and error_code(page(missing)) == "call_not_found"


def test_missed_calls_are_called_back_once(desk: Desk) -> None:
    missed_call(desk.connector, call_id="busy", ended=_ago(50), disposition="busy")
    answered_call(desk.connector, call_id="taken", ended=_ago(40), seconds=60)
    missed = Call.objects.get(pbx_call_id="busy")
    taken = Call.objects.get(pbx_call_id="taken")
    listed = page(desk.client.get("/apeluri/pierdute/"))
    assert [f'data-call="{missed.pk}"' in row for row in _rows(listed)] == [True]
    assert f'href="/apeluri/{missed.pk}/apelat-inapoi/"' in listed
    assert f'href="{INTAKE}?apel={missed.pk}"' in listed
    question = page(desk.client.get(f"/apeluri/{missed.pk}/apelat-inapoi/"))
    assert f"L-ați sunat înapoi pe {CITIZEN}?" in question and "Ocupat" in question
    done = desk.client.post(f"/apeluri/{missed.pk}/apelat-inapoi/")
    assert done.status_code == 302 and done["Location"] == "/apeluri/pierdute/"
    missed.refresh_from_db()
    assert missed.called_back_by_id == desk.user.pk and missed.called_back_at is not None
    after = page(desk.client.get("/apeluri/pierdute/"))
    assert f"Apelul de la {CITIZEN} a fost marcat ca apelat înapoi." in after
    assert "Niciun apel pierdut de apelat înapoi." in after
    assert "apelat înapoi" in page(desk.client.get("/apeluri/"))
    for call, code in ((missed, "already_called_back"), (taken, "not_missed")):
        again = desk.client.post(f"/apeluri/{call.pk}/apelat-inapoi/")
        assert again.status_code == 409 and error_code(page(again)) == code
    assert AuditEvent.objects.filter(action="telephony.call.callback",
                                     object_id=str(missed.pk), outcome="success").count() == 1
    assert AuditEvent.objects.filter(action="telephony.call.callback", outcome="failure",
                                     details__code="not_missed").exists()


def test_the_call_pops_up_on_the_operators_screen(desk: Desk, signed_in, tenants,
                                                 client_for) -> None:  # type: ignore[no-untyped-def]
    current = "/apeluri/curent/"
    assert page(desk.client.get(current)).strip() == ""
    for url in ("/solicitari/", INTAKE, "/apeluri/"):
        slot = page(desk.client.get(url))
        assert f'hx-get="{current}" hx-trigger="load, every 5s, call-poll"' in slot, url
    start = timezone.now() - timedelta(seconds=40)
    ingest(desk.connector, [call_event("call.ringing", "live", start)])
    assert page(desk.client.get(current)).strip() == ""  # ringing: nobody has it yet
    ingest(desk.connector, [call_event("call.answered", "live", start + timedelta(seconds=5),
                                       extension="201")])
    call = Call.objects.get(pbx_call_id="live")
    with CaptureQueriesContext(connection) as queries:
        shown = page(desk.client.get(current))
    # One query for the call, on top of what every signed-in request reads (the host's
    # tenant, the session, the person, their membership).
    assert len(queries.captured_queries) <= 7
    assert sum("telephony_call" in query["sql"] for query in queries.captured_queries) == 1
    since = timezone.localtime(call.answered_at, CHISINAU).strftime("%H:%M")
    assert f"Apel în curs de la {CITIZEN}, linia Linia verde, din {since}" in shown
    assert f'href="{INTAKE}?apel={call.pk}"' in shown and "<html" not in shown
    # Only on the line of the person who answered; gone when the call ends.
    colleague, _user, _access = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    assert page(colleague.get(current)).strip() == ""
    ingest(desk.connector, [call_event("call.ended", "live", start + timedelta(seconds=60),
                                       disposition="answered", talk_seconds=55)])
    assert page(desk.client.get(current)).strip() == ""
    # A call whose end never came is not on the screen for ever.
    lost = timezone.now() - timedelta(hours=5)
    ingest(desk.connector, [call_event("call.answered", "lost", lost, extension="201")])
    assert page(desk.client.get(current)).strip() == ""
    # A page left open after signing out stops polling; others never get the slot.
    assert client_for(tenants.prov_a).get(current).status_code == 286
    auditor, _user = signed_in(TenantRole.AUDITOR, tenants.prov_a)
    assert 'hx-get="/apeluri/curent/"' not in page(auditor.get("/"))


def test_a_ticket_registered_from_a_call_is_linked_once(desk: Desk) -> None:
    service = Service.objects.create(code="CERT", name="Certificat de cazier")
    PhoneLine.objects.filter(pk=desk.line.pk).update(service=service)
    start = _ago(2)
    ingest(desk.connector, [
        call_event("call.ringing", "intake", start),
        call_event("call.answered", "intake", start + timedelta(seconds=3), extension="201")])
    call = Call.objects.get(pbx_call_id="intake")
    form = page(desk.client.get(INTAKE, {"apel": call.pk}))
    assert f'name="phone" value="{CITIZEN}"' in form
    assert "autofocus" in form.split('name="name"', 1)[1][:80]  # the number is there already
    assert "autofocus" not in form.split('name="phone"', 1)[1][:80]
    assert 'value="CERT · Certificat de cazier"' in form
    assert f'<input type="hidden" name="call" value="{call.pk}"' in form
    assert f"Apel de la {CITIZEN}" in form and "linia Linia verde" in form
    assert 'hx-get="/apeluri/curent/"' not in form  # the call is already on the form
    data = {"phone": CITIZEN, "name": "Ion Popescu", "idnp": "", "idno": "", "email": "",
            "channel": "phone", "service_code": "CERT · Certificat de cazier",
            "title": "Nu primesc certificatul", "description": "", "subject": "",
            "category": "", "impact": 2, "urgency": 2, "call": call.pk}
    registered = desk.client.post(INTAKE, data)
    ticket = Ticket.objects.get()
    assert registered.status_code == 302 and registered["Location"] == f"/solicitari/{ticket.pk}/"
    call.refresh_from_db()
    assert call.ticket_id == ticket.pk and ticket.service_id == service.pk
    assert ticket.contact.phone == "37369123456"
    detail = page(desk.client.get(f"/apeluri/{call.pk}/"))
    assert f'href="/solicitari/{ticket.pk}/" class="call-ticket-link">{ticket.number}' in detail
    assert AuditEvent.objects.filter(action="telephony.call.ticket", object_id=str(call.pk),
                                     details__ticket=ticket.number).exists()
    # A second registration of the same call is refused, with its code, and stores nothing.
    again = desk.client.post(INTAKE, {**data, "title": "Încă o dată"})
    assert again.status_code == 409 and error_code(page(again)) == "call_has_ticket"
    assert f"Apelul are deja solicitarea {ticket.number}." in page(again)
    assert Ticket.objects.count() == 1
    warned = page(desk.client.get(INTAKE, {"apel": call.pk}))
    assert "Apelul are deja solicitarea" in warned
    for raw in ("999999", "abc", "0", "9" * 30):
        unknown = desk.client.get(INTAKE, {"apel": raw})
        assert unknown.status_code == 404 and error_code(page(unknown)) == "call_not_found"
        assert "Apelul nu a fost găsit." in page(unknown) and 'name="title"' in page(unknown)
    gone = desk.client.post(INTAKE, {**data, "call": 999999})
    assert gone.status_code == 404 and error_code(page(gone)) == "call_not_found"
    assert Ticket.objects.count() == 1


def _hub_calls(hub_pbx: Connector, ours: Any, theirs: Any) -> tuple[Call, Call, Call]:
    """Calls on each institution's line: ours answered, theirs missed, and one of theirs
    now in conversation at the limited operator's extension (201)."""
    PhoneLine.objects.create(number="37322100100", name="Linia noastră", institution=ours)
    PhoneLine.objects.create(number="37322200200", name="Linia lor", institution=theirs)
    answered_call(hub_pbx, call_id="hub-ours", ended=_ago(30), seconds=60, line="022100100",
                  **{"from": "+37369100100"})
    missed_call(hub_pbx, call_id="hub-theirs", ended=_ago(20), line="022200200",
                **{"from": "+37369200200"})
    start = _ago(1)
    theirs_line = {"to": "022200200", "from": "+37369300300"}
    ingest(hub_pbx, [call_event("call.ringing", "hub-live", start, **theirs_line),
                     call_event("call.answered", "hub-live", start + timedelta(seconds=2),
                                extension="201", **theirs_line)])
    return (Call.objects.get(pbx_call_id="hub-ours"), Call.objects.get(pbx_call_id="hub-theirs"),
            Call.objects.get(pbx_call_id="hub-live"))


def test_a_limited_hub_operator_never_sees_another_institutions_calls(  # type: ignore[no-untyped-def]
        signed_in, tenants, hub_pbx) -> None:
    client, user, _operator, _coordinator, ours, theirs = limited_hub_operator(signed_in,
                                                                               tenants.hub)
    with schema_context(tenants.hub.schema_name):
        Extension.objects.create(user=user, number="201")
        mine, other, live = _hub_calls(hub_pbx, ours, theirs)
        listed = page(client.get("/apeluri/"))
        assert f'data-call="{mine.pk}"' in listed and "+37369100100" in listed
        assert "+37369200200" not in listed and "+37369300300" not in listed
        assert len(_rows(page(client.get("/apeluri/", {"q": "69 200 200"})))) == 0
        assert f'data-call="{other.pk}"' not in page(client.get("/apeluri/pierdute/"))
        for url in (f"/apeluri/{other.pk}/", f"/apeluri/{live.pk}/",
                    f"/apeluri/{other.pk}/apelat-inapoi/"):
            refused = client.get(url)
            assert refused.status_code == 404 and error_code(page(refused)) == "call_not_found"
        callback = client.post(f"/apeluri/{other.pk}/apelat-inapoi/")
        assert callback.status_code == 404 and error_code(page(callback)) == "call_not_found"
        other.refresh_from_db()
        assert other.called_back_at is None
        # Answered at the operator's extension, but on another institution's line.
        assert page(client.get("/apeluri/curent/")).strip() == ""
        asked = client.get(INTAKE, {"apel": other.pk})
        assert asked.status_code == 404 and error_code(page(asked)) == "call_not_found"
        assert "+37369200200" not in page(asked)
        forged = client.post(INTAKE, {"phone": "+37369200200", "channel": "phone",
                                      "title": "Furat", "impact": 2, "urgency": 2,
                                      "institution": ours.pk, "call": other.pk})
        assert forged.status_code == 404 and error_code(page(forged)) == "call_not_found"
        assert not Ticket.objects.exists()
        other.refresh_from_db()
        assert other.ticket_id is None
        # Every attempt is recorded: the reads as denied accesses, the refused changes with
        # their code.
        assert AuditEvent.objects.filter(action="access.denied", object_type="telephony.call",
                                         object_id=str(other.pk), actor_id=user.pk).count() == 3
        for action in ("telephony.call.callback", "telephony.call.ticket"):
            assert AuditEvent.objects.filter(action=action, object_id=str(other.pk),
                                             outcome="failure", actor_id=user.pk,
                                             details__code="call_not_found").exists(), action
        # Their own call is theirs to work: opened and registered.
        assert client.get(f"/apeluri/{mine.pk}/").status_code == 200
        form = page(client.get(INTAKE, {"apel": mine.pk}))
        assert f'value="{ours.pk}" selected' in form.split('name="institution"', 1)[1][:2000]
