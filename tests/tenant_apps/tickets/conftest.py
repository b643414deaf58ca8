"""Ticket fixtures: people with ticket roles in prov-a, and a way to register tickets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context

from sgsc.shared_apps.identity.models import User
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for_user
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.services import TicketInput, ticket_create
from tests.conftest import Tenants

VALID_IDNP = "2002001234563"


@pytest.fixture
def in_prov_a(tenants: Tenants) -> Iterator[Tenants]:
    with schema_context(tenants.prov_a.schema_name):
        yield tenants


@pytest.fixture
def access_as(in_prov_a: Tenants,
              user_with_role: Callable[..., User]) -> Callable[[str], TicketAccess]:
    """A new person with ``role`` in prov-a, as ticket services see them."""

    def make(role: str) -> TicketAccess:
        with schema_context("public"):
            user = user_with_role(role, in_prov_a.prov_a)
        return ticket_access_for_user(user=user, tenant=in_prov_a.prov_a)

    return make


@pytest.fixture
def new_ticket() -> Callable[..., Ticket]:
    def make(access: TicketAccess, **fields: Any) -> Ticket:
        data: dict[str, Any] = {"channel": "phone", "title": "Nu pot accesa certificatul",
                                "requester": Requester(name="Ion Popescu", phone="069123456")}
        data.update(fields)
        return ticket_create(access=access, data=TicketInput(**data))

    return make
