"""Tickets at 10k, 100k and 1M in one tenant: queues, search, the ticket page and creation.

Run: .venv/bin/python bench/tickets.py [--sizes 10000,100000,1000000] [--runs 30]

What is measured, precisely, at each size (the tickets are added to the same tenant, so the
smaller sizes come first and the ratios are to the first size, measured in the same run):
- list: the first page (50 rows) of ``GET /api/v1/tickets/?queue=<q>`` for mine, unassigned,
  due soon and all, through the test client (middleware, authentication, keyset page, rows
  with their SLA figure, JSON), and the queue page ``/solicitari/?coada=mine`` (HTML, with
  the capped counts of every tab);
- search: the same API list with ``q=`` a common word (in ~10% of the tickets), a rare code
  (in ~1 ticket in 20 000), a ticket number and an IDNP, and the common word in the
  unassigned queue;
- ticket page: the real page ``/solicitari/<id>/`` (ticket, journal, SLA figure, actions,
  forms) and the API's detail + journal, over different tickets, old and new;
- create: ``ticket_create`` (number, requester, routing, SLA clock, journal, audit).
p50/p95 are over ``--runs`` runs after 3 warm-up runs; queries are counted on one run (they
must not grow with the number of tickets). Wall-clock, one process, this machine's shared
PostgreSQL: other work on the machine shows in the p95.

The data is bulk-generated in SQL (``INSERT ... SELECT generate_series``, secondary indexes
dropped during the load and rebuilt after, then ``VACUUM ANALYZE``): per ticket a contact
shared by two tickets, Romanian title and description, status by age (the last 25 days
active, a few older tickets stuck open and breached, the rest resolved, closed or archived),
operators from 50, teams from 5, deadlines 5 days after registration, the search vectors as
``search_index`` writes them, and a journal of one or two entries (registration, reply).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _django

SLUG = "bench-tickets"
OPERATORS = 50
TITLE_WORDS = [
    "certificat", "naștere", "căsătorie", "pașaport", "buletin", "identitate", "permis",
    "conducere", "înmatriculare", "vehicul", "pensie", "indemnizație", "alocație", "șomaj",
    "impozit", "taxă", "plată", "factură", "cerere", "dosar", "programare", "întârziere",
    "eroare", "parolă", "cont", "acces", "semnătură", "electronică", "adeverință", "domiciliu",
    "reședință", "cadastru", "teren", "locuință", "înregistrare", "firmă", "licență",
    "autorizație", "recipisă", "răspuns",
]
TEXT_WORDS = [
    "solicit", "vă", "rog", "să", "verificați", "statutul", "cererii", "depuse", "luna",
    "trecută", "prin", "portalul", "nu", "am", "primit", "niciun", "răspuns", "până", "acum",
    "documentul", "este", "necesar", "urgent", "pentru", "angajator", "plata", "a", "fost",
    "efectuată", "dar", "sistemul", "arată", "datorie", "restantă", "operatorul", "mi-a",
    "spus", "revin", "după", "trei", "zile", "lucrătoare", "secția", "raională", "nu",
    "răspunde", "la", "telefon", "ștampila", "lipsește", "de", "pe", "copia", "actului",
    "numele", "meu", "scris", "greșit", "în", "registru", "doresc", "corectarea", "datelor",
    "mulțumesc", "anticipat", "pentru", "ajutor", "familia", "mea", "așteaptă", "decizia",
    "comisiei", "termenul", "legal", "expirat", "reclamație", "repetată",
]
REPLY_WORDS = [
    "bună", "ziua", "am", "verificat", "dosarul", "dumneavoastră", "cererea", "este", "în",
    "lucru", "vă", "vom", "contacta", "telefonic", "documentul", "poate", "fi", "ridicat",
    "de", "la", "ghișeu", "plata", "a", "fost", "confirmată", "transmis", "către", "specialist",
]
RARE_CODES = 20011


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Generator:
    """Adds tickets, contacts and journal entries to the tenant's schema in bulk."""

    def __init__(self, *, schema: str, operator_ids: list[int], creator_id: int) -> None:
        from sgsc.tenant_apps.catalog.models import Category, Priority, Queue, Service, Team

        self.schema = schema
        self.operator_ids = operator_ids
        self.creator_id = creator_id
        self.priority_ids = list(Priority.objects.values_list("pk", flat=True))
        self.service_ids = list(Service.objects.values_list("pk", flat=True))
        self.category_ids = list(Category.objects.values_list("pk", flat=True))
        self.team_ids = list(Team.objects.values_list("pk", flat=True))
        self.queue_ids = list(Queue.objects.values_list("pk", flat=True))

    @staticmethod
    def _pick(values: list[Any], expression: str = "random()") -> str:
        """A random element of ``values`` as SQL (literals only: ids and our own words)."""
        literal = ",".join(str(v) if isinstance(v, int) else "'" + v.replace("'", "''") + "'"
                           for v in values)
        return f"(ARRAY[{literal}])[1 + floor({expression} * {len(values)})::int]"

    def _words(self, words: list[str], count: int) -> str:
        return " || ' ' || ".join(self._pick(words) for _ in range(count))

    def grow(self, size: int) -> float:
        """Add tickets until the tenant has ``size``; the seconds it took."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), coalesce(max(id), 0), coalesce(max(sequence), 0) "
                           "FROM tickets_ticket")
            count, last_id, last_sequence = cursor.fetchone()
            if size <= count:
                return 0.0
            started = time.perf_counter()
            cursor.execute("SET session_replication_role = replica")  # no FK checks: ids valid
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            indexes = self._drop_indexes(cursor)
            first_contact = self._contacts(cursor, (size - count + 1) // 2)
            self._tickets(cursor, size - count, last_sequence, first_contact)
            self._journal(cursor, last_id)
            for definition in indexes:
                cursor.execute(definition)
            cursor.execute("SET session_replication_role = origin")
            cursor.execute(
                "INSERT INTO tickets_ticketcounter (year, last) SELECT year, max(sequence) "
                "FROM tickets_ticket GROUP BY year ON CONFLICT (year) DO UPDATE "
                "SET last = GREATEST(tickets_ticketcounter.last, EXCLUDED.last)")
            for table in ("tickets_contact", "tickets_ticket", "tickets_journalentry"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        return time.perf_counter() - started

    def _drop_indexes(self, cursor: Any) -> list[str]:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s AND tablename IN "
            "('tickets_ticket', 'tickets_journalentry', 'tickets_contact') AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)", [self.schema])
        rows = cursor.fetchall()
        for name, _definition in rows:
            cursor.execute(f'DROP INDEX "{self.schema}"."{name}"')
        return [definition for _name, definition in rows]

    def _contacts(self, cursor: Any, count: int) -> int:
        """Citizens with IDNP, phone and e-mail (each the requester of two tickets); the id
        of the first (ids of one statement are consecutive)."""
        cursor.execute("SELECT count(*) FROM tickets_contact")
        known = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO tickets_contact (kind, name, idnp, idno, email, phone, created_at, "
            "updated_at) SELECT 'citizen', 'Persoana ' || k, (2000000000000 + k)::text, '', "
            "'persoana' || k || '@example.md', (37360000000 + k)::text, now(), now() "
            "FROM generate_series(%s, %s) AS k RETURNING id", [known + 1, known + count])
        return int(min(row[0] for row in cursor.fetchall()))

    def _tickets(self, cursor: Any, count: int, last_sequence: int, first_contact: int) -> None:
        operators = self._pick(self.operator_ids)
        cursor.execute("SELECT setseed(%s)", [1 / (last_sequence + 2)])
        # Age in days, uniform over three years; the state follows the age.
        cursor.execute(f"""
            INSERT INTO tickets_ticket (number, year, sequence, channel, contact_id, subject,
                title, description, status, level, impact, urgency, priority_id, category_id,
                service_id, institution_id, queue_id, team_id, assignee_id, created_by_id,
                response_target_minutes, resolution_target_minutes, sla_elapsed_minutes,
                sla_running_since, response_due_at, resolution_due_at, sla_warn_at,
                sla_warned_at, sla_breached_at, deadline_fixed, level_due_at,
                first_responded_at, resolved_at, closed_at, archived_at, created_at,
                updated_at, journal_length, search_vector)
            SELECT number, year, sequence, channel, contact_id, '', title, description, status,
                CASE WHEN status = 'escalated' THEN 2 ELSE 1 END, 2, 2, priority_id,
                category_id, service_id, NULL, queue_id, team_id,
                CASE WHEN status = 'new' OR (running AND random() < 0.3) THEN NULL
                     ELSE {operators} END,
                {self.creator_id}, 480, 2400, 0,
                CASE WHEN running THEN created_at END,
                created_at + interval '1 day',
                CASE WHEN status <> 'waiting' THEN created_at + interval '5 days' END,
                CASE WHEN running THEN created_at + interval '90 hours' END,
                NULL, NULL, false, NULL,
                CASE WHEN status <> 'new' THEN created_at + interval '2 hours' END,
                CASE WHEN status IN ('resolved', 'closed', 'archived')
                     THEN created_at + interval '3 days' END,
                CASE WHEN status IN ('closed', 'archived') THEN created_at + interval '8 days'
                     END,
                CASE WHEN status = 'archived' THEN created_at + interval '98 days' END,
                created_at, created_at + interval '2 hours',
                CASE WHEN status = 'new' THEN 1 ELSE 2 END,
                {_vector("document")}
            FROM (
                SELECT generated.*, status IN ('new', 'open', 'escalated') AS running,
                    number || ' ' || title || ' ' || description || ' ' || c.name || ' ' ||
                    c.idnp || ' ' || c.email || ' ' || c.phone AS document
                FROM (
                    SELECT *, 'BENCH-' || year || '-' || lpad(sequence::text, 7, '0') AS number
                    FROM (
                        SELECT %s + j AS sequence, {first_contact} + (j - 1) / 2 AS contact_id,
                            now() - age_days * interval '1 day' AS created_at,
                            extract(year FROM now() - age_days * interval '1 day')::int AS year,
                            CASE
                                WHEN age_days < 25 THEN CASE
                                    WHEN dice < 0.2 THEN 'new' WHEN dice < 0.55 THEN 'open'
                                    WHEN dice < 0.65 THEN 'waiting'
                                    WHEN dice < 0.75 THEN 'escalated' ELSE 'resolved' END
                                WHEN dice < 0.005 THEN 'open'
                                WHEN age_days < 60 THEN 'resolved'
                                WHEN age_days < 150 THEN 'closed' ELSE 'archived' END AS status,
                            {self._pick(["phone", "email", "portal"])} AS channel,
                            initcap({self._words(TITLE_WORDS, 4)}) AS title,
                            {self._words(TEXT_WORDS, 12)} || ' cod' || (j %% {RARE_CODES})
                                AS description,
                            {self._pick(self.priority_ids)} AS priority_id,
                            {self._pick(self.category_ids)} AS category_id,
                            {self._pick(self.service_ids)} AS service_id,
                            {self._pick(self.queue_ids)} AS queue_id,
                            {self._pick(self.team_ids)} AS team_id
                        FROM (SELECT j, random() * 1095 AS age_days, random() AS dice
                              FROM generate_series(1, %s) AS j) AS series
                    ) AS base
                ) AS generated
                JOIN tickets_contact AS c ON c.id = generated.contact_id
            ) AS documented
        """, [last_sequence, count])  # noqa: S608 (our own literals and ids only)

    def _journal(self, cursor: Any, after_id: int) -> None:
        """The registration entry of every new ticket and a public reply on those taken."""
        cursor.execute(f"""
            INSERT INTO tickets_journalentry (ticket_id, seq, at, actor_id, actor_label, kind,
                visibility, changes, body, reason, annuls_id, search_vector)
            SELECT id, 1, created_at, {self.creator_id}, 'Operator bench', 'created', 'public',
                '{{}}'::jsonb, description, '', NULL, {_vector("description")}
            FROM tickets_ticket WHERE id > %s
        """, [after_id])  # noqa: S608 (our own literals and ids only)
        cursor.execute(f"""
            INSERT INTO tickets_journalentry (ticket_id, seq, at, actor_id, actor_label, kind,
                visibility, changes, body, reason, annuls_id, search_vector)
            SELECT id, 2, created_at + interval '2 hours', actor_id, 'Operator bench',
                'reply', 'public', '{{}}'::jsonb, body, '', NULL, {_vector("body")}
            FROM (SELECT id, created_at, coalesce(assignee_id, {self.creator_id}) AS actor_id,
                         {self._words(REPLY_WORDS, 10)} AS body
                  FROM tickets_ticket WHERE id > %s AND status <> 'new') AS replied
        """, [after_id])  # noqa: S608 (our own literals and ids only)


def _vector(text: str) -> str:
    """SQL for what ``search_index.document_vector`` stores: the text under ``romanian`` and
    its folded form (``institutions.selectors.fold``: lower, then the Romanian letters
    without diacritics) under ``simple``."""
    from sgsc.shared_apps.institutions.selectors import _WITH, _WITHOUT

    return (f"to_tsvector('romanian', {text}) || to_tsvector('simple', "
            f"lower(translate(lower({text}), '{_WITH}', '{_WITHOUT}')))")


class Measure:
    def __init__(self, runs: int) -> None:
        self.runs = runs
        # operation -> size -> (p50, p95, queries)
        self.results: dict[str, dict[int, tuple[float, float, int]]] = {}

    def __call__(self, name: str, size: int, action: Callable[[int], Any]) -> None:
        from django.db import connection

        for run in range(3):
            action(run)
        # Counted by a wrapper on the connection: a request closes and reopens it, and the
        # request signals clear Django's own query log.
        queries: list[str] = []

        def count(execute: Any, sql: str, *args: Any) -> Any:
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            action(3)
        timings = []
        for run in range(4, 4 + self.runs):
            started = time.perf_counter()
            action(run)
            timings.append(time.perf_counter() - started)
        self.results.setdefault(name, {})[size] = (
            statistics.median(timings), _percentile(timings, 0.95),
            len(queries))

    def table(self, sizes: list[int], generation: dict[int, float]) -> str:
        base = sizes[0]
        head = "| operation | " + " | ".join(
            f"{size:,} p50 / p95 ms (x{base:,} p50)" for size in sizes) + " | queries |"
        lines = [head, "|" + "---|" * (len(sizes) + 2)]
        for name, by_size in self.results.items():
            cells = []
            for size in sizes:
                p50, p95, _queries = by_size[size]
                ratio = p50 / by_size[base][0]
                cells.append(f"{p50 * 1000:.1f} / {p95 * 1000:.1f} (x{ratio:.2f})")
            queries = sorted({by_size[size][2] for size in sizes})
            lines.append(f"| {name} | " + " | ".join(cells) + " | "
                         + "/".join(str(q) for q in queries) + " |")
        lines.append("| data generation, s | " + " | ".join(
            f"{generation[size]:.0f}" for size in sizes) + " | |")
        return "\n".join(lines)


def _measure_size(measure: Measure, *, size: int, client: Any, tenant: Any, me: Any,
                  services: list[Any]) -> None:
    from django_tenants.utils import schema_context

    from sgsc.tenant_apps.tickets.access import ticket_access_for_user
    from sgsc.tenant_apps.tickets.contacts import Requester
    from sgsc.tenant_apps.tickets.models import Ticket
    from sgsc.tenant_apps.tickets.services import TicketInput, ticket_create

    with schema_context(tenant.schema_name):
        sample = list(Ticket.objects.order_by("?").values_list("pk", "number",
                                                               "contact__idnp")[:40])
        access = ticket_access_for_user(user=me, tenant=tenant)

    def get(url: str, **params: Any) -> None:
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code, response.content[:500])

    def lister(**params: Any) -> Callable[[int], None]:
        return lambda _run: get("/api/v1/tickets/", **params)

    def ticket_page(run: int) -> None:
        get(f"/solicitari/{sample[run % len(sample)][0]}/")

    def ticket_api(run: int) -> None:
        get(f"/api/v1/tickets/{sample[run % len(sample)][0]}/")
        get(f"/api/v1/tickets/{sample[run % len(sample)][0]}/journal/")

    def create(run: int) -> None:
        with schema_context(tenant.schema_name):
            ticket_create(access=access, data=TicketInput(
                channel="phone", title="Nu pot descărca certificatul",
                description="Eroare la plata taxei", service_id=services[run % 20].pk,
                requester=Requester(name="Solicitant nou",  # a new one at every run
                                    phone=f"+373 79 {size // 10000 % 100:02d} {run:04d}")))

    for queue in ("mine", "unassigned", "due_soon", "all"):
        measure(f"list {queue} (API)", size, lister(queue=queue))
    measure("queue page mine (web, with counts)", size,
            lambda _run: get("/solicitari/", coada="mine"))
    for label, text in (("common word", "certificat"), ("rare code", "cod4242"),
                        ("number", sample[0][1]), ("IDNP", sample[1][2])):
        measure(f"search {label} (API)", size, lister(q=text))
    measure("search common word in unassigned (API)", size,
            lister(queue="unassigned", q="certificat"))
    measure("ticket page (web)", size, ticket_page)
    measure("ticket detail + journal (API)", size, ticket_api)
    measure("create (ticket_create)", size, create)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="ticket counts, ascending, comma-separated")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    _django.setup()

    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from sgsc.shared_apps.identity.models import Membership, User
    from sgsc.tenant_apps.catalog.models import Category, Queue, Service, Team, TeamMember
    from sgsc.tenants.models import Tenant
    from sgsc.tenants.services import tenant_create, tenant_host_for

    measure = Measure(args.runs)
    generation: dict[int, float] = {}
    with _django.scratch_database():
        tenant = tenant_create(slug=SLUG, name="Prestator bench", kind=Tenant.Kind.PROVIDER,
                               status=Tenant.Status.ACTIVE)
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        since = timezone.now() - timedelta(days=400)
        users = User.objects.bulk_create(User(email=f"operator{n}@bench.md",
                                              first_name="Operator", last_name=str(n))
                                          for n in range(OPERATORS))
        Membership.objects.bulk_create(Membership(user=user, tenant=tenant, valid_from=since,
                                                  roles=["l1_operator"]) for user in users)
        me = users[0]
        with schema_context(tenant.schema_name):
            services = Service.objects.bulk_create(
                Service(code=f"S{n:02d}", name=f"Serviciul {n}", resolution_hours=40)
                for n in range(20))
            Category.objects.bulk_create(Category(name=f"Categoria {n}") for n in range(10))
            teams = Team.objects.bulk_create(Team(name=f"Echipa {n}") for n in range(5))
            Queue.objects.bulk_create(Queue(name=f"Coada {n}", team=team)
                                      for n, team in enumerate(teams))
            TeamMember.objects.bulk_create(TeamMember(team=teams[n % 5], user=user)
                                           for n, user in enumerate(users))
            generator = Generator(schema=tenant.schema_name,
                                  operator_ids=[user.pk for user in users], creator_id=me.pk)
        client = Client(HTTP_HOST=tenant_host_for(slug=SLUG))
        client.force_login(me)

        for size in sizes:
            with schema_context(tenant.schema_name):
                generation[size] = generator.grow(size)
            print(f"{size:,} tickets in {generation[size]:.0f} s", flush=True)
            _measure_size(measure, size=size, client=client, tenant=tenant, me=me,
                          services=services)
            print(measure.table(sizes[:sizes.index(size) + 1], generation), flush=True)
        connection.set_schema_to_public()  # type: ignore[attr-defined]
    print()
    print(measure.table(sizes, generation))


if __name__ == "__main__":
    main()
