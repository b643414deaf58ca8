"""Configuration fixtures: prov-a's tenant admin and an L1 operator, prov-a's schema."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import User
from tests.conftest import Tenants


@pytest.fixture
def admin(signed_in: Callable[..., tuple[Client, User]], tenants: Tenants) -> tuple[Client, User]:
    """prov-a's tenant admin, signed in on prov-a's host."""
    return signed_in("tenant_admin", tenants.prov_a)


@pytest.fixture
def operator(signed_in: Callable[..., tuple[Client, User]],
             tenants: Tenants) -> tuple[Client, User]:
    """An L1 operator of prov-a: reads the catalogue, changes nothing."""
    return signed_in("l1_operator", tenants.prov_a)


@pytest.fixture
def in_prov_a(tenants: Tenants) -> Iterator[Tenants]:
    with schema_context(tenants.prov_a.schema_name):
        yield tenants


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("id")
