"""The provider admin's one-time activation page on the tenant's host."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from sgsc.platform.signals import SESSION_TENANT_KEY
from sgsc.provisioning.onboarding.models import ActivationLink
from sgsc.provisioning.onboarding.services import (
    activation_link_issue,
    provisioning_job_run,
)
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.tenants.models import Tenant

PASSWORD = "Un-munte-de-ceai-2026"


@pytest.fixture
def provisioned(signed_contract, tenants):  # type: ignore[no-untyped-def]
    """A freshly provisioned tenant, its admin and the token from the access e-mail."""
    contract = signed_contract(slug="activare-test")
    provisioning_job_run(contract_id=contract.pk)
    token = re.search(r"/activare/([A-Za-z0-9_-]+)/", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    tenant = Tenant.objects.get(slug="activare-test")
    user = User.objects.get(email=contract.request.contact_email)
    return tenant, user, token


def _client(tenant: Tenant) -> Client:
    return Client(HTTP_HOST=f"{tenant.slug}.sgsc.test")


def test_valid_link_sets_password_and_signs_in(provisioned) -> None:  # type: ignore[no-untyped-def]
    tenant, user, token = provisioned
    client = _client(tenant)
    page = client.get(f"/activare/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Activarea contului" in html and user.email in html
    assert page["Referrer-Policy"] == "same-origin"

    done = client.post(f"/activare/{token}/", {"new_password1": PASSWORD,
                                                "new_password2": PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert client.session[SESSION_TENANT_KEY] == tenant.schema_name
    assert client.get("/api/v1/me/").json()["email"] == user.email
    assert ActivationLink.objects.get(user=user).used_at is not None
    event = AuditEvent.objects.filter(action="account.activate", outcome="success").latest("id")
    assert event.tenant == tenant and event.actor == user

    again = _client(tenant).get(f"/activare/{token}/")
    assert again.status_code == 410
    assert 'data-code="activation_link_used"' in again.content.decode()


def test_weak_password_is_refused_by_the_validators(provisioned) -> None:  # type: ignore[no-untyped-def]
    tenant, user, token = provisioned
    response = _client(tenant).post(f"/activare/{token}/", {"new_password1": "123456789012",
                                                            "new_password2": "123456789012"})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert ActivationLink.objects.get(user=user).used_at is None


def test_expired_link_gets_410(provisioned) -> None:  # type: ignore[no-untyped-def]
    tenant, user, token = provisioned
    ActivationLink.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(1))
    response = _client(tenant).get(f"/activare/{token}/")
    assert response.status_code == 410
    html = response.content.decode()
    assert 'data-code="activation_link_expired"' in html and "a expirat" in html
    failure = AuditEvent.objects.filter(action="account.activate", outcome="failure").latest("id")
    assert failure.details == {"code": "activation_link_expired"}
    assert failure.tenant == tenant


def test_link_on_another_tenants_host_is_unknown(provisioned, tenants) -> None:  # type: ignore[no-untyped-def]
    _tenant, user, token = provisioned
    Membership.objects.create(user=user, tenant=tenants.prov_a, roles=["auditor"])
    response = _client(tenants.prov_a).get(f"/activare/{token}/")
    assert response.status_code == 404
    assert 'data-code="activation_link_invalid"' in response.content.decode()
    post = _client(tenants.prov_a).post(f"/activare/{token}/", {"new_password1": PASSWORD,
                                                                "new_password2": PASSWORD})
    assert post.status_code == 404
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_wrong_token_gets_404(provisioned) -> None:  # type: ignore[no-untyped-def]
    tenant, _user, _token = provisioned
    response = _client(tenant).get("/activare/nu-exista-asa-ceva/")
    assert response.status_code == 404
    assert "Linkul de activare nu este valid" in response.content.decode()


def test_new_link_replaces_the_old_one(provisioned) -> None:  # type: ignore[no-untyped-def]
    tenant, user, token = provisioned
    _link, newer = activation_link_issue(user=user, tenant=tenant)
    old = _client(tenant).get(f"/activare/{token}/")
    assert old.status_code == 410
    assert 'data-code="activation_link_replaced"' in old.content.decode()
    assert _client(tenant).get(f"/activare/{newer}/").status_code == 200


def test_revoked_membership_makes_the_link_unusable(provisioned) -> None:  # type: ignore[no-untyped-def]
    tenant, user, token = provisioned
    Membership.objects.filter(user=user, tenant=tenant).update(state=Membership.State.REVOKED)
    response = _client(tenant).get(f"/activare/{token}/")
    assert response.status_code == 410
    assert 'data-code="membership_revoked"' in response.content.decode()
