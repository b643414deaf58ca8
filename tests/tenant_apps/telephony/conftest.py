"""Telephony fixtures: PBX connectors in prov-a and the hub, and a builder of protocol
events."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from django_tenants.utils import schema_context

from sgsc.tenant_apps.telephony.models import Connector
from sgsc.tenant_apps.telephony.services import connector_issue
from tests.tenant_apps.tickets.conftest import access_as, in_prov_a, new_ticket  # noqa: F401

_ids = itertools.count(1)


@pytest.fixture
def pbx(access_as) -> tuple[Connector, str]:  # noqa: F811
    """A connector issued by prov-a's admin, and its key."""
    admin = access_as("tenant_admin")
    return connector_issue(actor=admin.user, name="Asterisk principal")


def call_event(kind: str, call_id: str, at: datetime, **fields: Any) -> dict[str, Any]:
    """One protocol event; inbound from a citizen's mobile to 022 123 456 unless told."""
    event: dict[str, Any] = {"event_id": f"ev-{next(_ids)}", "type": kind, "call_id": call_id,
                             "at": at.isoformat(), "direction": "inbound",
                             "from": "+37369123456", "to": "022123456"}
    event.update(fields)
    return event


EventBuilder = Callable[..., dict[str, Any]]


@pytest.fixture
def hub_pbx(tenants: Any, user_with_role: Callable[..., Any]) -> Iterator[Connector]:
    """A connector of the hub, issued by its coordinator (inside the hub's schema)."""
    with schema_context("public"):
        coordinator = user_with_role("coordinator", tenants.hub)
    with schema_context(tenants.hub.schema_name):
        connector, _key = connector_issue(actor=coordinator, name="PBX hub")
        yield connector
