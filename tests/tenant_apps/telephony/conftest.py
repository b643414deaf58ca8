"""Telephony fixtures: a PBX connector in prov-a and a builder of protocol events."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from sgsc.tenant_apps.telephony.models import Connector
from sgsc.tenant_apps.telephony.services import connector_issue
from tests.tenant_apps.tickets.conftest import access_as, in_prov_a  # noqa: F401

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
