from __future__ import annotations

from django.test import Client

from sgsc.shared_apps.audit.models import AuditEvent
from tests.factories import UserFactory

PASSWORD = "Parola-de-test-2026"


def _sign_in(client: Client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/autentificare/", {"username": email, "password": password})


def test_member_signs_in_and_it_is_audited(user_with_role, client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    user = user_with_role("l1_operator", tenants.prov_a)
    client = client_for(tenants.prov_a)
    response = _sign_in(client, user.email)
    assert response.status_code == 302
    home = client.get("/").content.decode()
    assert "Operator nivel 1" in home
    event = AuditEvent.objects.filter(action="auth.login", actor=user).latest("id")
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.tenant == tenants.prov_a
    assert event.ip == "127.0.0.1"


def test_wrong_password_is_refused_and_audited(user_with_role, client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    user = user_with_role("l1_operator", tenants.prov_a)
    client = client_for(tenants.prov_a)
    response = _sign_in(client, user.email, "gresit")
    assert response.status_code == 200
    assert "E-mailul sau parola nu sunt corecte." in response.content.decode()
    event = AuditEvent.objects.filter(action="auth.login").latest("id")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.actor_label == user.email
    assert "gresit" not in str(event.details)


def test_person_without_membership_is_refused_with_clear_message(client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    outsider = UserFactory()
    client = client_for(tenants.prov_b)
    response = _sign_in(client, outsider.email)
    assert response.status_code == 200
    assert "Nu aveți acces la acest spațiu" in response.content.decode()
    assert client.get("/").status_code == 302  # still anonymous
    event = AuditEvent.objects.filter(action="auth.login", actor=outsider).latest("id")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.details["reason"] == "no_access_on_host"


def test_session_from_one_host_is_refused_on_another(user_with_role, client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    user = user_with_role("l1_operator", tenants.prov_a)
    client_a = client_for(tenants.prov_a)
    _sign_in(client_a, user.email)
    stolen = client_a.cookies["sgsc_session"].value
    client_b = client_for(tenants.prov_b)
    client_b.cookies["sgsc_session"] = stolen
    assert client_b.get("/api/v1/me/").status_code in (401, 403)
    assert AuditEvent.objects.filter(action="auth.session.foreign_host", actor=user).exists()


def test_sign_out_is_audited(user_with_role, client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    user = user_with_role("auditor", tenants.hub)
    client = client_for(tenants.hub)
    _sign_in(client, user.email)
    assert client.post("/iesire/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=user).exists()


def test_navigation_shows_each_role_only_what_it_may_use(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    admin, _ = signed_in("age_admin")
    page = admin.get("/").content.decode()
    assert 'href="/prestatori/"' in page and 'href="/audit/"' in page

    reviewer, _ = signed_in("chancellery_reviewer")
    page = reviewer.get("/").content.decode()
    assert 'href="/prestatori/"' not in page and 'href="/audit/"' not in page

    operator, _ = signed_in("l1_operator", tenants.prov_a)
    page = operator.get("/").content.decode()
    assert 'href="/profil/"' in page and 'href="/audit/"' not in page

    auditor, _ = signed_in("auditor", tenants.prov_a)
    assert 'href="/audit/"' in auditor.get("/").content.decode()


def test_denied_page_is_403_and_audited(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    operator, user = signed_in("l1_operator", tenants.prov_a)
    response = operator.get("/audit/")
    assert response.status_code == 403
    assert "Nu aveți dreptul" in response.content.decode()
    event = AuditEvent.objects.filter(action="access.denied", actor=user).latest("id")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.details["capability"] == "audit.view"


def test_anonymous_page_redirects_to_login(db: None, public_client: Client) -> None:
    response = public_client.get("/prestatori/")
    assert response.status_code == 302
    assert response["Location"].startswith("/autentificare/")


def test_public_audit_view_names_the_tenant_of_each_event(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    from sgsc.shared_apps.audit.services import audit_record

    audit_record(action="test.visible", tenant=tenants.hub)
    client, _ = signed_in("age_admin")
    page = client.get("/audit/?action=test.visible").content.decode()
    assert "Hubul de test" in page
    tenant_auditor, _ = signed_in("auditor", tenants.prov_a)
    assert "test.visible" not in tenant_auditor.get("/audit/").content.decode()


def test_public_login_page_links_to_the_connection_request_form(db: None, client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    assert 'href="/cerere-conectare/"' in client_for(None).get("/autentificare/").content.decode()
    assert "/cerere-conectare/" not in client_for(tenants.prov_a).get("/autentificare/").content.decode()
