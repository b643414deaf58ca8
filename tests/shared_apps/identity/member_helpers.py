"""Helpers shared by the tests of the tenant's people (services, pages, API)."""

from __future__ import annotations

import itertools

from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from stdnum.md import idno

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import Membership, SignInSession, User
from sgsc.shared_apps.institutions.models import HubMembership, Institution
from sgsc.tenants.models import Tenant
from tests.factories import InstitutionFactory

PASSWORD = "Parola-de-test-2026"
_numbers = itertools.count(1)


def new_idnp() -> str:
    """A fresh IDNP with a correct check digit (7-3-1, as the IDNO)."""
    base = f"2000{next(_numbers):08d}"
    return base + idno.calc_check_digit(base)


def wrong_check_digit(idnp: str) -> str:
    return idnp[:-1] + str((int(idnp[-1]) + 1) % 10)


def hub_institutions(hub: Tenant, count: int = 2) -> list[Institution]:
    """Institutions the hub serves now."""
    institutions = [InstitutionFactory() for _ in range(count)]
    for institution in institutions:
        HubMembership.objects.create(hub=hub, institution=institution)
    return institutions


def membership_of(user: User, tenant: Tenant) -> Membership:
    return Membership.objects.get(user=user, tenant=tenant)


def refusal(action: str, code: str) -> AuditEvent | None:
    return (AuditEvent.objects.filter(action=action, outcome=AuditEvent.Outcome.FAILURE,
                                      details__code=code).order_by("-id").first())


def sign_in(client: Client, user: User) -> None:
    """Sign in through the form, so the session is tracked as in real use."""
    response = client.post("/autentificare/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


def open_session(user: User, tenant: Tenant | None) -> str:
    """A stored session with its tracking row, as a sign-in on ``tenant``'s host leaves."""
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store.create()
    SignInSession.objects.create(session_key=store.session_key, user=user, tenant=tenant)
    return str(store.session_key)
