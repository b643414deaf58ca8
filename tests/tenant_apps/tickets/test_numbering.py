"""Ticket numbers: ``<prefix>-<year>-<sequence>``, gap-free per Chisinau calendar year."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.sla.models import BusinessPeriod
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for_user
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.models import Ticket, TicketCounter, TicketSettings
from sgsc.tenant_apps.tickets.services import TicketInput, ticket_create
from tests.conftest import Tenants

pytestmark = pytest.mark.django_db

CHISINAU = ZoneInfo("Europe/Chisinau")
# A Monday of an ordinary working week.
MONDAY = datetime(2026, 3, 9, 10, 0, tzinfo=CHISINAU)


def create(access: TicketAccess, now: datetime) -> Ticket:
    return ticket_create(access=access, now=now, data=TicketInput(
        channel="phone", title="Solicitare", requester=Requester(name="Ion", phone="069123456")))


@pytest.fixture
def operator(access_as: Callable[[str], TicketAccess]) -> TicketAccess:
    return access_as(TenantRole.L1_OPERATOR)


def test_a_registration_refused_after_numbering_gives_its_number_back(
        operator: TicketAccess) -> None:
    """A refusal that comes after the counter moved (here: no working time to count the SLA
    in) rolls the counter back with the ticket, whether the year's row existed or not."""
    periods = list(BusinessPeriod.objects.values("weekday", "start", "end"))
    BusinessPeriod.objects.all().delete()
    with pytest.raises(InvalidInput) as refused:
        create(operator, MONDAY)
    assert refused.value.code == "no_working_time"
    assert not TicketCounter.objects.filter(year=2026).exists()
    BusinessPeriod.objects.bulk_create(BusinessPeriod(**period) for period in periods)
    first = create(operator, MONDAY)
    BusinessPeriod.objects.all().delete()
    with pytest.raises(InvalidInput):
        create(operator, MONDAY)
    assert TicketCounter.objects.get(year=2026).last == 1
    BusinessPeriod.objects.bulk_create(BusinessPeriod(**period) for period in periods)
    second = create(operator, MONDAY)
    assert (first.number, second.number) == ("PROVA-2026-000001", "PROVA-2026-000002")
    assert list(Ticket.objects.order_by("sequence").values_list("sequence", flat=True)) == [1, 2]
    assert AuditEvent.objects.filter(action="ticket.create", outcome="failure",
                                     details__code="no_working_time").count() == 2


def test_the_year_is_chisinaus_not_utcs(operator: TicketAccess) -> None:
    # 31 December 23:59 in Chisinau and 1 January 00:01 are both 31 December in UTC.
    old_year = create(operator, datetime(2026, 12, 31, 23, 59, tzinfo=CHISINAU))
    new_year = create(operator, datetime(2027, 1, 1, 0, 1, tzinfo=CHISINAU))
    again = create(operator, datetime(2027, 1, 1, 0, 2, tzinfo=CHISINAU))
    assert (old_year.number, old_year.year) == ("PROVA-2026-000001", 2026)
    assert (new_year.number, new_year.year, new_year.sequence) == ("PROVA-2027-000001", 2027, 1)
    assert again.number == "PROVA-2027-000002"
    assert dict(TicketCounter.objects.values_list("year", "last")) == {2026: 1, 2027: 2}


def test_the_prefix_comes_from_the_tenants_slug_and_can_be_changed(
        tenants: Tenants, user_with_role: Callable[..., User]) -> None:
    with schema_context(tenants.hub.schema_name):
        user = user_with_role(TenantRole.L1_OPERATOR, tenants.hub)
        access = ticket_access_for_user(user=user, tenant=tenants.hub)
        assert create(access, MONDAY).number == "HUBTEST-2026-000001"
        TicketSettings.objects.filter(pk=TicketSettings.SINGLETON_ID).update(
            number_prefix="CNAS")
        assert create(access, MONDAY).number == "CNAS-2026-000002"


def test_the_counter_row_is_locked_until_the_ticket_is_written(operator: TicketAccess) -> None:
    """Two registrations at once cannot take one number: the year's counter is read
    ``FOR UPDATE`` (the lock lasts until the commit) before the ticket row is inserted."""
    create(operator, MONDAY)
    with CaptureQueriesContext(connection) as captured:
        create(operator, MONDAY)
    statements = [query["sql"] for query in captured.captured_queries]
    counter_reads = [index for index, sql in enumerate(statements)
                     if sql.startswith("SELECT") and '"tickets_ticketcounter"' in sql]
    assert counter_reads and all("FOR UPDATE" in statements[index] for index in counter_reads)
    ticket_insert = next(index for index, sql in enumerate(statements)
                         if sql.startswith('INSERT INTO "tickets_ticket"'))
    assert counter_reads[0] < ticket_insert


def test_the_database_refuses_a_second_ticket_with_the_same_number(
        operator: TicketAccess) -> None:
    ticket = create(operator, MONDAY)
    twin = Ticket.objects.get(pk=ticket.pk)
    twin.pk = None
    twin.number = "ALT-2026-000001"
    with pytest.raises(IntegrityError, match="tickets_number_per_year"), transaction.atomic():
        twin.save(force_insert=True)
    twin.number, twin.sequence = ticket.number, 2
    with pytest.raises(IntegrityError, match="number"), transaction.atomic():
        twin.save(force_insert=True)
