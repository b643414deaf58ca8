"""Demo support work: each demo tenant's services, teams, queues, routing, SLA policies,
canned replies and articles, and a few hundred tickets in every state over the last months.

Tickets go through the ticket services with their moments set in the past, so their journal,
deadlines, audit events and the nightly meter are exactly what real work would have left.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django_tenants.utils import schema_context
from stdnum.md import idno as stdnum_idno

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


def demo_support_load(*, tenant: Tenant, people: DemoPeople,
                      institutions: dict[str, Institution], days: int) -> int:
    """Configure ``tenant``'s support and register its demo tickets over ``days`` days."""
    rng = random.Random(f"demo-{tenant.slug}")  # noqa: S311 (repeatable demo data, not security)
    outcomes = [name for name, share in _OUTCOMES for _ in range(share)]
    with schema_context(tenant.schema_name):
        services = _configure(tenant=tenant, people=people, institutions=institutions)
        categories = list(Category.objects.all())
        l1, l2, supervisor = (ticket_access_for_user(user=person, tenant=tenant)
                              for person in (people.l1, people.l2, people.supervisor))
        requesters = [Requester(name=name, idnp=_idnp(rng),
                                phone=f"06{rng.randrange(10**7):07d}") for name in _NAMES]
        for number in range(TICKETS_PER_TENANT):
            # Older tickets are done; the newest ones are still being worked.
            days_back = days - number * days // TICKETS_PER_TENANT
            outcome = outcomes[rng.randrange(len(outcomes))] if days_back > 10 else \
                rng.choice(["new", "open", "waiting", "escalated", "resolved"])
            title, description = rng.choice(_SUBJECTS)
            service = rng.choice(services)
            start = _moment(rng, days_back)
            ticket = ticket_create(access=l1, now=start, data=TicketInput(
                channel=rng.choice(["phone", "phone", "email", "portal"]), title=title,
                description=description, requester=rng.choice(requesters),
                service_id=service.pk, category_id=rng.choice(categories).pk,
                impact=rng.choice([1, 2, 2, 3]), urgency=rng.choice([1, 2, 2, 3])))
            _work(rng=rng, outcome=outcome, ticket_id=ticket.pk, start=start, l1=l1, l2=l2,
                  supervisor=supervisor)
    return TICKETS_PER_TENANT
