"""Test harness: the public schema, two provider tenants and one hub, built once per session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sgsc.shared_apps.identity.models import Membership, User
from sgsc.tenants.models import Tenant
from sgsc.tenants.services import platform_bootstrap, tenant_create, tenant_host_for
from tests.clamd import clamd_socket  # noqa: F401  (a fixture)
from tests.factories import UserFactory

TENANT_SPECS = {
    "prov_a": ("prov-a", "Prestatorul A de test", Tenant.Kind.PROVIDER),
    "prov_b": ("prov-b", "Prestatorul B de test", Tenant.Kind.PROVIDER),
    "hub": ("hub-test", "Hubul de test", Tenant.Kind.HUB),
}


@dataclass(frozen=True)
class Tenants:
    prov_a: Tenant
    prov_b: Tenant
    hub: Tenant


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """After pytest-django migrated the test database: the platform rows and the tenants."""
    with django_db_blocker.unblock():
        platform_bootstrap()
        for slug, name, kind in TENANT_SPECS.values():
            tenant_create(slug=slug, name=name, kind=kind, status=Tenant.Status.ACTIVE)
        connection.set_schema_to_public()


@pytest.fixture
def tenants(db: None) -> Tenants:
    return Tenants(**{key: Tenant.objects.get(slug=spec[0]) for key, spec in TENANT_SPECS.items()})


@pytest.fixture(autouse=True)
def _public_schema_between_tests() -> Iterator[None]:
    """A request leaves the connection in its tenant's schema; every test starts in public."""
    yield
    connection.set_schema_to_public()


def host_of(tenant: Tenant | None) -> str:
    return settings.PUBLIC_HOST if tenant is None else tenant_host_for(slug=tenant.slug)


@pytest.fixture
def client_for() -> Callable[[Tenant | None], Client]:
    """A test client that talks to a tenant's host (``None``: the public host)."""

    def make(tenant: Tenant | None) -> Client:
        return Client(HTTP_HOST=host_of(tenant))

    return make


@pytest.fixture
def public_client(client_for: Callable[[Tenant | None], Client]) -> Client:
    return client_for(None)


@pytest.fixture
def user_with_role(db: None) -> Callable[..., User]:
    """A user holding ``role``: a platform role (``tenant=None``) or a role in ``tenant``."""

    def make(role: str, tenant: Tenant | None = None, **fields: Any) -> User:
        if tenant is None:
            return UserFactory(platform_roles=[role], **fields)
        user = UserFactory(**fields)
        Membership.objects.create(user=user, tenant=tenant, roles=[role])
        return user

    return make


@pytest.fixture
def signed_in(client_for: Callable[[Tenant | None], Client],
              user_with_role: Callable[..., User]) -> Callable[..., tuple[Client, User]]:
    """A client on ``tenant``'s host, signed in as a new user with ``role`` there."""

    def make(role: str, tenant: Tenant | None = None) -> tuple[Client, User]:
        user = user_with_role(role, tenant)
        client = client_for(tenant)
        client.force_login(user)
        return client, user

    return make


@contextmanager
def _assert_queries(maximum: int) -> Iterator[CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as captured:
        yield captured
    count = len(captured.captured_queries)
    assert count <= maximum, (
        f"{count} queries, at most {maximum} expected:\n"
        + "\n".join(query["sql"] for query in captured.captured_queries)
    )


@pytest.fixture
def assert_max_queries() -> Callable[[int], Any]:
    """``with assert_max_queries(5): ...`` fails when the block runs more queries."""
    return _assert_queries


def database_url_for_subprocesses() -> str:
    """A DATABASE_URL for the test database pytest-django created (for subprocesses)."""
    from urllib.parse import quote

    db_settings = connection.settings_dict
    host = quote(str(db_settings.get("HOST") or ""), safe="")
    port = f":{db_settings['PORT']}" if db_settings.get("PORT") else ""
    password = f":{quote(str(db_settings['PASSWORD']), safe='')}" if db_settings.get(
        "PASSWORD") else ""
    return f"postgres://{db_settings['USER']}{password}@{host}{port}/{db_settings['NAME']}"
