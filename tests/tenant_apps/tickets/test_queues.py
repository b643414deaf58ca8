"""The operator's queues: what each holds, filters, capped counts, keyset pages, hub scoping."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from django_tenants.utils import schema_context

from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.catalog.models import Team, TeamMember
from sgsc.tenant_apps.tickets import search
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.queues import (
    QueueName,
    TicketFilters,
    queue_count_label,
    queue_counts,
    ticket_page,
    ticket_queue,
)
from sgsc.tenant_apps.tickets.services import (
    Escalation,
    TicketInput,
    ticket_assign,
    ticket_create,
    ticket_transition,
)
from tests.tenant_apps.tickets.hub_helpers import hub_with_two_institutions

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("Europe/Chisinau")
# A Wednesday at 10:00: four working hours later is 15:00 (the 12-13 break is not counted).
NOW = datetime(2026, 3, 11, 10, 0, tzinfo=ZONE)
FAR = NOW + timedelta(days=3)


def _create(access: TicketAccess, title: str = "Solicitare", *, now: datetime = NOW,
            **fields: Any) -> Ticket:
    data: dict[str, Any] = {"channel": "phone", "title": title,
                            "requester": Requester(name="Ion", phone="069123456"), **fields}
    return ticket_create(access=access, now=now, data=TicketInput(**data))


def _deadline(ticket: Ticket, due: datetime | None, warn: datetime | None = None) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(resolution_due_at=due, sla_warn_at=warn or FAR)


def _ids(access: TicketAccess, queue: QueueName, **filters: Any) -> list[int]:
    return [ticket.pk for ticket in ticket_queue(access=access, queue=queue,
                                                 filters=TicketFilters(**filters), now=NOW)]


def test_each_queue_holds_its_tickets(access_as) -> None:  # type: ignore[no-untyped-def]
    me = access_as(TenantRole.L1_OPERATOR)
    specialist = access_as(TenantRole.L2_SPECIALIST)
    team = Team.objects.create(name="Suport L1")
    TeamMember.objects.create(team=team, user=me.user)
    t = {name: _create(me, name) for name in (
        "mine", "team", "level2", "waiting", "soon", "warned", "later", "breached", "resolved")}
    for ticket in t.values():
        _deadline(ticket, FAR)
    ticket_assign(access=me, ticket_id=t["mine"].pk, assignee=me.user, now=NOW)
    Ticket.objects.filter(pk=t["team"].pk).update(team=team)
    ticket_transition(access=me, ticket_id=t["level2"].pk, action="escalate", reason="L2",
                      escalation=Escalation(level=2), now=NOW)
    _deadline(t["level2"], FAR)
    ticket_transition(access=me, ticket_id=t["waiting"].pk, action="wait", reason="Acte",
                      now=NOW)
    ticket_transition(access=me, ticket_id=t["resolved"].pk, action="resolve", reason="Gata",
                      now=NOW)
    _deadline(t["soon"], NOW + timedelta(hours=4, minutes=30))  # 15:00 is before 14:30+break
    _deadline(t["warned"], FAR, warn=NOW - timedelta(hours=1))
    _deadline(t["breached"], NOW - timedelta(minutes=1))

    def names(access: TicketAccess, queue: QueueName) -> list[str]:
        by_pk = {ticket.pk: name for name, ticket in t.items()}
        return [by_pk[pk] for pk in _ids(access, queue)]

    newest_first = ["resolved", "breached", "later", "warned", "soon", "waiting", "level2",
                    "team", "mine"]
    assert names(me, QueueName.MINE) == ["mine"]
    assert names(me, QueueName.TEAM) == ["team"]
    assert names(me, QueueName.UNASSIGNED) == ["breached", "later", "warned", "soon", "team"]
    assert names(specialist, QueueName.UNASSIGNED) == ["breached", "later", "warned", "soon",
                                                       "level2", "team"]
    assert names(me, QueueName.DUE_SOON) == ["soon", "warned"]
    assert names(me, QueueName.BREACHED) == ["breached"]
    assert names(me, QueueName.WAITING) == ["waiting"]
    assert names(me, QueueName.ACTIVE) == [n for n in newest_first if n != "resolved"]
    assert names(me, QueueName.ALL) == newest_first
    counts = queue_counts(access=me, now=NOW)
    assert counts == {queue: len(_ids(me, queue)) for queue in QueueName}
    capped = queue_counts(access=me, now=NOW, cap=3)
    assert capped[QueueName.ALL] == 4 and queue_count_label(capped[QueueName.ALL], 3) == "3+"
    assert capped[QueueName.MINE] == 1 and queue_count_label(1, 3) == "1"


def test_filters_narrow_and_round_trip(access_as) -> None:  # type: ignore[no-untyped-def]
    me = access_as(TenantRole.L1_OPERATOR)
    # 00:30 in Chisinau is still the day before in UTC.
    after_midnight = _create(me, "Noaptea", now=datetime(2026, 3, 11, 0, 30, tzinfo=ZONE))
    email = _create(me, "Scrisoare", channel="email")
    assert _ids(me, QueueName.ALL, channel="email") == [email.pk]
    day = NOW.date()
    assert _ids(me, QueueName.ALL, created_to=day - timedelta(days=1)) == []
    assert _ids(me, QueueName.ALL, created_from=day, created_to=day) == [email.pk,
                                                                         after_midnight.pk]
    assert _ids(me, QueueName.ALL, q="scrisoarea") == [email.pk]
    assert _ids(me, QueueName.ALL, status="open") == []
    filters, errors = TicketFilters.from_query(QueryDict(
        "status=new&service_id=7&level=2&created_from=2026-03-01&q=%20certificat%20%20pierdut"))
    assert not errors
    assert filters == TicketFilters(status="new", service_id=7, level=2,
                                    created_from=date(2026, 3, 1),
                                    q="certificat pierdut")
    assert TicketFilters.from_query(QueryDict(filters.as_query())) == (filters, {})


def test_bad_filters_have_stable_codes() -> None:
    filters, errors = TicketFilters.from_query(QueryDict(
        "status=gone&service_id=abc&team_id=-1&level=4&channel=fax&created_from=2026-13-01"
        "&queue_id=99999999999999999999&q=" + "a" * 201))
    assert filters == TicketFilters()
    assert {name: error.code for name, error in errors.items()} == {
        "status": "invalid_choice", "service_id": "invalid_id", "team_id": "invalid_id",
        "level": "invalid_choice", "channel": "invalid_choice", "created_from": "invalid_date",
        "queue_id": "invalid_id", "q": "search_too_long"}
    _filters, errors = TicketFilters.from_query(QueryDict(
        "created_from=2026-03-02&created_to=2026-03-01&q=%26%7C!"))
    assert {name: error.code for name, error in errors.items()} == {
        "created_to": "invalid_range", "q": "invalid_search"}


def _walk(queryset: Any, size: int) -> tuple[list[int], list[list[int]]]:
    """Every page forwards, then back again from the last one."""
    pages: list[list[int]] = []
    cursor = None
    while len(pages) < 10:
        page = ticket_page(queryset, cursor=cursor, size=size)
        pages.append([ticket.pk for ticket in page.items])
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    back: list[list[int]] = [pages[-1]]
    cursor = page.previous_cursor
    while cursor is not None and len(back) < 10:
        page = ticket_page(queryset, cursor=cursor, size=size)
        back.insert(0, [ticket.pk for ticket in page.items])
        cursor = page.previous_cursor
    assert back == pages
    return [pk for items in pages for pk in items], pages


def test_cursor_pages_cover_everything_once(access_as, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    me = access_as(TenantRole.L1_OPERATOR)
    tickets = [_create(me, f"Certificat {'certificat ' * (n % 3)}", now=NOW + timedelta(
        minutes=n // 2)) for n in range(8)]  # pairs created at the same moment
    for n, ticket in enumerate(tickets):  # ties on the deadline too
        _deadline(ticket, NOW + timedelta(minutes=30 * (n // 3 + 1)))
    for queue, filters, ranked in ((QueueName.ALL, TicketFilters(), 0),
                                   (QueueName.DUE_SOON, TicketFilters(), 0),
                                   (QueueName.ALL, TicketFilters(q="certificat"), 1000),
                                   (QueueName.ALL, TicketFilters(q="certificat"), 5)):
        monkeypatch.setattr(search, "RANKED_MATCHES", ranked)  # by relevance, or newest first
        everything = ticket_queue(access=me, queue=queue, filters=filters, now=NOW)
        expected = [ticket.pk for ticket in everything]
        assert len(expected) == 8
        walked, pages = _walk(everything, 3)
        assert walked == expected
        assert [len(items) for items in pages] == [3, 3, 2]


@pytest.mark.parametrize("cursor", [
    "not base64 at all!", "e30", "W10", "eyJkIjoibiIsIm8iOlsiY3JlYXRlZF9hdCIsImlkIl0sImsiOlsi"
    "eCIsMV19", "x" * 2000,
])
def test_a_malformed_cursor_is_refused(access_as, cursor) -> None:  # type: ignore[no-untyped-def]
    me = access_as(TenantRole.L1_OPERATOR)
    with pytest.raises(InvalidInput) as refused:
        ticket_page(ticket_queue(access=me, queue=QueueName.ALL, filters=TicketFilters(),
                                 now=NOW), cursor=cursor)
    assert refused.value.code == "invalid_cursor"


def test_a_cursor_of_another_ordering_is_refused(access_as) -> None:  # type: ignore[no-untyped-def]
    me = access_as(TenantRole.L1_OPERATOR)
    for _ in range(3):
        _deadline(_create(me), NOW + timedelta(hours=1))
    due = ticket_queue(access=me, queue=QueueName.DUE_SOON, filters=TicketFilters(), now=NOW)
    cursor = ticket_page(due, cursor=None, size=1).next_cursor
    assert cursor is not None
    with pytest.raises(InvalidInput) as refused:
        ticket_page(ticket_queue(access=me, queue=QueueName.ALL, filters=TicketFilters(),
                                 now=NOW), cursor=cursor)
    assert refused.value.code == "invalid_cursor"


@pytest.mark.parametrize("queue", list(QueueName))
def test_query_count_does_not_grow_with_the_tickets(  # type: ignore[no-untyped-def]
        access_as, assert_max_queries, queue) -> None:
    me = access_as(TenantRole.L1_OPERATOR)
    TeamMember.objects.create(team=Team.objects.create(name="Echipa"), user=me.user)

    def first_page() -> int:
        with assert_max_queries(6) as captured:  # the clock (4) for due soon, keys, rows
            page = ticket_page(ticket_queue(access=me, queue=queue, filters=TicketFilters(),
                                            now=NOW), cursor=None, size=50)
            for ticket in page.items:  # what a list row shows
                str((ticket.contact, ticket.priority, ticket.service, ticket.assignee,
                     ticket.team, ticket.institution))
        return len(captured.captured_queries)

    _deadline(_create(me), NOW + timedelta(hours=1))  # one in every queue it can be in
    few = first_page()
    for _ in range(6):
        _create(me)
    assert first_page() == few


def test_every_count_in_one_statement(access_as, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    me = access_as(TenantRole.L1_OPERATOR)
    with assert_max_queries(5) as captured:  # the clock (4), then every count at once
        queue_counts(access=me, now=NOW)
    assert "count(*)" in captured.captured_queries[-1]["sql"]


def test_a_limited_hub_operator_never_gets_another_institutions_tickets(  # type: ignore[no-untyped-def]
        tenants, user_with_role) -> None:
    hub = hub_with_two_institutions(tenants.hub, user_with_role)
    with schema_context(hub.tenant.schema_name):
        x, y = hub.ticket_x.pk, hub.ticket_y.pk
        # Even a ticket assigned to them and breached, once it is Y's, stays out of sight.
        Ticket.objects.filter(pk=y).update(assignee=hub.limited.user,
                                           resolution_due_at=NOW - timedelta(hours=1))
        Ticket.objects.filter(pk=x).update(resolution_due_at=NOW - timedelta(hours=1))
        for queue in QueueName:
            assert y not in _ids(hub.limited, queue)
            assert y not in _ids(hub.limited, queue, q="zebra")
            assert y not in _ids(hub.limited, queue, q="069123456")
            assert _ids(hub.limited, queue, institution_id=hub.y.pk) == []
        assert _ids(hub.limited, QueueName.ALL, q="zebra") == [x]
        assert set(_ids(hub.coordinator, QueueName.ALL, q="zebra")) == {x, y}
        counts = queue_counts(access=hub.limited, now=NOW)
        assert counts[QueueName.ALL] == 1 and counts[QueueName.BREACHED] == 1
        assert counts[QueueName.MINE] == 0
        assert queue_counts(access=hub.coordinator, now=NOW)[QueueName.ALL] == 2
