"""Demo support work: each demo tenant's services, teams, queues, routing, SLA policies,
canned replies and articles, and a few hundred tickets in every state over the last months;
its phone lines (in a hub, one per member institution), a PBX connector, the operators'
extensions and the calls of the same months, some of which registered the phone tickets.

Tickets go through the ticket services with their moments set in the past, so their journal,
deadlines, audit events and the nightly meter are exactly what real work would have left.
Calls come the way a PBX reports them: batches of events through the ingest service, read
by the ``call_minutes`` meter like any other; a ticket registered from a call, and a missed
call called back, go through the telephony services too.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context
from stdnum.md import idno as stdnum_idno

from sgsc.billing.usage.meters import SEAT_ROLES
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.institutions.models import Institution
from sgsc.shared_apps.workdays.selectors import local_zone
from sgsc.tenant_apps.catalog.models import (
    CannedReply,
    Category,
    KnowledgeArticle,
    Priority,
    Queue,
    RoutingRule,
    Service,
    Team,
    TeamMember,
)
from sgsc.tenant_apps.sla.models import SlaPolicy
from sgsc.tenant_apps.telephony.models import Call, PhoneLine
from sgsc.tenant_apps.telephony.protocol import MAX_BATCH, batch_parse
from sgsc.tenant_apps.telephony.selectors import extension_candidates
from sgsc.tenant_apps.telephony.services import (
    ExtensionInput,
    PhoneLineInput,
    call_called_back,
    call_events_ingest,
    call_ticket_create,
    connector_issue,
    extension_save,
    phone_line_save,
)
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for_user
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.lifecycle import Action
from sgsc.tenant_apps.tickets.services import (
    Escalation,
    TicketInput,
    ticket_create,
    ticket_reply,
    ticket_transition,
)
from sgsc.tenants.models import Tenant

TICKETS_PER_TENANT = 240

# (code, name, institution key in the hub or None, delivery standard in working hours)
_SERVICES: dict[str, list[tuple[str, str, str | None, int | None]]] = {
    "provider": [
        ("CNAS-01", "Eliberarea certificatului de asigurat", None, 24),
        ("CNAS-02", "Stabilirea pensiei pentru limită de vârstă", None, 120),
        ("CNAS-03", "Indemnizația pentru incapacitate temporară de muncă", None, 80),
        ("CNAS-04", "Extrasul din contul personal de asigurări sociale", None, 16),
    ],
    "hub": [
        ("ANOFM-01", "Înregistrarea în calitate de șomer", "anofm", 40),
        ("ANOFM-02", "Ajutorul de șomaj", "anofm", 80),
        ("ANAS-01", "Ajutorul social", "anas", 80),
        ("ANAS-02", "Compensația pentru perioada rece a anului", "anas", 40),
    ],
}
_SUBJECTS = [
    ("Nu pot accesa certificatul în portal", "Am încercat de mai multe ori și primesc eroare."),
    ("Termenul de examinare a cererii", "Aș dori să știu când va fi examinată cererea mea."),
    ("Date greșite în extras", "În extras lipsesc perioadele lucrate în 2019-2020."),
    ("Lista documentelor necesare", "Ce acte trebuie să prezint pentru această prestație?"),
    ("Plata nu a fost primită", "Plata pentru luna trecută nu a ajuns pe card."),
    ("Schimbarea datelor de contact", "Mi-am schimbat numărul de telefon și adresa."),
    ("Eroare la semnarea electronică", "MSign returnează o eroare la semnarea cererii."),
    ("Programare la ghișeu", "Doresc o programare pentru depunerea actelor în original."),
]
_NAMES = ["Ion Popescu", "Maria Rusu", "Vasile Ceban", "Elena Munteanu", "Andrei Țurcan",
          "Natalia Șcerbina", "Gheorghe Lungu", "Tatiana Moraru", "Sergiu Bălan",
          "Ana Cojocaru", "Mihai Ursu", "Olga Grosu", "Dumitru Sîrbu", "Irina Botnaru"]
# The share of tickets left in each end state (the rest of the list is the remainder).
_OUTCOMES = [("new", 8), ("open", 12), ("waiting", 8), ("escalated", 10), ("resolved", 14),
             ("closed", 36), ("archived", 12)]

# (number as STISC wrote it, name, institution key in the hub or None, default service)
_LINES: dict[str, list[tuple[str, str, str | None, str | None]]] = {
    "provider": [
        ("022 257 800", "Centrul de contact CNAS", None, None),
        ("0 800 10 800", "Linia verde CNAS", None, "CNAS-02"),
        ("022 257 850", "Linia pentru indemnizații", None, "CNAS-03"),
    ],
    "hub": [
        ("022 269 101", "Linia ANOFM", "anofm", "ANOFM-01"),
        ("022 269 202", "Linia ANAS", "anas", "ANAS-01"),
    ],
}
# Calls besides those that registered tickets, each working day; missed ones (no answer,
# hung up while queued, busy) and the share of them called back within the next hours.
CALLS_PER_DAY = (2, 4)
MISSED_SHARE = 0.15
CALLED_BACK_SHARE = 0.7
_MISSED_DISPOSITIONS = [Call.Disposition.NO_ANSWER, Call.Disposition.NO_ANSWER,
                        Call.Disposition.ABANDONED, Call.Disposition.ABANDONED,
                        Call.Disposition.BUSY]
# The phone tickets registered from the call they came in on.
TICKETS_FROM_CALLS_SHARE = 0.6


@dataclass(frozen=True)
class DemoPeople:
    l1: User
    l2: User
    supervisor: User


def _idnp(rng: random.Random) -> str:
    body = f"200{rng.randrange(10**9):09d}"
    return body + stdnum_idno.calc_check_digit(body)


def _configure(*, tenant: Tenant, people: DemoPeople,
               institutions: dict[str, Institution]) -> list[Service]:
    services = [Service.objects.create(code=code, name=name, resolution_hours=hours,
                                       institution=institutions.get(key) if key else None)
                for code, name, key, hours in _SERVICES[str(tenant.kind)]]
    for name in ("Acces la servicii electronice", "Plăți și prestații", "Date personale",
                 "Informații generale"):
        Category.objects.create(name=name)
    first_line = Team.objects.create(name="Centrul de contact (nivelul 1)", level=1)
    specialists = Team.objects.create(name="Specialiști (nivelul 2)", level=2)
    TeamMember.objects.create(team=first_line, user=people.l1, on_shift=True)
    TeamMember.objects.create(team=specialists, user=people.l2, on_shift=True)
    general = Queue.objects.create(name="Solicitări generale", team=first_line,
                                   auto_assign=True)
    Queue.objects.create(name="Cazuri escaladate", team=specialists)
    RoutingRule.objects.create(position=10, name="Toate solicitările", queue=general)
    for priority in Priority.objects.all():
        SlaPolicy.objects.create(priority=priority, first_response_minutes=60 * priority.rank,
                                 resolution_minutes=8 * 60 * (priority.rank + 1))
    CannedReply.objects.create(title="Confirmarea înregistrării", body=(
        "Bună ziua! Solicitarea dumneavoastră a fost înregistrată și va fi examinată în "
        "termenul stabilit. Vă mulțumim!"))
    CannedReply.objects.create(title="Solicitare de acte", body=(
        "Pentru a continua examinarea, vă rugăm să ne transmiteți copia actului de identitate."))
    article = KnowledgeArticle.objects.create(
        title="Cum obțin documentul prin portalul de servicii", body=(
            "Autentificați-vă prin MPass, alegeți serviciul, completați cererea și semnați-o "
            "cu MSign. Documentul vine în cutia poștală electronică."))
    article.services.set(services)
    return services


def _moment(rng: random.Random, days_back: int) -> datetime:
    """A working-hours moment ``days_back`` days ago, in Chișinău."""
    day = (datetime.now(tz=local_zone()) - timedelta(days=days_back)).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime.combine(day, time(8 + rng.randrange(9), rng.randrange(60)),
                            tzinfo=local_zone())


def _work(*, rng: random.Random, outcome: str, ticket_id: int, start: datetime,
          l1: TicketAccess, l2: TicketAccess, supervisor: TicketAccess) -> None:
    """Take the ticket from registration to ``outcome``, a few working hours per step."""
    step = iter(start + timedelta(minutes=25 * n + rng.randrange(20)) for n in range(1, 20))

    def act(access: TicketAccess, action: Action, reason: str = "",
            escalation: Escalation | None = None) -> None:
        ticket_transition(access=access, ticket_id=ticket_id, action=action, reason=reason,
                          escalation=escalation, now=next(step))

    if outcome == "new":
        return
    ticket_reply(access=l1, ticket_id=ticket_id, public=True, now=next(step),
                 body="Bună ziua! Am preluat solicitarea și revenim cu un răspuns.")
    if outcome == "waiting":
        act(l1, Action.WAIT, "Așteptăm copia actului de identitate")
        return
    if outcome == "open":
        return
    resolver = l1
    if outcome == "escalated" or rng.random() < 0.3:
        act(l1, Action.ESCALATE, "Necesită verificarea datelor în sistemul informațional",
            Escalation(level=2))
        if outcome == "escalated":
            return
        resolver = l2
        ticket_reply(access=l2, ticket_id=ticket_id, public=False, now=next(step),
                     body="Datele au fost verificate și corectate în registru.")
        act(l2, Action.RESOLVE, "Datele au fost corectate; solicitantul a fost informat")
    else:
        act(l1, Action.RESOLVE, "Consultanță oferită la primul contact")
    if outcome == "resolved":
        return
    act(resolver, Action.CLOSE)
    if outcome == "archived":
        act(supervisor, Action.ARCHIVE)


@dataclass(frozen=True)
class _Agent:
    access: TicketAccess
    extension: str


Event = dict[str, Any]


class _DemoPbx:
    """The demo tenant's PBX: its lines, connector and extensions configured through the
    telephony services, and its calls reported as batches of events through
    ``call_events_ingest``, in the order they happened. The connector's key is not kept."""

    def __init__(self, *, tenant: Tenant, admin: User, institutions: dict[str, Institution],
                 rng: random.Random, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.connector, _key = connector_issue(actor=admin, name="Asterisk, centrul de contact")
        services = dict(Service.objects.values_list("code", "pk"))
        self.lines: list[tuple[PhoneLine, str]] = []  # with the number as the PBX dials it
        for number, name, key, service in _LINES[str(tenant.kind)]:
            line = phone_line_save(actor=admin, data=PhoneLineInput(
                number=number, name=name,
                institution=institutions[key].pk if key else None,
                service=services[service] if service else None))
            self.lines.append((line, number.replace(" ", "")))
        self.agents: list[_Agent] = []
        seats = extension_candidates().filter(roles__overlap=[str(role) for role in SEAT_ROLES])
        for extension, membership in enumerate(seats, start=201):
            extension_save(actor=admin, data=ExtensionInput(user=membership.user_id,
                                                            number=str(extension)))
            if membership.valid_until is None:  # temporary access began now: no past calls
                self.agents.append(_Agent(ticket_access_for_user(user=membership.user,
                                                                 tenant=tenant), str(extension)))
        self.queued: list[tuple[datetime, list[Event]]] = []
        self.pending: list[Event] = []
        self.callbacks: list[tuple[_Agent, str, datetime]] = []
        self._ids = itertools.count(1)

    def _call_id(self, at: datetime) -> str:
        return f"{int(at.timestamp())}.{next(self._ids)}"  # as Asterisk's linkedid

    @staticmethod
    def _event(call_id: str, kind: str, at: datetime, **fields: Any) -> Event:
        return {"event_id": f"{call_id}.{kind.rsplit('.', 1)[1]}", "type": kind,
                "call_id": call_id, "at": at.isoformat(), **fields}

    def agent_of(self, user: User) -> _Agent:
        return next(agent for agent in self.agents if agent.access.user.pk == user.pk)

    def _answering(self, line: PhoneLine) -> _Agent:
        return self.rng.choice([agent for agent in self.agents
                                if agent.access.institution_scope is None
                                or line.institution_id in agent.access.institution_scope])

    def mobile(self) -> str:
        number = f"{self.rng.choice('67')}{self.rng.randrange(10**7):07d}"
        return self.rng.choice([f"0{number}", f"+373 {number[:2]} {number[2:5]} {number[5:]}"])

    def answered(self, *, line: tuple[PhoneLine, str], caller: str, agent: _Agent,
                 answered_at: datetime, talk: int, wait: int, outbound: bool = False,
                 ) -> tuple[str, list[Event]] | None:
        """A call answered at the agent's extension; None if it would end in the future."""
        ended = answered_at + timedelta(seconds=talk)
        if ended >= self.now:
            return None
        start = answered_at - timedelta(seconds=wait)
        call_id = self._call_id(start)
        common: Event = ({"direction": "outbound", "from": line[1], "to": caller} if outbound
                         else {"direction": "inbound", "from": caller, "to": line[1]})
        return call_id, [
            self._event(call_id, "call.ringing", start, **common),
            self._event(call_id, "call.answered", answered_at, extension=agent.extension,
                        **common),
            self._event(call_id, "call.ended", ended, disposition="answered",
                        talk_seconds=talk, wait_seconds=wait, extension=agent.extension,
                        **common)]

    def _missed(self, *, line: tuple[PhoneLine, str], caller: str, start: datetime) -> None:
        disposition = self.rng.choice(_MISSED_DISPOSITIONS)
        wait = 0 if disposition == Call.Disposition.BUSY else self.rng.randint(15, 180)
        ended = start + timedelta(seconds=wait)
        if ended >= self.now:
            return
        call_id = self._call_id(start)
        common: Event = {"direction": "inbound", "from": caller, "to": line[1]}
        self.queued.append((start, [
            self._event(call_id, "call.ringing", start, **common),
            self._event(call_id, "call.ended", ended, disposition=disposition,
                        wait_seconds=wait, **common)]))
        if self.rng.random() < CALLED_BACK_SHARE:
            agent = self._answering(line[0])
            answered_at = ended + timedelta(minutes=self.rng.randint(10, 150))
            back = self.answered(line=line, caller=caller, agent=agent,
                                 answered_at=answered_at, talk=self.rng.randint(30, 240),
                                 wait=self.rng.randint(8, 25), outbound=True)
            if back is not None:
                self.queued.append((answered_at, back[1]))
                self.callbacks.append((agent, call_id, datetime.fromisoformat(
                    back[1][-1]["at"])))

    def schedule(self, *, days: int, callers: list[str]) -> None:
        """The calls of every working day of the last ``days`` days, besides the tickets'."""
        today = self.now.astimezone(local_zone()).date()
        for back in range(days, -1, -1):
            day = today - timedelta(days=back)
            if day.weekday() >= 5:
                continue
            for _ in range(self.rng.randint(*CALLS_PER_DAY)):
                start = datetime.combine(day, time(8 + self.rng.randrange(9),
                                                   self.rng.randrange(60),
                                                   self.rng.randrange(60)), tzinfo=local_zone())
                line = self.rng.choice(self.lines)
                caller = self.rng.choice(callers) if self.rng.random() < 0.3 else self.mobile()
                if self.rng.random() < MISSED_SHARE:
                    self._missed(line=line, caller=caller, start=start)
                    continue
                wait = self.rng.randint(5, 90)
                call = self.answered(line=line, caller=caller, agent=self._answering(line[0]),
                                     answered_at=start + timedelta(seconds=wait),
                                     talk=self.rng.randint(30, 600), wait=wait)
                if call is not None:
                    self.queued.append((start, call[1]))
        self.queued.sort(key=lambda item: item[0])

    def ticket_call(self, *, start: datetime, caller: str, agent: _Agent,
                    institution_id: int | None) -> int | None:
        """The call during which ``agent`` registers a ticket at ``start``, reported with
        everything that happened before it; its id (None: it would end in the future)."""
        lines = [line for line in self.lines if line[0].institution_id == institution_id]
        talk = self.rng.randint(120, 600)
        call = self.answered(line=self.rng.choice(lines or self.lines), caller=caller,
                             agent=agent, talk=talk, wait=self.rng.randint(5, 60),
                             answered_at=start - timedelta(seconds=self.rng.randint(40, 110)))
        if call is None:
            return None
        while self.queued and self.queued[0][0] <= start:
            self.pending += self.queued.pop(0)[1]
        self.pending += call[1]
        self.flush()
        return int(Call.objects.values_list("pk", flat=True).get(pbx_call_id=call[0]))

    def flush(self) -> None:
        """Send what is pending in batches, each answered the moment after its last event."""
        events = sorted(self.pending, key=lambda event: datetime.fromisoformat(event["at"]))
        self.pending = []
        for first in range(0, len(events), MAX_BATCH):
            batch = batch_parse({"events": events[first:first + MAX_BATCH]})
            call_events_ingest(connector=self.connector, events=batch,
                               now=batch[-1].at + timedelta(seconds=2))

    def finish(self) -> None:
        """The calls left, then the missed ones marked called back by who called."""
        self.pending += [event for _start, events in self.queued for event in events]
        self.queued = []
        self.flush()
        calls = dict(Call.objects.filter(pbx_call_id__in=[call_id for _agent, call_id, _at
                                                          in self.callbacks])
                     .values_list("pbx_call_id", "pk"))
        for agent, call_id, at in self.callbacks:
            call_called_back(access=agent.access, call_id=calls[call_id], now=at)


def demo_support_load(*, tenant: Tenant, people: DemoPeople,
                      institutions: dict[str, Institution], days: int) -> int:
    """Configure ``tenant``'s support and register its demo tickets and calls over ``days``
    days."""
    rng = random.Random(f"demo-{tenant.slug}")  # noqa: S311 (repeatable demo data, not security)
    calls_rng = random.Random(f"demo-calls-{tenant.slug}")  # noqa: S311 (the same)
    outcomes = [name for name, share in _OUTCOMES for _ in range(share)]
    with schema_context(tenant.schema_name):
        services = _configure(tenant=tenant, people=people, institutions=institutions)
        categories = list(Category.objects.all())
        l1, l2, supervisor = (ticket_access_for_user(user=person, tenant=tenant)
                              for person in (people.l1, people.l2, people.supervisor))
        requesters = [Requester(name=name, idnp=_idnp(rng),
                                phone=f"06{rng.randrange(10**7):07d}") for name in _NAMES]
        pbx = _DemoPbx(tenant=tenant, admin=people.supervisor, institutions=institutions,
                       rng=calls_rng, now=timezone.now())
        pbx.schedule(days=days, callers=[requester.phone for requester in requesters])
        operator = pbx.agent_of(people.l1)
        for number in range(TICKETS_PER_TENANT):
            # Older tickets are done; the newest ones are still being worked.
            days_back = days - number * days // TICKETS_PER_TENANT
            outcome = outcomes[rng.randrange(len(outcomes))] if days_back > 10 else \
                rng.choice(["new", "open", "waiting", "escalated", "resolved"])
            title, description = rng.choice(_SUBJECTS)
            service = rng.choice(services)
            start = _moment(rng, days_back)
            channel = rng.choice(["phone", "phone", "email", "portal"])
            requester = rng.choice(requesters)
            data = TicketInput(
                channel=channel, title=title, description=description, requester=requester,
                service_id=service.pk, category_id=rng.choice(categories).pk,
                impact=rng.choice([1, 2, 2, 3]), urgency=rng.choice([1, 2, 2, 3]))
            call_id = (pbx.ticket_call(start=start, caller=requester.phone, agent=operator,
                                       institution_id=service.institution_id)
                       if channel == "phone" and calls_rng.random() < TICKETS_FROM_CALLS_SHARE
                       else None)
            ticket = (call_ticket_create(access=l1, call_id=call_id, data=data, now=start)
                      if call_id is not None else ticket_create(access=l1, now=start, data=data))
            _work(rng=rng, outcome=outcome, ticket_id=ticket.pk, start=start, l1=l1, l2=l2,
                  supervisor=supervisor)
        pbx.finish()
    return TICKETS_PER_TENANT
