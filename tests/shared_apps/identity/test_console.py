"""AGE's console of people and access: platform roles (service and pages), memberships
granted and revoked from the public host."""

from __future__ import annotations

import pytest
from django.test import Client
from stdnum.md import idno as idno_number

from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import ApiToken, Membership, SignInSession, User
from sgsc.shared_apps.identity.platform_roles import platform_person_add, platform_roles_set
from sgsc.shared_apps.identity.selectors import idnp_masked
from sgsc.shared_apps.identity.services import api_token_issue
from sgsc.shared_apps.institutions.models import HubMembership
from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Parola-de-test-2026"


def valid_idnp(n: int) -> str:
    base = f"2{n:011d}"
    return base + idno_number.calc_check_digit(base)


def wrong_check_digit(idnp: str) -> str:
    return idnp[:-1] + str((int(idnp[-1]) + 1) % 10)


def password_sign_in(client: Client, user: User) -> None:
    """A real sign-in (not force_login), so the session is tracked against its host."""
    response = client.post("/autentificare/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content


def only_admin(admin: User) -> None:
    """Make ``admin`` the platform's only AGE administrator for this test."""
    (User.objects.filter(platform_roles__contains=["age_admin"]).exclude(pk=admin.pk)
     .update(platform_roles=[]))


def last_event(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-id").first()
    assert event is not None, f"no {action} event"
    return event


# --- the service ----------------------------------------------------------------------------

def test_roles_change_is_audited_with_before_and_after(user_with_role) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("age_admin")
    person = user_with_role("asp_monitor")
    platform_roles_set(actor=admin, user=person, roles=["asp_monitor", "chancellery_reviewer"])
    person.refresh_from_db()
    assert person.platform_roles == ["asp_monitor", "chancellery_reviewer"]
    event = last_event("platform_roles.change")
    assert event.outcome == AuditEvent.Outcome.SUCCESS and event.tenant is None
    assert event.actor == admin and event.object_id == str(person.pk)
    assert event.details["before"] == ["asp_monitor"]
    assert event.details["after"] == ["asp_monitor", "chancellery_reviewer"]


@pytest.mark.parametrize(("actor_role", "roles", "code"), [
    ("age_admin", ["asp_monitor", "grand_vizier"], "unknown_role"),
    # An onboarding officer holds no access.administer: granting is escalation...
    ("age_onboarding_officer", ["asp_monitor", "age_admin"], "role_not_grantable"),
    # ...and so is taking away.
    ("age_onboarding_officer", [], "role_not_grantable"),
])
def test_refusals_have_codes_and_are_audited(user_with_role, actor_role, roles, code) -> None:  # type: ignore[no-untyped-def]
    actor = user_with_role(actor_role)
    person = user_with_role("asp_monitor")
    with pytest.raises(ApplicationError) as raised:
        platform_roles_set(actor=actor, user=person, roles=roles)
    assert raised.value.code == code
    person.refresh_from_db()
    assert person.platform_roles == ["asp_monitor"]
    event = last_event("platform_roles.change")
    assert event.outcome == AuditEvent.Outcome.FAILURE and event.actor == actor
    assert event.details["code"] == code and event.object_id == str(person.pk)


def test_the_last_age_admin_cannot_step_down(user_with_role) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("age_admin")
    only_admin(admin)
    with pytest.raises(ApplicationError) as raised:
        platform_roles_set(actor=admin, user=admin, roles=["asp_monitor"])
    assert raised.value.code == "last_platform_admin" and raised.value.status_code == 409
    admin.refresh_from_db()
    assert admin.platform_roles == ["age_admin"]
    assert last_event("platform_roles.change").details["code"] == "last_platform_admin"
    # With a second administrator the first may go.
    second = user_with_role("age_admin")
    platform_roles_set(actor=admin, user=admin, roles=["asp_monitor"])
    admin.refresh_from_db()
    assert admin.platform_roles == ["asp_monitor"]
    with pytest.raises(ApplicationError) as raised:
        platform_roles_set(actor=second, user=second, roles=[])
    assert raised.value.code == "last_platform_admin"


def test_person_add_registers_by_idnp_and_refuses_bad_input(user_with_role) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("age_admin")
    person = platform_person_add(actor=admin, idnp=valid_idnp(1), email="Ana@Gov.md",
                                 first_name="Ana", last_name="Rusu", roles=["stisc_technical"])
    assert person.email == "ana@gov.md" and person.platform_roles == ["stisc_technical"]
    assert not person.has_usable_password()  # MPass only
    # The same IDNP again: the same person, roles added to those held.
    again = platform_person_add(actor=admin, idnp=valid_idnp(1), email="ana@gov.md",
                                first_name="Ana", last_name="Rusu", roles=["asp_monitor"])
    assert again.pk == person.pk and again.platform_roles == ["asp_monitor", "stisc_technical"]
    bad = wrong_check_digit(valid_idnp(2))
    with pytest.raises(ApplicationError) as raised:
        platform_person_add(actor=admin, idnp=bad, email="x@gov.md", first_name="X",
                            last_name="Y", roles=["asp_monitor"])
    assert raised.value.code == "invalid_idnp"
    event = last_event("platform_person.add")
    assert event.outcome == AuditEvent.Outcome.FAILURE and event.details["code"] == "invalid_idnp"
    officer = user_with_role("age_onboarding_officer")
    with pytest.raises(ApplicationError) as raised:
        platform_person_add(actor=officer, idnp=valid_idnp(3), email="z@gov.md",
                            first_name="Z", last_name="Z", roles=["age_admin"])
    assert raised.value.code == "role_not_grantable"
    assert not User.objects.filter(idnp=valid_idnp(3)).exists()


def test_removing_a_platform_role_ends_public_sessions_and_tokens_only(  # type: ignore[no-untyped-def]
        user_with_role, client_for, tenants) -> None:
    admin = user_with_role("age_admin")
    person = user_with_role("age_admin")
    person.platform_roles = ["age_admin", "asp_monitor"]
    person.save(update_fields=["platform_roles"])
    Membership.objects.create(user=person, tenant=tenants.prov_a, roles=["auditor"])
    public, tenant_client = client_for(None), client_for(tenants.prov_a)
    password_sign_in(public, person)
    password_sign_in(tenant_client, person)
    _token, key = api_token_issue(user=person, tenant=None, name="script")
    assert public.get("/persoane/").status_code == 200

    platform_roles_set(actor=admin, user=person, roles=["asp_monitor"])

    # The very next request: the public session is gone, even though asp_monitor remains.
    response = public.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert public.get("/persoane/")["Location"].startswith("/autentificare/")
    token_client = client_for(None)
    assert token_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert ApiToken.objects.get(user=person).revoke_reason == "platform_role_removed"
    assert not SignInSession.objects.filter(user=person, tenant=None, ended_at__isnull=True).exists()
    # The tenant's session is untouched.
    assert tenant_client.get("/api/v1/me/").json()["roles"] == ["auditor"]
    event = last_event("platform_roles.change")
    assert event.details["sessions_ended"] == 1 and event.details["tokens_revoked"] == 1


# --- the pages ------------------------------------------------------------------------------

def test_console_needs_access_administer_and_denials_are_audited(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, monitor = signed_in("age_onboarding_officer")
    assert 'href="/persoane/"' not in client.get("/").content.decode()
    for url in ("/persoane/", f"/persoane/{monitor.pk}/", f"/persoane/{monitor.pk}/roluri/"):
        assert client.get(url).status_code == 403
    event = last_event("access.denied")
    assert event.actor == monitor and event.details["capability"] == "access.administer"
    # Tenant hosts have no console at all.
    tenant_client, _admin = signed_in("tenant_admin", tenants.prov_a)
    assert tenant_client.get("/persoane/").status_code == 404


def test_person_list_searches_filters_and_counts_queries(  # type: ignore[no-untyped-def]
        signed_in, user_with_role, tenants, assert_max_queries) -> None:
    client, _admin = signed_in("age_admin")
    home = client.get("/").content.decode()
    assert 'href="/persoane/"' in home and 'href="/acces/revizuire/"' in home
    ana = user_with_role("stisc_technical", first_name="Ana", last_name="Căpraru",
                         idnp=valid_idnp(11))
    Membership.objects.create(user=ana, tenant=tenants.prov_a, roles=["l3_technical"])
    for number in range(30):
        member = UserFactory(last_name=f"Membru{number:02d}")
        Membership.objects.create(user=member, tenant=tenants.prov_b, roles=["l1_operator"])
        Membership.objects.create(user=member, tenant=tenants.hub, roles=["l2_specialist"])
    UserFactory(first_name="Fără", last_name="Acces")
    # search_path, host, session, user, count, one page, its memberships with their tenants.
    with assert_max_queries(9):
        response = client.get("/persoane/")
    assert response.status_code == 200
    assert "Membru00" in response.content.decode() and "Pagina 1 din" in response.content.decode()
    by_name = client.get("/persoane/?q=ana capraru").content.decode()
    assert "Căpraru" in by_name and "Membru01" not in by_name
    assert "Administrator tehnic nivel 3" in by_name  # the membership is listed with its role
    by_idnp = client.get(f"/persoane/?q={valid_idnp(11)}").content.decode()
    table = by_idnp.split("<table", 1)[1]
    assert "Căpraru" in table and valid_idnp(11) not in table  # masked in the list
    assert idnp_masked(valid_idnp(11)) in table
    by_role = client.get("/persoane/?rol=stisc_technical").content.decode()
    assert "Căpraru" in by_role and "Membru01" not in by_role
    by_tenant = client.get(f"/persoane/?spatiu={tenants.prov_a.pk}").content.decode()
    assert "Căpraru" in by_tenant and "Membru01" not in by_tenant
    without = client.get("/persoane/?q=fara acces").content.decode()
    assert "<table" not in without and "Nicio persoană nu corespunde filtrelor." in without
    assert "Fără Acces" in client.get("/persoane/?q=fara acces&toti=on").content.decode()


def test_person_page_shows_access_and_is_audited(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, admin = signed_in("age_admin")
    person = UserFactory(idnp=valid_idnp(21), platform_roles=["asp_monitor"])
    Membership.objects.create(user=person, tenant=tenants.prov_a, roles=["auditor"])
    Membership.objects.create(user=person, tenant=tenants.prov_b, roles=["l1_operator"],
                              state=Membership.State.REVOKED, end_reason="employment_ended")
    SignInSession.objects.create(session_key="k" * 40, user=person, tenant=tenants.prov_a,
                                 ip="10.0.0.7")
    response = client.get(f"/persoane/{person.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("Monitor ASP", "Prestatorul A de test", "Auditor", "Prestatorul B de test",
                 "Revocat", "Încetarea raporturilor de muncă", "10.0.0.7", valid_idnp(21)):
        assert text in page, text
    event = last_event("personal_data.view")
    assert event.actor == admin and event.object_id == str(person.pk) and event.tenant is None
    assert client.get("/persoane/999999/").status_code == 404


def test_console_adds_a_person_and_edits_roles(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, admin = signed_in("age_admin")
    only_admin(admin)
    response = client.post("/persoane/noua/", {
        "idnp": valid_idnp(31), "email": "ion@stisc.gov.md", "first_name": "Ion",
        "last_name": "Ceban", "roles": ["stisc_technical"]})
    person = User.objects.get(idnp=valid_idnp(31))
    assert response.status_code == 302 and response["Location"] == f"/persoane/{person.pk}/"
    bad = client.post("/persoane/noua/", {
        "idnp": wrong_check_digit(valid_idnp(32)),
        "email": "x@gov.md", "first_name": "X", "last_name": "Y", "roles": ["asp_monitor"]})
    assert bad.status_code == 400 and "IDNP" in bad.content.decode()

    edit = client.post(f"/persoane/{person.pk}/roluri/", {"roles": ["asp_monitor"]})
    assert edit.status_code == 302
    person.refresh_from_db()
    assert person.platform_roles == ["asp_monitor"]
    refused = client.post(f"/persoane/{admin.pk}/roluri/", {"roles": []})
    assert refused.status_code == 400
    assert "ultimul administrator" in refused.content.decode()
    admin.refresh_from_db()
    assert admin.platform_roles == ["age_admin"]


def test_console_grants_and_revokes_memberships(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, admin = signed_in("age_admin")
    person = UserFactory()
    granted = client.post(f"/persoane/{person.pk}/acces/nou/", {
        "tenant": tenants.prov_a.pk, "roles": ["l3_technical"], "valid_until": "2099-12-31"})
    assert granted.status_code == 302, granted.content.decode()
    membership = Membership.objects.get(user=person, tenant=tenants.prov_a)
    assert membership.roles == ["l3_technical"] and membership.granted_by == admin
    assert membership.valid_until is not None and membership.valid_until.year == 2099

    # In a hub, limited to one member institution.
    served, other = InstitutionFactory(), InstitutionFactory()
    HubMembership.objects.create(hub=tenants.hub, institution=served)
    limited = client.post(f"/persoane/{person.pk}/acces/nou/", {
        "tenant": tenants.hub.pk, "roles": ["l1_operator"], "institutions": [served.pk]})
    assert limited.status_code == 302, limited.content.decode()
    assert Membership.objects.get(user=person, tenant=tenants.hub).limited_to_institutions
    assert served.name in client.get(f"/persoane/{person.pk}/").content.decode()
    # A provider cannot be limited to institutions: the service's refusal is on the form.
    refused = client.post(f"/persoane/{person.pk}/acces/nou/", {
        "tenant": tenants.prov_b.pk, "roles": ["l1_operator"], "institutions": [served.pk]})
    assert refused.status_code == 400
    assert not Membership.objects.filter(user=person, tenant=tenants.prov_b).exists()
    assert other.name not in client.get(f"/persoane/{person.pk}/acces/nou/").content.decode()

    url = f"/persoane/{person.pk}/acces/{membership.pk}/revocare/"
    assert "Confirm revocarea" in client.get(url).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 400
    revoked = client.post(url, {"reason": "security_violation", "note": "incident 12"})
    assert revoked.status_code == 302
    membership.refresh_from_db()
    assert membership.state == Membership.State.REVOKED
    assert membership.end_reason == "security_violation" and membership.ended_by == admin
    assert last_event("membership.revoke").details["note"] == "incident 12"
    # Someone else's membership through this person's URL: 404.
    stranger = Membership.objects.create(user=UserFactory(), tenant=tenants.prov_b,
                                         roles=["auditor"])
    assert client.get(f"/persoane/{person.pk}/acces/{stranger.pk}/revocare/").status_code == 404
