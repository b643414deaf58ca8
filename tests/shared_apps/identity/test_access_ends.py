"""Revoking a membership is effective on the very next request of that person (Annex 2 §37):
their signed-in session and their API token stop at once; temporary access ends by itself;
a suspended tenant's memberships come back with its reactivation."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import Membership, SignInSession
from sgsc.shared_apps.identity.services import api_token_issue
from sgsc.shared_apps.identity.tasks import expire_memberships
from sgsc.tenants.services import tenant_set_status
from tests.shared_apps.identity.member_helpers import membership_of, sign_in

BASIS = "Anexa nr. 2, pct. 37"


def test_revocation_is_effective_on_the_very_next_request(  # type: ignore[no-untyped-def]
        signed_in, user_with_role, client_for, tenants) -> None:
    admin_client, _admin = signed_in("tenant_admin", tenants.prov_a)
    operator = user_with_role("l1_operator", tenants.prov_a)
    operator_client = client_for(tenants.prov_a)
    sign_in(operator_client, operator)
    _token, key = api_token_issue(user=operator, tenant=tenants.prov_a, name="integrare")
    api = client_for(tenants.prov_a)
    assert operator_client.get("/api/v1/me/").status_code == 200
    assert operator_client.get("/profil/").status_code == 200
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert SignInSession.objects.filter(user=operator, ended_at__isnull=True).count() == 1

    membership = membership_of(operator, tenants.prov_a)
    response = admin_client.post(f"/membri/{membership.pk}/revocare/",
                                 {"reason": "employment_ended", "note": "", "confirmare": "1"})
    assert response.status_code == 302

    assert operator_client.get("/api/v1/me/").status_code == 401
    page = operator_client.get("/profil/")
    assert page.status_code == 302 and page["Location"].startswith("/autentificare/")
    denied = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert denied.status_code == 401
    assert denied.json()["error"]["code"] == "authentication_failed"
    # Signing in again is refused too, with the clear message.
    again = operator_client.post("/autentificare/", {"username": operator.email,
                                                    "password": "Parola-de-test-2026"})
    assert "Nu aveți acces la acest spațiu" in again.content.decode()
    session = SignInSession.objects.get(user=operator)
    assert (session.ended_at is not None, session.end_reason) == (True, "employment_ended")


def test_access_ends_even_where_no_session_was_tracked(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    # force_login does not go through the sign-in form: the middleware still refuses.
    client, user = signed_in("supervisor", tenants.prov_b)
    assert client.get("/api/v1/me/").status_code == 200
    Membership.objects.filter(user=user).update(state=Membership.State.REVOKED)
    assert client.get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(action="auth.session.no_access", actor=user).exists()


def test_temporary_access_expires_by_itself(user_with_role, client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    operator = user_with_role("l2_specialist", tenants.hub)
    now = timezone.now()
    Membership.objects.filter(user=operator).update(valid_until=now + timedelta(hours=8))
    client = client_for(tenants.hub)
    sign_in(client, operator)
    _token, key = api_token_issue(user=operator, tenant=tenants.hub, name="temporar")
    api = client_for(tenants.hub)
    with time_machine.travel(now + timedelta(hours=7)):
        assert client.get("/api/v1/me/").status_code == 200
    with time_machine.travel(now + timedelta(hours=9)):
        # Before the periodic job ran: the end date alone stops the session and the token.
        assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
        assert client.get("/api/v1/me/").status_code == 401
        assert expire_memberships.apply().get() == 1
        assert expire_memberships.apply().get() == 0
    expired = membership_of(operator, tenants.hub)
    assert (expired.state, expired.end_reason) == (Membership.State.EXPIRED, "access_expired")
    assert AuditEvent.objects.filter(action="membership.expire",
                                     object_id=str(expired.pk)).exists()


def test_suspension_then_reactivation_restores_memberships(  # type: ignore[no-untyped-def]
        user_with_role, client_for, tenants) -> None:
    admin = user_with_role("tenant_admin", tenants.prov_b)
    operator = user_with_role("l1_operator", tenants.prov_b)
    gone = user_with_role("l1_operator", tenants.prov_b)
    Membership.objects.filter(user=gone).update(state=Membership.State.REVOKED,
                                                end_reason="employment_ended")
    client = client_for(tenants.prov_b)
    sign_in(client, operator)

    tenant_set_status(tenant=tenants.prov_b, status="suspended", reason="Neplată",
                      legal_basis=BASIS)
    for user in (admin, operator):
        suspended = membership_of(user, tenants.prov_b)
        assert (suspended.state, suspended.end_reason) == (Membership.State.SUSPENDED,
                                                          "contract_suspended")
    assert client.get("/api/v1/me/").status_code == 403  # the tenant itself is refused

    tenant_set_status(tenant=tenants.prov_b, status="active", reason="Plata efectuată")
    assert membership_of(admin, tenants.prov_b).state == Membership.State.ACTIVE
    assert membership_of(operator, tenants.prov_b).state == Membership.State.ACTIVE
    assert membership_of(gone, tenants.prov_b).state == Membership.State.REVOKED
    # The session opened before the suspension was ended; a new sign-in works.
    assert client.get("/api/v1/me/").status_code == 401
    sign_in(client, operator)
    assert client.get("/api/v1/me/").status_code == 200
