"""The call pops up on the operator's screen, in headless Chromium on prov-a's host: the PBX
reports over HTTP, with its connector key, that a call is ringing and then that the operator's
extension answered it; the operator, on the queue page, sees the call appear within a poll,
registers its ticket from the prefilled intake, and the call's page shows the ticket.

gunicorn serves the test database from a process of its own, so what it must see is committed
by a module fixture (the operator, their extension, the line and the connector); afterwards
everything the test stored in prov-a is removed (the append-only call events and the ticket's
journal only in a session whose triggers are off) and the account is closed."""

from __future__ import annotations

import http.client
import json
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, expect

from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.telephony.models import Call, CallEvent, Connector, Extension, PhoneLine
from sgsc.tenant_apps.telephony.services import connector_issue
from sgsc.tenant_apps.tickets.models import Contact, Ticket, TicketCounter
from sgsc.tenants.models import Tenant
from tests.browser import chromium, gunicorn_port, signed_in
from tests.platform.test_browser import CHROMIUM
from tests.tenant_apps.telephony.conftest import call_event
from tests.tenant_apps.tickets.test_journey_browser import _remove_tickets

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

SCREENSHOTS = Path(tempfile.gettempdir())
HOST = "prov-a.sgsc.test"
PASSWORD = "Parola-apeluri-2026!"
RUN = uuid.uuid4().hex[:8]
DIGITS = f"{int(RUN, 16) % 900_000 + 100_000}"  # one line, caller and extension per run
LINE = f"37322{DIGITS}"
CALLER = f"+37369{DIGITS}"
EXTENSION = f"9{DIGITS}"
CALL_ID = f"browser-{RUN}"


@dataclass
class Desk:
    operator_email: str
    key: str
    # What the pages showed, for the check of the stored state that follows.
    shown: dict[str, str] = field(default_factory=dict)


def _remove_calls(connector: Connector) -> None:
    """The connector's calls and their events; the events' trigger refuses DELETE, as it
    must, so the test removes its own rows with the triggers off (superuser only)."""
    calls = list(Call.objects.filter(connector=connector).values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for model in (CallEvent, Call):
            column = "call_id" if model is CallEvent else "id"
            cursor.execute(f"DELETE FROM {model._meta.db_table} "  # noqa: S608
                           f"WHERE {column} = ANY(%s)", [calls])


@pytest.fixture(scope="module")
def desk(django_db_setup: None, django_db_blocker: Any) -> Iterator[Desk]:
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="prov-a")
        operator = User.objects.create_user(f"apeluri-{RUN}@prov-a.gov.md", PASSWORD,
                                            first_name="Ana", last_name="Operatoare")
        seat = Membership.objects.create(user=operator, tenant=tenant,
                                         roles=[TenantRole.L1_OPERATOR.value])
        with schema_context(tenant.schema_name):
            counters = list(TicketCounter.objects.all())
            known_tickets = set(Ticket.objects.values_list("pk", flat=True))
            known_contacts = set(Contact.objects.values_list("pk", flat=True))
            extension = Extension.objects.create(user=operator, number=EXTENSION)
            line = PhoneLine.objects.create(number=LINE, name=f"Linia verde {RUN}")
            connector, key = connector_issue(actor=operator, name=f"Asterisk {RUN}")
        connection.set_schema_to_public()  # type: ignore[attr-defined]
    yield Desk(operator_email=operator.email, key=key)
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        _remove_calls(connector)
        created = list(Ticket.objects.exclude(pk__in=known_tickets).values_list("pk", flat=True))
        if created:
            _remove_tickets(created)
        Contact.objects.exclude(pk__in=known_contacts).delete()
        # The numbers the test took are given back, so later ones stay gap-free.
        TicketCounter.objects.exclude(pk__in=[counter.pk for counter in counters]).delete()
        TicketCounter.objects.bulk_update(counters, ["last"])
        connector.delete()
        line.delete()
        extension.delete()
        seat.delete()
        # The audit log keeps referring to the person: the account is only closed.
        User.objects.filter(pk=operator.pk).update(is_active=False)
    connection.set_schema_to_public()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def server_port(desk: Desk, django_db_blocker: Any,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with gunicorn_port(django_db_blocker, tmp_path_factory) as port:
        yield port


@pytest.fixture
def browser(server_port: int) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _pbx_reports(port: int, key: str, *events: dict[str, Any]) -> None:
    """What the PBX does: POST the events with its connector key (from Python, to the
    loopback with the tenant's Host header: Python's resolver knows no test hosts)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/api/v1/telephony/events/", body=json.dumps({"events": events}),
                     headers={"Host": f"{HOST}:{port}", "Authorization": f"Connector {key}",
                              "Content-Type": "application/json"})
        response = conn.getresponse()
        body = response.read().decode()
        assert response.status == 202, body
        assert [result["status"] for result in json.loads(body)["results"]] == [
            "accepted"] * len(events)
    finally:
        conn.close()


def _event(kind: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return call_event(kind, CALL_ID, at, event_id=f"{CALL_ID}.{kind}", to=f"0{LINE[3:]}",
                      **{"from": CALLER}, **fields)


def test_the_call_pops_up_and_becomes_a_ticket(desk: Desk, browser: Browser,
                                               server_port: int) -> None:
    base = f"http://{HOST}:{server_port}"
    problems: list[str] = []
    pages: dict[str, Page] = {}
    try:
        operator = pages["operator"] = signed_in(browser, base, email=desk.operator_email,
                                                 password=PASSWORD, path="/solicitari/",
                                                 problems=problems)
        slot = operator.locator("#current-call")
        expect(slot).to_have_attribute("hx-trigger", "load, every 5s, call-poll")
        expect(slot.locator(".current-call")).to_have_count(0)

        # The PBX: the call rings, then the operator's extension answers it.
        rang = timezone.now() - timedelta(seconds=20)
        _pbx_reports(server_port, desk.key, _event("call.ringing", rang))
        _pbx_reports(server_port, desk.key, _event("call.answered", rang + timedelta(seconds=8),
                                                   extension=EXTENSION))
        # Within one poll (5 s), without touching the page.
        expect(slot).to_contain_text(f"Apel în curs de la {CALLER}, linia Linia verde {RUN}",
                                     timeout=12_000)
        operator.screenshot(path=str(SCREENSHOTS / "sgsc-calls-popup.png"), full_page=True)
        slot.get_by_role("link", name="Înregistrează solicitarea").click()
        operator.wait_for_url(f"{base}/solicitari/apel/?apel=*")
        expect(operator.locator(".intake-call")).to_contain_text(f"Apel de la {CALLER}")
        expect(operator.get_by_label("Telefon")).to_have_value(CALLER)
        expect(operator.get_by_label("Canal")).to_have_value("phone")
        operator.get_by_label("Titlu").fill("Întrebare despre certificatul de cazier")
        operator.get_by_role("button", name="Înregistrează", exact=True).click()
        operator.wait_for_url(f"{base}/solicitari/*/")
        expect(operator.locator("ul.messages")).to_contain_text("a fost înregistrată")
        number = operator.locator(".ticket-number").inner_text()
        desk.shown["number"] = number

        # The call's page, found in the calls list by a part of the number, shows the ticket.
        operator.goto(f"{base}/apeluri/?q={DIGITS}")
        rows = operator.locator("table.calls tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(number)
        rows.first.locator("td").first.get_by_role("link").click()
        operator.wait_for_url(f"{base}/apeluri/*/")
        expect(operator.locator(".call-ticket-link")).to_have_text(number)
        expect(operator.locator(".call-events .entry")).to_have_count(2)
        operator.screenshot(path=str(SCREENSHOTS / "sgsc-calls-detail.png"), full_page=True)

        # Hung up: the queue page no longer shows it.
        _pbx_reports(server_port, desk.key, _event(
            "call.ended", rang + timedelta(seconds=98), disposition="answered",
            talk_seconds=90, extension=EXTENSION))
        operator.goto(f"{base}/solicitari/")
        expect(operator.locator("#current-call")).to_have_attribute("hx-get", "/apeluri/curent/")
        operator.wait_for_load_state("networkidle")
        expect(operator.locator("#current-call .current-call")).to_have_count(0)
    except Exception:
        for who, page in pages.items():
            page.screenshot(path=str(SCREENSHOTS / f"sgsc-calls-failure-{who}.png"),
                            full_page=True)
        raise
    assert not [text for text in problems if "Content Security Policy" in text], problems


def test_what_the_call_left_behind(desk: Desk) -> None:
    """Runs after the browser: the stored call and ticket agree with what the pages showed."""
    with schema_context(Tenant.objects.get(slug="prov-a").schema_name):
        call = Call.objects.select_related("ticket__contact", "agent", "line").get(
            pbx_call_id=CALL_ID)
        assert call.ticket is not None and call.ticket.number == desk.shown["number"]
        assert (call.state, call.disposition, call.talk_seconds) == ("ended", "answered", 90)
        assert call.agent is not None and call.agent.email == desk.operator_email
        assert call.line is not None and call.line.number == LINE
        assert (call.ticket.channel, call.ticket.contact.phone) == ("phone", CALLER[1:])
        assert call.events.count() == 3
