"""The hub's figures on a small data set worked out by hand, and the period's rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sgsc.platform.errors import InvalidInput
from sgsc.tenant_apps.hub.selectors import (
    Period,
    PeriodFigures,
    hub_operator_load,
    hub_overview,
    hub_report,
    hub_routing,
    period_parse,
)
from sgsc.tenant_apps.tickets.services import ticket_assign, ticket_transition
from tests.tenant_apps.hub.conftest import HubWorld, local, ticket_new

pytestmark = pytest.mark.django_db

FEBRUARY = Period(first=date(2026, 2, 1), last=date(2026, 2, 28))


def test_period_defaults_to_the_current_month_and_fills_a_missing_end():
    assert period_parse(today=date(2026, 2, 17)) == FEBRUARY
    assert period_parse(first="2026-02-10", today=date(2026, 5, 1)) == Period(
        date(2026, 2, 10), date(2026, 2, 28))
    assert period_parse(last="2024-02-10") == Period(date(2024, 2, 1), date(2024, 2, 10))
    year = period_parse(first="2024-01-01", last="2024-12-31")  # a leap year: 366 days
    assert (year.last - year.first).days + 1 == 366
    assert FEBRUARY.since.isoformat() == "2026-02-01T00:00:00+02:00"
    assert FEBRUARY.until.isoformat() == "2026-03-01T00:00:00+02:00"


@pytest.mark.parametrize(("first", "last", "code"), [
    ("2026-13-01", "", "invalid_period"),
    ("ieri", "", "invalid_period"),
    ("", "9999-12-31", "invalid_period"),
    ("2026-03-01", "2026-02-01", "invalid_period"),
    ("2025-01-01", "2026-01-02", "period_too_long"),
])
def test_a_bad_period_is_refused_with_its_code(first, last, code):
    with pytest.raises(InvalidInput) as refused:
        period_parse(first=first, last=last)
    assert refused.value.code == code


def test_report_figures_per_institution_channel_and_service(february: HubWorld):
    reports = {report.institution.name if report.institution else None: report
               for report in hub_report(access=february.access(), tenant=february.hub,
                                        period=FEBRUARY)}
    assert list(reports) == ["Agenția X", "Biroul Y"]
    x, y = reports["Agenția X"], reports["Biroul Y"]
    assert x.totals == PeriodFigures(registered=4, open=1, resolved=3, within_deadline=2,
                                     resolution_minutes=120 + 960 + 30)
    assert x.totals.within_deadline_percent == Decimal("66.7")
    assert x.totals.mean_resolution_hours == Decimal("6.2")  # 370 minutes
    channels = {item.key: item for item in x.by_channel}
    assert [item.label for item in x.by_channel] == ["E-mail", "Telefon"]
    assert channels["phone"].figures.within_deadline_percent == Decimal("50.0")
    assert channels["phone"].figures.mean_resolution_hours == Decimal("9.0")
    assert channels["email"].figures == PeriodFigures(registered=1, resolved=1,
                                                      within_deadline=1, resolution_minutes=30)
    assert [(item.key, item.label) for item in x.by_service] == [
        (str(february.service_x.pk), "SX Certificat X")]
    # Y: one registered in the period; the one registered in January counts as resolved.
    assert y.totals == PeriodFigures(registered=1, open=0, resolved=2, within_deadline=2,
                                     resolution_minutes=300 + 480)
    assert y.totals.within_deadline_percent == Decimal("100.0")
    assert y.totals.mean_resolution_hours == Decimal("6.5")


def test_no_resolved_ticket_gives_no_percentage_nor_mean(february: HubWorld):
    march = Period(first=date(2026, 3, 1), last=date(2026, 3, 31))
    rows = hub_overview(access=february.access(), tenant=february.hub, period=march,
                        now=local(4, 8, 30))
    assert [row.period for row in rows] == [PeriodFigures(), PeriodFigures()]
    assert rows[0].period is not None
    assert rows[0].period.within_deadline_percent is None
    assert rows[0].period.mean_resolution_hours is None


def test_the_load_now_counts_what_the_operators_queues_hold(february: HubWorld):
    access = february.access()
    waiting = ticket_new(access, at=local(4, 8), service=february.service_x)
    ticket_transition(access=access, ticket_id=waiting.pk, action="wait",
                      reason="Așteptăm actul", now=local(4, 8, 10))
    assigned = ticket_new(access, at=local(4, 8), service=february.service_y)
    ticket_assign(access=access, ticket_id=assigned.pk, assignee=february.operator_x,
                  now=local(4, 8, 5))
    # Wed 4 Feb 08:30: x_open (due 10:00) has used 390 of its 480 minutes: past the warning.
    rows = hub_overview(access=access, tenant=february.hub, period=None, now=local(4, 8, 30))
    x, y = (row.load for row in rows)
    assert (x.new, x.open, x.waiting, x.escalated, x.active) == (1, 0, 1, 0, 2)
    assert (x.unassigned, x.assigned, x.due_soon, x.breached) == (1, 0, 1, 0)
    assert (y.new, y.open, y.active, y.unassigned, y.assigned) == (0, 1, 1, 0, 1)
    assert rows[0].staffing.operators == 1 and rows[0].staffing.on_shift == 1
    assert rows[0].period is None
    # Thursday: x_open is past its deadline.
    later = hub_overview(access=access, tenant=february.hub, period=None, now=local(5, 9))
    assert (later[0].load.due_soon, later[0].load.breached) == (0, 1)
    loads = hub_operator_load(access=access, institutions=[february.x, february.y],
                              now=local(5, 9))
    assert [(load.operator, load.institution, load.active, load.breached)
            for load in loads] == [(february.operator_x, february.y, 1, 0)]


def test_tickets_without_an_institution_get_a_row_of_their_own(february: HubWorld):
    ticket_new(february.access(), at=local(10, 9))
    rows = hub_overview(access=february.access(), tenant=february.hub, period=FEBRUARY,
                        now=local(10, 10))
    assert [row.institution for row in rows] == [february.x, february.y, None]
    assert rows[-1].load.new == 1
    assert rows[-1].period == PeriodFigures(registered=1, open=1)


def test_routing_grouped_by_the_institution_a_rule_routes_for(hub_world: HubWorld):
    groups = hub_routing(institutions=[hub_world.x, hub_world.y])
    assert [(group.institution, [rule.name for rule in group.rules]) for group in groups] == [
        (hub_world.x, ["Tot ce ține de X"]), (hub_world.y, ["Avizele Y"]), (None, [])]
