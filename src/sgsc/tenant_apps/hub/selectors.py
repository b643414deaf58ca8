"""Reads of the hub coordinator's view (journey 2): the hub's member institutions, their load
now, their routing and the figures of a period. The pages, the CSV and the API all take their
numbers from here, so a figure is the same wherever it is shown (invariant 5).

Every read goes through the reader's ``TicketAccess`` (hub scoping, invariant 1): a person
limited to some of the hub's institutions sees only those, on every page and in every file.
Call these inside the hub's schema; ``tenant`` is the hub (the views refuse other tenants).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.institutions.models import Institution
from sgsc.shared_apps.institutions.served_selectors import served_institutions
from sgsc.shared_apps.workdays.selectors import local_date, local_zone
from sgsc.tenant_apps.catalog.models import Queue, RoutingRule, Service, Team, TeamMember
from sgsc.tenant_apps.sla.selectors import working_time
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.queues import QueueName, TicketFilters, ticket_queue
from sgsc.tenant_apps.tickets.selectors import tickets_visible
from sgsc.tenants.models import Tenant

S = Ticket.Status
ACTIVE = Ticket.ACTIVE_STATUSES
MAX_PERIOD_DAYS = 366
# Dates outside these bounds are typing errors, and the extremes of ``date`` cannot even be
# turned into moments of the local zone.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2999, 12, 31)
ONE_DECIMAL = Decimal("0.1")

# A ticket resolved in time: resolved before its resolution deadline as recorded on the
# ticket (the service's term, or the one a supervisor fixed). From the deadline on, the
# operators' "breached" queue and the SLA figure (``sla.selectors.sla_figure``) already count
# the ticket late, so one resolved at that very moment is late. Every within-deadline figure
# of the hub (pages, CSV, API) counts this way.
WITHIN_DEADLINE = Q(resolution_due_at__isnull=False, resolved_at__lt=F("resolution_due_at"))


# --- the period --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Calendar days in Europe/Chisinau, ``first`` and ``last`` included."""

    first: date
    last: date

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=local_zone())

    @property
    def until(self) -> datetime:
        """The first moment after the period (midnight starting the next day)."""
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=local_zone())


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _day(text: str, field: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidInput(_("Perioada se indică prin date de forma AAAA-LL-ZZ."),
                           code="invalid_period", fields={field: [_("Dată nevalidă.")]})
    return day


def period_parse(*, first: str = "", last: str = "", today: date | None = None) -> Period:
    """The period asked for, as ISO dates. Neither given: the current month (Chisinau dates);
    only one: the rest of its month. Codes ``invalid_period``, ``period_too_long``."""
    first_day, last_day = _day(first, "from"), _day(last, "to")
    if first_day is None and last_day is None:
        first_day = (today or local_date(timezone.now())).replace(day=1)
    if first_day is None:
        assert last_day is not None  # noqa: S101 (narrowing for mypy)
        first_day = last_day.replace(day=1)
    if last_day is None:
        last_day = _month_end(first_day)
    if last_day < first_day:
        raise InvalidInput(_("Sfârșitul perioadei este înaintea începutului ei."),
                           code="invalid_period", fields={"to": [_("Dată nevalidă.")]})
    if (last_day - first_day).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput(_("Perioada poate avea cel mult %(days)d de zile.")
                           % {"days": MAX_PERIOD_DAYS}, code="period_too_long",
                           fields={"to": [_("Perioadă prea lungă.")]})
    return Period(first=first_day, last=last_day)


# --- figures -----------------------------------------------------------------------------------

def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in per cent, one decimal; ``None`` when there is no whole."""
    if not whole:
        return None
    return (Decimal(part * 100) / whole).quantize(ONE_DECIMAL, ROUND_HALF_UP)


@dataclass(frozen=True)
class PeriodFigures:
    """What a period brought: every count adds up, so totals are sums of finer cells."""

    registered: int = 0
    open: int = 0  # registered in the period and still active
    resolved: int = 0  # resolved in the period (whenever registered)
    within_deadline: int = 0  # of those resolved, resolved in time (``WITHIN_DEADLINE``)
    # Working minutes from registration to resolution of the resolved ones, summed.
    resolution_minutes: int = 0

    def __add__(self, other: PeriodFigures) -> PeriodFigures:
        return PeriodFigures(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                                for f in fields(self)})

    @property
    def within_deadline_percent(self) -> Decimal | None:
        return percent(self.within_deadline, self.resolved)

    @property
    def mean_resolution_hours(self) -> Decimal | None:
        """Mean time to resolve, in working hours of the hub's clock, one decimal."""
        if not self.resolved:
            return None
        return (Decimal(self.resolution_minutes) / (self.resolved * 60)).quantize(
            ONE_DECIMAL, ROUND_HALF_UP)


Cell = tuple[int | None, str, int | None]  # institution, channel, service


def _period_cells(tickets: QuerySet[Ticket], period: Period) -> dict[Cell, PeriodFigures]:
    """The period's figures per institution, channel and service, in two queries whatever
    the number of tickets: the counts grouped in SQL, then the resolved tickets' two moments
    (the working time between them is the clock's arithmetic, in Python)."""
    registered = Q(created_at__gte=period.since, created_at__lt=period.until)
    resolved = Q(resolved_at__gte=period.since, resolved_at__lt=period.until)
    keys = ("institution_id", "channel", "service_id")
    clock = working_time()
    minutes: dict[Cell, int] = defaultdict(int)
    moments = (tickets.filter(resolved).order_by()
               .values_list(*keys, "created_at", "resolved_at").iterator(chunk_size=2000))
    for institution_id, channel, service_id, created_at, resolved_at in moments:
        minutes[(institution_id, channel, service_id)] += clock.minutes_between(created_at,
                                                                                resolved_at)
    counts = (tickets.filter(registered | resolved).order_by().values(*keys).annotate(
        n_registered=Count("pk", filter=registered),
        n_open=Count("pk", filter=registered & Q(status__in=ACTIVE)),
        n_resolved=Count("pk", filter=resolved),
        n_within=Count("pk", filter=resolved & WITHIN_DEADLINE)))
    cells: dict[Cell, PeriodFigures] = {}
    for row in counts:
        cell = (row["institution_id"], row["channel"], row["service_id"])
        cells[cell] = PeriodFigures(registered=row["n_registered"], open=row["n_open"],
                                    resolved=row["n_resolved"], within_deadline=row["n_within"],
                                    resolution_minutes=minutes[cell])
    return cells


@dataclass(frozen=True)
class Load:
    """An institution's active tickets now. ``unassigned``, ``due_soon`` and ``breached`` count
    exactly what the operators' queues of those names hold (``tickets.queues``)."""

    new: int = 0
    open: int = 0
    waiting: int = 0
    escalated: int = 0
    assigned: int = 0
    unassigned: int = 0
    due_soon: int = 0
    breached: int = 0

    @property
    def active(self) -> int:
        return self.new + self.open + self.waiting + self.escalated


def _count_by(tickets: QuerySet[Ticket], *keys: str) -> dict[tuple[Any, ...], int]:
    rows = tickets.order_by().values(*keys).annotate(n=Count("pk")).values_list(*keys, "n")
    return {tuple(row[:-1]): row[-1] for row in rows}


def _queue(access: TicketAccess, member: Q, queue: QueueName, now: datetime) -> QuerySet[Ticket]:
    """The operators' queue ``queue``, for the institutions in ``member``."""
    return ticket_queue(access=access, queue=queue, filters=TicketFilters(),
                        now=now).filter(member)


def _load(access: TicketAccess, member: Q, now: datetime) -> dict[int | None, Load]:
    rows = (tickets_visible(access=access).filter(member, status__in=ACTIVE).order_by()
            .values("institution_id").annotate(
                n_new=Count("pk", filter=Q(status=S.NEW)),
                n_open=Count("pk", filter=Q(status=S.OPEN)),
                n_waiting=Count("pk", filter=Q(status=S.WAITING)),
                n_escalated=Count("pk", filter=Q(status=S.ESCALATED)),
                n_assigned=Count("pk", filter=Q(assignee__isnull=False))))
    unassigned, due_soon, breached = (
        _count_by(_queue(access, member, queue, now), "institution_id")
        for queue in (QueueName.UNASSIGNED, QueueName.DUE_SOON, QueueName.BREACHED))
    loads: dict[int | None, Load] = {}
    for row in rows:
        key = (row["institution_id"],)
        loads[row["institution_id"]] = Load(
            new=row["n_new"], open=row["n_open"], waiting=row["n_waiting"],
            escalated=row["n_escalated"], assigned=row["n_assigned"],
            unassigned=unassigned.get(key, 0), due_soon=due_soon.get(key, 0),
            breached=breached.get(key, 0))
    return loads


@dataclass(frozen=True)
class Staffing:
    """The people of an institution's active teams (catalog ``TeamMember``)."""

    operators: int = 0
    on_shift: int = 0


def _staffing(institution_ids: list[int]) -> dict[int, Staffing]:
    rows = (TeamMember.objects.filter(team__is_active=True, team__institution_id__in=institution_ids,
                                      user__is_active=True)
            .order_by().values("team__institution_id").annotate(
                n_operators=Count("user_id", distinct=True),
                n_on_shift=Count("user_id", distinct=True, filter=Q(on_shift=True))))
    return {row["team__institution_id"]: Staffing(operators=row["n_operators"],
                                                  on_shift=row["n_on_shift"]) for row in rows}


# --- scope -------------------------------------------------------------------------------------

def hub_institutions(*, access: TicketAccess, tenant: Tenant) -> list[Institution]:
    """The hub's current member institutions the person serves, by name."""
    institutions = served_institutions(user=access.user, tenant=tenant)
    if access.institution_scope is not None:
        institutions = institutions.filter(pk__in=access.institution_scope)
    return list(institutions)


def hub_member_q(*, access: TicketAccess, institutions: list[Institution]) -> Q:
    """The tickets of ``institutions``; someone not limited to institutions also sees those
    not given an institution yet (they still need routing). Apply it on top of
    ``tickets_visible``, which applies the person's scope."""
    member = Q(institution_id__in=[institution.pk for institution in institutions])
    if access.institution_scope is None:
        member |= Q(institution__isnull=True)
    return member


# --- the overview and the workload -------------------------------------------------------------

@dataclass(frozen=True)
class InstitutionRow:
    institution: Institution | None  # None: tickets without an institution
    load: Load
    staffing: Staffing
    period: PeriodFigures | None  # None: no period asked for (the workload page)


def _by_institution(cells: dict[Cell, PeriodFigures]) -> dict[int | None, PeriodFigures]:
    totals: dict[int | None, PeriodFigures] = defaultdict(PeriodFigures)
    for (institution_id, _channel, _service), figures in cells.items():
        totals[institution_id] += figures
    return totals


def hub_overview(*, access: TicketAccess, tenant: Tenant, period: Period | None,
                 now: datetime) -> list[InstitutionRow]:
    """One row per member institution the person serves: the load now and, with a period,
    its figures; a last row for tickets without an institution when there are any. The number
    of queries does not grow with institutions or tickets."""
    institutions = hub_institutions(access=access, tenant=tenant)
    member = hub_member_q(access=access, institutions=institutions)
    loads = _load(access, member, now)
    figures = (_by_institution(_period_cells(tickets_visible(access=access).filter(member),
                                             period)) if period is not None else {})
    staffing = _staffing([institution.pk for institution in institutions])
    empty = PeriodFigures() if period is not None else None
    rows = [InstitutionRow(institution=institution, load=loads.get(institution.pk, Load()),
                           staffing=staffing.get(institution.pk, Staffing()),
                           period=figures.get(institution.pk, empty))
            for institution in institutions]
    if None in loads or None in figures:
        rows.append(InstitutionRow(institution=None, load=loads.get(None, Load()),
                                   staffing=Staffing(), period=figures.get(None, empty)))
    return rows


@dataclass(frozen=True)
class OperatorLoad:
    operator: User
    institution: Institution | None
    active: int
    breached: int


def hub_operator_load(*, access: TicketAccess, institutions: list[Institution],
                      now: datetime) -> list[OperatorLoad]:
    """Active tickets assigned to each operator, per institution, by operator name."""
    member = hub_member_q(access=access, institutions=institutions)
    keys = ("assignee_id", "institution_id")
    active = _count_by(tickets_visible(access=access).filter(
        member, status__in=ACTIVE, assignee__isnull=False), *keys)
    breached = _count_by(_queue(access, member, QueueName.BREACHED, now), *keys)
    people = User.objects.in_bulk({assignee_id for assignee_id, _institution in active})
    by_id = {institution.pk: institution for institution in institutions}
    loads = [OperatorLoad(operator=people[key[0]], institution=by_id.get(key[1]), active=count,
                          breached=breached.get(key, 0)) for key, count in active.items()]
    return sorted(loads, key=lambda load: (str(load.operator).lower(), load.operator.pk,
                                           load.institution.name if load.institution else ""))


# --- the report --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Breakdown:
    key: str  # the channel's code or the service's id ("" for no service)
    label: str
    figures: PeriodFigures


@dataclass(frozen=True)
class InstitutionReport:
    institution: Institution | None
    totals: PeriodFigures
    by_channel: list[Breakdown]
    by_service: list[Breakdown]


def _breakdown(cells: dict[Cell, PeriodFigures], institution_id: int | None, position: int,
               labels: dict[str, str]) -> list[Breakdown]:
    sums: dict[str, PeriodFigures] = defaultdict(PeriodFigures)
    for cell, figures in cells.items():
        if cell[0] == institution_id:
            value = cell[position]
            sums["" if value is None else str(value)] += figures
    return sorted((Breakdown(key=key, label=labels.get(key, key), figures=figures)
                   for key, figures in sums.items()), key=lambda item: item.label.lower())


def hub_report(*, access: TicketAccess, tenant: Tenant,
               period: Period) -> list[InstitutionReport]:
    """Per institution the person serves: the period's totals, by channel and by service
    (and a last entry for tickets without an institution, when there are any)."""
    institutions = hub_institutions(access=access, tenant=tenant)
    member = hub_member_q(access=access, institutions=institutions)
    cells = _period_cells(tickets_visible(access=access).filter(member), period)
    channels = {str(channel): str(label) for channel, label in Ticket.Channel.choices}
    services = {str(service.pk): f"{service.code} {service.name}" for service in
                Service.objects.filter(pk__in={cell[2] for cell in cells if cell[2]})}
    services[""] = _("Fără serviciu")
    totals = _by_institution(cells)
    reported: list[Institution | None] = list(institutions)
    if None in totals:
        reported.append(None)
    reports = []
    for institution in reported:
        pk = institution.pk if institution is not None else None
        reports.append(InstitutionReport(
            institution=institution, totals=totals.get(pk, PeriodFigures()),
            by_channel=_breakdown(cells, pk, 1, channels),
            by_service=_breakdown(cells, pk, 2, services)))
    return reports


# --- routing and reassignment -----------------------------------------------------------------

@dataclass(frozen=True)
class RoutingGroup:
    institution: Institution | None  # None: rules that name no institution (they apply to all)
    rules: list[RoutingRule]


def hub_routing(*, institutions: list[Institution]) -> list[RoutingGroup]:
    """The routing rules by the institution they route for: the rule's own, else its
    service's. Rules of institutions the person does not serve are left out."""
    rules = (RoutingRule.objects.select_related("queue__team__institution", "service",
                                                "institution")
             .order_by("position", "pk"))
    grouped: dict[int | None, list[RoutingRule]] = defaultdict(list)
    for rule in rules:
        key = rule.institution_id or (rule.service.institution_id if rule.service else None)
        grouped[key].append(rule)
    groups = [RoutingGroup(institution=institution, rules=grouped.get(institution.pk, []))
              for institution in institutions]
    return [*groups, RoutingGroup(institution=None, rules=grouped.get(None, []))]


def hub_queues(*, access: TicketAccess) -> QuerySet[Queue]:
    """Queues tickets may be moved to: active, of an active team of this tenant that serves
    no institution or one the person serves."""
    queues = Queue.objects.filter(is_active=True, team__is_active=True,
                                  team__external_tenant__isnull=True)
    if access.institution_scope is not None:
        queues = queues.filter(Q(team__institution__isnull=True)
                               | Q(team__institution_id__in=access.institution_scope))
    return queues.select_related("team", "team__institution").order_by("name")


def hub_teams(*, access: TicketAccess) -> QuerySet[Team]:
    teams = Team.objects.filter(is_active=True, external_tenant__isnull=True)
    if access.institution_scope is not None:
        teams = teams.filter(Q(institution__isnull=True)
                             | Q(institution_id__in=access.institution_scope))
    return teams.order_by("level", "name")


def hub_move_candidates(*, access: TicketAccess, institution: Institution,
                        team_id: int | None = None, queue_id: int | None = None,
                        unassigned_only: bool = False) -> QuerySet[Ticket]:
    """The institution's active tickets (of a team or a queue), the most urgent first."""
    tickets = tickets_visible(access=access).filter(institution=institution,
                                                    status__in=ACTIVE)
    if team_id is not None:
        tickets = tickets.filter(team_id=team_id)
    if queue_id is not None:
        tickets = tickets.filter(queue_id=queue_id)
    if unassigned_only:
        tickets = tickets.filter(assignee__isnull=True)
    return (tickets.select_related("queue", "team", "assignee", "priority")
            .order_by(F("resolution_due_at").asc(nulls_last=True), "created_at", "pk"))


# --- the report as CSV -------------------------------------------------------------------------

def report_csv_header() -> list[str]:
    return [_("Instituție"), "IDNO", _("Secțiune"), _("Valoare"), _("Înregistrate"),
            _("Încă deschise"), _("Soluționate"), _("Soluționate în termen"),
            _("Ponderea în termen (%)"), _("Timp mediu de soluționare (ore lucrătoare)")]


def _csv_figures(figures: PeriodFigures) -> list[object]:
    return [figures.registered, figures.open, figures.resolved, figures.within_deadline,
            figures.within_deadline_percent, figures.mean_resolution_hours]


def report_csv_rows(reports: list[InstitutionReport]) -> list[list[object]]:
    """Under ``report_csv_header``: each institution's totals, then its channels and its
    services, with the very figures of the page and the API."""
    rows: list[list[object]] = []
    for report in reports:
        institution = report.institution
        name = institution.name if institution is not None else _("Fără instituție")
        idno = institution.idno if institution is not None else ""
        rows.append([name, idno, _("Total"), "", *_csv_figures(report.totals)])
        rows.extend([name, idno, _("Canal"), item.label, *_csv_figures(item.figures)]
                    for item in report.by_channel)
        rows.extend([name, idno, _("Serviciu"), item.label, *_csv_figures(item.figures)]
                    for item in report.by_service)
    return rows
