"""The tickets_handled meter counts tickets resolved during the day, per institution in a hub."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.billing.usage.models import Metric, UsageRecord
from sgsc.billing.usage.services import usage_meter_tenant_day
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.shared_apps.workdays.selectors import local_date
from sgsc.tenant_apps.tickets.access import ticket_access_for_user
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.services import TicketInput, ticket_create, ticket_transition
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def test_meter_counts_each_resolved_ticket_once_a_day(access_as, new_ticket, tenants) -> None:
    operator = access_as(TenantRole.L1_OPERATOR)
    now = timezone.now() - timedelta(days=2)  # a day that is over
    resolved = [new_ticket(operator) for _ in range(3)]
    new_ticket(operator)  # still open: not handled
    for ticket in resolved:
        ticket_transition(access=operator, ticket_id=ticket.pk, action="resolve",
                          reason="Soluționat", now=now)
    ticket_transition(access=operator, ticket_id=resolved[0].pk, action="reopen",
                      reason="Revenire", now=now + timedelta(seconds=1))
    ticket_transition(access=operator, ticket_id=resolved[0].pk, action="resolve",
                      reason="Din nou", now=now + timedelta(seconds=2))
    with schema_context("public"):
        usage_meter_tenant_day(tenant=tenants.prov_a, day=local_date(now))
        record = UsageRecord.objects.get(tenant=tenants.prov_a, metric=Metric.TICKETS_HANDLED)
    assert record.quantity == 3
    assert sorted(record.source["tickets"]) == sorted(ticket.pk for ticket in resolved)
    assert "by_institution" not in record.source


def test_hub_meter_splits_tickets_by_institution(tenants, user_with_role) -> None:
    x, y = InstitutionFactory(), InstitutionFactory()
    coordinator = user_with_role(TenantRole.COORDINATOR, tenants.hub)
    now = timezone.now() - timedelta(days=2)  # a day that is over
    with schema_context(tenants.hub.schema_name):
        access = ticket_access_for_user(user=coordinator, tenant=tenants.hub)
        for institution in (x, x, y):
            ticket = ticket_create(access=access, data=TicketInput(
                channel="email", title="Întrebare", institution_id=institution.pk,
                requester=Requester(email="a@b.md")))
            ticket_transition(access=access, ticket_id=ticket.pk, action="resolve",
                              reason="Răspuns dat", now=now)
    usage_meter_tenant_day(tenant=tenants.hub, day=local_date(now))
    record = UsageRecord.objects.get(tenant=tenants.hub, metric=Metric.TICKETS_HANDLED)
    assert record.quantity == 3
    assert record.source["by_institution"] == {str(x.pk): 2, str(y.pk): 1}
