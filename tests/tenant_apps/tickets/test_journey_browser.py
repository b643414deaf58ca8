"""The operator workspace in headless Chromium, on prov-a's host: an L1 operator takes a call
through the phone intake (keyboard only: the number, the service, Ctrl+Enter), takes the
ticket and escalates it to L2; the L2 specialist finds it in the team's queue (j, Enter) and
resolves it; the journal shows every step, and the as-of view shows the ticket as it was
before the escalation.

gunicorn serves the test database from a process of its own, so what it must see is committed
by a module fixture: the two operators, a service and the L2 team. Afterwards everything the
journey stored in prov-a is removed (the ticket's journal only through the superuser's
``session_replication_role``, its append-only trigger refusing any other DELETE), the ticket
numbers are given back, and the accounts, which the audit log refers to, are closed.
"""

from __future__ import annotations

import re
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import ForeignKey
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, ViewportSize, expect

from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.catalog.models import Queue, Service, Team, TeamMember
from sgsc.tenant_apps.tickets.models import Contact, JournalEntry, Ticket, TicketCounter
from sgsc.tenants.models import Tenant
from tests.browser import chromium, gunicorn_port, signed_in
from tests.platform.test_browser import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

SCREENSHOTS = Path(tempfile.gettempdir())
HOST = "prov-a.sgsc.test"
PASSWORD = "Parola-solicitari-2026!"
RUN = uuid.uuid4().hex[:8]
PHONE = "069 " + str(int(RUN, 16) % 900_000 + 100_000)  # one caller per run
SERVICE_CODE = f"CAZ-{RUN}".upper()
TEAM = f"Specialiști cazier {RUN}"
VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}


@dataclass
class Journey:
    operator_email: str
    specialist_email: str
    # What the pages showed, for the check of the stored state that follows.
    shown: dict[str, str] = field(default_factory=dict)


def _remove_tickets(tickets: list[int]) -> None:
    """The journey's tickets and every row that refers to them or to their journal. The
    journal's trigger refuses DELETE, as it must; the test removes its own rows in a session
    whose triggers are off (superuser only), and so must remove the referring rows itself."""
    entries = list(JournalEntry.objects.filter(ticket_id__in=tickets).values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for target, ids in ((JournalEntry, entries), (Ticket, tickets)):
            for relation in target._meta.related_objects:
                foreign_key = relation.field
                if isinstance(foreign_key, ForeignKey):
                    cursor.execute(
                        f"DELETE FROM {relation.related_model._meta.db_table} "  # noqa: S608
                        f"WHERE {foreign_key.column} = ANY(%s)", [ids])
        cursor.execute(f"DELETE FROM {Ticket._meta.db_table} WHERE id = ANY(%s)",  # noqa: S608
                       [tickets])


@pytest.fixture(scope="module")
def journey(django_db_setup: None, django_db_blocker: Any) -> Iterator[Journey]:
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="prov-a")
        operator = User.objects.create_user(f"operator-{RUN}@prov-a.gov.md", PASSWORD,
                                            first_name="Ana", last_name="Operatoare")
        specialist = User.objects.create_user(f"specialist-{RUN}@prov-a.gov.md", PASSWORD,
                                              first_name="Petru", last_name="Specialist")
        seats = [Membership.objects.create(user=operator, tenant=tenant,
                                           roles=[TenantRole.L1_OPERATOR.value]),
                 Membership.objects.create(user=specialist, tenant=tenant,
                                           roles=[TenantRole.L2_SPECIALIST.value])]
        with schema_context(tenant.schema_name):
            counters = dict(TicketCounter.objects.values_list("year", "last"))
            known_tickets = set(Ticket.objects.values_list("pk", flat=True))
            known_contacts = set(Contact.objects.values_list("pk", flat=True))
            service = Service.objects.create(code=SERVICE_CODE, name="Certificat de cazier")
            team = Team.objects.create(name=TEAM, level=2)
            TeamMember.objects.create(team=team, user=specialist)
            queue = Queue.objects.create(name=f"Cazier N2 {RUN}", team=team)
        connection.set_schema_to_public()  # type: ignore[attr-defined]
    yield Journey(operator_email=operator.email, specialist_email=specialist.email)
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        created = list(Ticket.objects.exclude(pk__in=known_tickets).values_list("pk", flat=True))
        if created:
            _remove_tickets(created)
        Contact.objects.exclude(pk__in=known_contacts).delete()
        TicketCounter.objects.exclude(year__in=counters).delete()
        for counter in TicketCounter.objects.all():  # numbers stay gap-free
            counter.last = counters[counter.year]
            counter.save(update_fields=["last"])
        queue.delete()
        TeamMember.objects.filter(team=team).delete()
        team.delete()
        service.delete()
        for seat in seats:
            seat.delete()
        # The audit log keeps referring to the people: the accounts are only closed.
        User.objects.filter(pk__in=[operator.pk, specialist.pk]).update(is_active=False)
    connection.set_schema_to_public()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def server_port(journey: Journey, django_db_blocker: Any,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with gunicorn_port(django_db_blocker, tmp_path_factory) as port:
        yield port


@pytest.fixture
def browser(server_port: int) -> Iterator[Browser]:
    """Chromium; the host is treated as a secure context, as the workspace is under HTTPS in
    production."""
    with chromium(f"--unsafely-treat-insecure-origin-as-secure=http://{HOST}:{server_port}") \
            as launched:
        yield launched


def test_a_call_escalated_to_l2_and_resolved(journey: Journey, browser: Browser,
                                             server_port: int) -> None:
    base = f"http://{HOST}:{server_port}"
    problems: list[str] = []
    pages: dict[str, Page] = {}
    try:
        # L1 takes the call: the number is typed straight away (the field has the focus),
        # the requester is looked up as it is typed, the service picked by its code.
        l1 = pages["l1"] = signed_in(browser, base, email=journey.operator_email,
                                     password=PASSWORD, path="/solicitari/apel/",
                                     viewport=VIEWPORT, problems=problems)
        expect(l1.get_by_role("heading", level=1)).to_have_text("Apel nou")
        expect(l1.get_by_label("Telefon")).to_be_focused()
        l1.keyboard.type(PHONE)
        expect(l1.locator("#contact-lookup")).to_contain_text("Solicitant nou")
        l1.get_by_label("Nume / denumire").fill("Ion Caraman")
        l1.get_by_label("Serviciu (cod sau denumire)").fill(
            f"{SERVICE_CODE} · Certificat de cazier")
        l1.get_by_label("Titlu").fill("Certificatul de cazier nu a sosit")
        l1.get_by_label("Descriere").fill("A depus cererea acum 10 zile pe portal.")
        l1.screenshot(path=str(SCREENSHOTS / "sgsc-tickets-intake.png"), full_page=True)
        l1.keyboard.press("Control+Enter")
        expect(l1.locator("ul.messages")).to_contain_text("a fost înregistrată")
        number = l1.locator(".ticket-number").inner_text()
        journey.shown["number"] = number
        expect(l1.locator("ul.messages")).to_have_text(f"Solicitarea {number} a fost înregistrată.")
        expect(l1.locator(".sla-state")).to_have_text("în termen")
        expect(l1.locator(".badges")).to_contain_text("Telefon")

        l1.get_by_role("button", name="Preia în lucru").click()
        expect(l1.locator("ul.messages")).to_have_text("Solicitarea a fost preluată în lucru.")
        expect(l1.locator(".badges .badge").first).to_have_text("În lucru")
        time.sleep(1.1)  # the as-of view reads to the second: the escalation comes after

        escalation = l1.locator("#actiuni details.action-escalate")
        escalation.locator("summary").click()
        escalation.get_by_label("Motivul").fill("Necesită verificare în registrul de cazier")
        escalation.get_by_label("Echipa nivelului").select_option(label=TEAM)
        escalation.get_by_role("button", name="Escaladează").click()
        expect(l1.locator("ul.messages")).to_have_text(
            "Solicitarea a fost escaladată la nivelul 2.")
        expect(l1.get_by_text("o puteți consulta, dar nu o puteți lucra")).to_be_visible()

        # L2 finds it in the team's queue and opens it from the keyboard.
        l2 = pages["l2"] = signed_in(browser, base, email=journey.specialist_email,
                                     password=PASSWORD, path="/solicitari/?coada=team",
                                     viewport=VIEWPORT, problems=problems)
        rows = l2.locator(".queue-table tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(number)
        expect(rows.first).to_contain_text("Escaladată")
        l2.screenshot(path=str(SCREENSHOTS / "sgsc-tickets-queue.png"), full_page=True)
        l2.keyboard.press("?")  # the shortcuts' help
        expect(l2.locator("#shortcuts")).to_be_visible()
        l2.keyboard.press("Escape")
        # "/" goes to the search; typing narrows the table in place (htmx), the address
        # follows.
        l2.keyboard.press("/")
        expect(l2.get_by_label("Caută")).to_be_focused()
        l2.keyboard.type("inexistent")
        expect(l2.locator("#queue")).to_contain_text("nu corespunde filtrelor")
        expect(l2).to_have_url(re.compile(r"q=inexistent"))
        l2.get_by_label("Caută").fill(number)
        expect(rows).to_have_count(1)
        l2.locator("body").click(position={"x": 5, "y": 300})  # leave the search box
        l2.keyboard.press("j")
        expect(rows.first).to_have_class(re.compile(r"\bcurrent\b"))
        l2.keyboard.press("Enter")
        l2.wait_for_url(f"{base}/solicitari/*/")
        expect(l2.locator(".ticket-number")).to_have_text(number)
        l2.get_by_role("button", name="Atribuie-mi solicitarea").click()
        expect(l2.locator("ul.messages")).to_contain_text("Solicitarea a fost repartizată")
        resolution = l2.locator("#actiuni details.action-resolve")
        resolution.locator("summary").click()
        resolution.get_by_label("Soluția comunicată solicitantului").fill(
            "Certificatul a fost reemis și transmis pe e-mail.")
        resolution.get_by_role("button", name="Soluționează").click()
        expect(l2.locator("ul.messages")).to_have_text("Solicitarea a fost soluționată.")
        expect(l2.locator(".badges .badge").first).to_have_text("Soluționată")

        # The journal shows every step, in order.
        entries = l2.locator(".timeline > li.entry")
        expect(entries.locator(".entry-head strong")).to_have_text([
            "Înregistrare", "Schimbare de stare", "Escaladare", "Repartizare",
            "Schimbare de stare"])
        expect(entries.nth(2)).to_contain_text("Necesită verificare în registrul de cazier")
        expect(entries.nth(2)).to_contain_text(TEAM)
        expect(entries.nth(4)).to_contain_text("Certificatul a fost reemis")
        expect(entries.nth(0)).to_contain_text("Ana Operatoare")
        expect(entries.nth(4)).to_contain_text("Petru Specialist")
        l2.screenshot(path=str(SCREENSHOTS / "sgsc-tickets-journal.png"), full_page=True)

        # As it was just after it was taken: open, level 1, before the escalation.
        entries.nth(1).locator("a.as-of-link").click()
        l2.wait_for_url("**?la=*")
        expect(l2.locator(".as-of-banner")).to_contain_text("Starea la")
        as_of = l2.locator("dl.as-of")
        for label, value in (("Stare", "În lucru"), ("Nivel", "1"), ("Operator", "—")):
            expect(as_of.locator("dt").filter(has_text=re.compile(f"^{label}$"))
                   .locator("xpath=following-sibling::dd[1]")).to_have_text(value)
        expect(l2.locator(".timeline > li.entry")).to_have_count(2)
        expect(l2.locator("#actiuni")).to_have_count(0)
        l2.screenshot(path=str(SCREENSHOTS / "sgsc-tickets-as-of.png"), full_page=True)
    except Exception:
        for who, page in pages.items():
            page.screenshot(path=str(SCREENSHOTS / f"sgsc-tickets-failure-{who}.png"),
                            full_page=True)
        raise
    assert not [text for text in problems if "Content Security Policy" in text], problems


def test_what_the_journey_left_behind(journey: Journey) -> None:
    """Runs after the browser: the stored ticket agrees with what the pages showed."""
    with schema_context(Tenant.objects.get(slug="prov-a").schema_name):
        ticket = Ticket.objects.select_related("contact", "team", "service", "assignee").get(
            number=journey.shown["number"])
        assert (ticket.status, ticket.level, ticket.channel) == ("resolved", 2, "phone")
        assert ticket.team is not None and ticket.team.name == TEAM
        assert ticket.service is not None and ticket.service.code == SERVICE_CODE
        assert ticket.assignee is not None and ticket.assignee.email == journey.specialist_email
        assert ticket.contact.name == "Ion Caraman"
        assert ticket.contact.phone == "373" + PHONE.replace(" ", "").removeprefix("0")
        assert list(ticket.journal.order_by("seq").values_list("kind", flat=True)) == [
            "created", "status", "escalated", "assigned", "status"]
        assert ticket.sla_running_since is None and ticket.resolved_at is not None
