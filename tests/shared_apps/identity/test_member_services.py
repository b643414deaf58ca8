"""The services behind the tenant's people: grant, change, revoke, expire, and every refusal
with its code in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tenants.utils import schema_context
from guardian.models import UserObjectPermission

from sgsc.platform.errors import AccessDenied, ApplicationError, Conflict, InvalidInput
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import ApiToken, Membership, SignInSession, User
from sgsc.shared_apps.identity.scoping import institution_scope_for, membership_scope_ids
from sgsc.shared_apps.identity.services import (
    api_token_issue,
    member_add,
    membership_grant,
    membership_revoke,
    membership_update,
    memberships_expire_due,
    user_register,
)
from tests.factories import InstitutionFactory, UserFactory
from tests.shared_apps.identity.member_helpers import (
    hub_institutions,
    membership_of,
    new_idnp,
    open_session,
    refusal,
    wrong_check_digit,
)


def _person(**fields: str) -> User:
    return user_register(idnp=new_idnp(), email=f"p{new_idnp()}@test.gov.md",
                         first_name="Ana", last_name="Popescu", **fields)


def test_grant_gives_access_and_is_audited_on_the_tenant_chain(user_with_role, tenants) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("tenant_admin", tenants.prov_a)
    idnp = new_idnp()
    membership = member_add(actor=admin, tenant=tenants.prov_a, idnp=idnp,
                            email="Ion.Rusu@Test.gov.md", first_name=" Ion ", last_name="Rusu",
                            roles=["l1_operator", "l2_specialist"])
    assert membership.state == Membership.State.ACTIVE
    assert membership.roles == ["l1_operator", "l2_specialist"]
    assert membership.granted_by == admin
    person = membership.user
    assert (person.idnp, person.email, person.first_name) == (idnp, "ion.rusu@test.gov.md", "Ion")
    assert not person.has_usable_password()  # people sign in through MPass
    grant = AuditEvent.objects.get(action="membership.grant", object_id=str(membership.pk))
    assert grant.outcome == AuditEvent.Outcome.SUCCESS
    assert grant.tenant == tenants.prov_a and grant.actor == admin
    assert grant.details["roles"] == ["l1_operator", "l2_specialist"]
    assert AuditEvent.objects.filter(action="identity.user.create",
                                     object_id=str(person.pk)).exists()
    # The same IDNP is the same person: a second tenant does not create another identity.
    admin_b = user_with_role("tenant_admin", tenants.prov_b)
    again = member_add(actor=admin_b, tenant=tenants.prov_b, idnp=idnp, email="alt@test.gov.md",
                       first_name="Alt", last_name="Nume", roles=["supervisor"])
    assert again.user == person and User.objects.filter(idnp=idnp).count() == 1


def test_access_granted_again_after_revocation(user_with_role, tenants) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("tenant_admin", tenants.prov_a)
    person = _person()
    first = membership_grant(actor=admin, tenant=tenants.prov_a, user=person,
                             roles=["l1_operator"])
    with pytest.raises(Conflict) as error:
        membership_grant(actor=admin, tenant=tenants.prov_a, user=person, roles=["supervisor"])
    assert error.value.code == "membership_exists"
    membership_revoke(actor=admin, membership=first, reason="employment_changed", note="mutat")
    again = membership_grant(actor=admin, tenant=tenants.prov_a, user=person,
                             roles=["supervisor"])
    assert again.pk == first.pk
    assert again.state == Membership.State.ACTIVE and again.roles == ["supervisor"]
    assert (again.ended_at, again.ended_by, again.end_reason, again.end_note) == (
        None, None, "", "")
    assert refusal("membership.grant", "membership_exists") is not None


def test_update_records_before_and_after(user_with_role, tenants) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("tenant_admin", tenants.prov_a)
    person = _person()
    membership = membership_grant(actor=admin, tenant=tenants.prov_a, user=person,
                                  roles=["l1_operator"])
    until = timezone.now() + timedelta(days=30)
    changed = membership_update(actor=admin, membership=membership,
                                roles=["l1_operator", "supervisor"], valid_until=until)
    assert changed.roles == ["l1_operator", "supervisor"] and changed.valid_until == until
    event = AuditEvent.objects.get(action="membership.change", object_id=str(membership.pk))
    assert event.details["before"] == {"roles": ["l1_operator"], "institutions": None,
                                       "valid_until": None}
    assert event.details["after"]["roles"] == ["l1_operator", "supervisor"]
    assert event.details["after"]["valid_until"] == str(until)


def test_revocation_ends_sessions_and_tokens_on_that_host_only(user_with_role, tenants) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("tenant_admin", tenants.prov_a)
    person = user_with_role("l1_operator", tenants.prov_a)
    Membership.objects.create(user=person, tenant=tenants.prov_b, roles=["l1_operator"])
    here = open_session(person, tenants.prov_a)
    elsewhere = open_session(person, tenants.prov_b)
    token_here, _key = api_token_issue(user=person, tenant=tenants.prov_a, name="aici")
    token_elsewhere, _key = api_token_issue(user=person, tenant=tenants.prov_b, name="acolo")

    membership_revoke(actor=admin, membership=membership_of(person, tenants.prov_a),
                      reason="security_violation", note="parolă divulgată")

    assert not Session.objects.filter(session_key=here).exists()
    assert SignInSession.objects.get(session_key=here).end_reason == "security_violation"
    assert ApiToken.objects.get(pk=token_here.pk).revoked_at is not None
    assert Session.objects.filter(session_key=elsewhere).exists()
    assert ApiToken.objects.get(pk=token_elsewhere.pk).revoked_at is None
    revoked = membership_of(person, tenants.prov_a)
    assert (revoked.state, revoked.ended_by, revoked.end_note) == (
        Membership.State.REVOKED, admin, "parolă divulgată")
    event = AuditEvent.objects.get(action="membership.revoke", object_id=str(revoked.pk))
    assert (event.details["reason"], event.details["sessions_ended"],
            event.details["tokens_revoked"]) == ("security_violation", 1, 1)


def test_last_tenant_admin_cannot_remove_themselves(user_with_role, tenants) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("tenant_admin", tenants.prov_a)
    own = membership_of(admin, tenants.prov_a)
    with pytest.raises(Conflict) as error:
        membership_revoke(actor=admin, membership=own, reason="employment_ended")
    assert error.value.code == "last_tenant_admin"
    with pytest.raises(Conflict) as error:
        membership_update(actor=admin, membership=own, roles=["supervisor"])
    assert error.value.code == "last_tenant_admin"
    assert membership_of(admin, tenants.prov_a).state == Membership.State.ACTIVE
    assert refusal("membership.revoke", "last_tenant_admin").actor == admin  # type: ignore[union-attr]
    assert refusal("membership.change", "last_tenant_admin") is not None
    # With a second administrator, stepping down is allowed.
    user_with_role("tenant_admin", tenants.prov_a)
    membership_revoke(actor=admin, membership=own, reason="employment_ended")
    assert membership_of(admin, tenants.prov_a).state == Membership.State.REVOKED


def test_age_administrator_may_revoke_the_last_tenant_admin(user_with_role, tenants) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("tenant_admin", tenants.prov_a)
    age = user_with_role("age_admin")
    membership_revoke(actor=age, membership=membership_of(admin, tenants.prov_a),
                      reason="security_violation")
    assert membership_of(admin, tenants.prov_a).state == Membership.State.REVOKED
    # AGE also appoints the auditor, which a tenant administrator may not.
    auditor = membership_grant(actor=age, tenant=tenants.prov_a, user=_person(),
                               roles=["auditor"])
    assert auditor.roles == ["auditor"]


@pytest.mark.parametrize(("grantor_role", "roles"), [
    ("tenant_admin", ["auditor"]),           # the auditor watches the administrators
    ("tenant_admin", ["l1_operator", "auditor"]),
    ("supervisor", ["l1_operator"]),         # no members.manage at all
    ("coordinator", ["l1_operator"]),
])
def test_no_one_grants_what_they_may_not(user_with_role, tenants, grantor_role, roles) -> None:  # type: ignore[no-untyped-def]
    grantor = user_with_role(grantor_role, tenants.hub)
    person = _person()
    with pytest.raises(InvalidInput) as error:
        membership_grant(actor=grantor, tenant=tenants.hub, user=person, roles=roles)
    assert error.value.code == "role_not_grantable"
    assert not Membership.objects.filter(user=person).exists()
    event = refusal("membership.grant", "role_not_grantable")
    assert event is not None and event.actor == grantor and event.tenant == tenants.hub


def test_escalation_by_update_and_dismissing_the_auditor_are_refused(user_with_role, tenants) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("tenant_admin", tenants.prov_a)
    operator = user_with_role("l1_operator", tenants.prov_a)
    auditor = user_with_role("auditor", tenants.prov_a)
    with pytest.raises(InvalidInput) as error:
        membership_update(actor=admin, membership=membership_of(operator, tenants.prov_a),
                          roles=["l1_operator", "auditor"])
    assert error.value.code == "role_not_grantable"
    for attempt in (
        lambda: membership_revoke(actor=admin, membership=membership_of(auditor, tenants.prov_a),
                                  reason="rule_violation"),
        lambda: membership_update(actor=admin, membership=membership_of(auditor, tenants.prov_a),
                                  roles=["l1_operator"]),
    ):
        with pytest.raises(AccessDenied) as denied:
            attempt()
        assert denied.value.code == "membership_not_manageable"
    assert membership_of(auditor, tenants.prov_a).roles == ["auditor"]
    # A supervisor cannot even take roles away.
    supervisor = user_with_role("supervisor", tenants.prov_a)
    with pytest.raises(AccessDenied):
        membership_revoke(actor=supervisor, membership=membership_of(operator, tenants.prov_a),
                          reason="rule_violation")
    assert refusal("membership.revoke", "membership_not_manageable") is not None


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"roles": ["superadmin"]}, "unknown_role"),
    ({"roles": []}, "roles_required"),
    ({"roles": ["l1_operator"], "valid_until": "past"}, "invalid_validity"),
    ({"roles": ["l1_operator"], "institution_ids": [1]}, "scope_not_hub"),
])
def test_bad_grants_are_refused_with_their_code(user_with_role, tenants, kwargs, code) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("tenant_admin", tenants.prov_a)
    if kwargs.get("valid_until") == "past":
        kwargs = {**kwargs, "valid_until": timezone.now() - timedelta(minutes=1)}
    with pytest.raises(ApplicationError) as error:
        membership_grant(actor=admin, tenant=tenants.prov_a, user=_person(), **kwargs)
    assert error.value.code == code
    assert refusal("membership.grant", code) is not None


def test_wrong_idnp_check_digit_is_refused_and_nothing_is_stored(user_with_role, tenants) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("tenant_admin", tenants.prov_a)
    bad = wrong_check_digit(new_idnp())
    with pytest.raises(InvalidInput) as error:
        user_register(idnp=bad, email="x@test.gov.md", first_name="X", last_name="Y")
    assert error.value.code == "invalid_idnp"
    assert refusal("identity.user.create", "invalid_idnp") is not None
    with pytest.raises(InvalidInput):
        member_add(actor=admin, tenant=tenants.prov_a, idnp=bad, email="x@test.gov.md",
                   first_name="X", last_name="Y", roles=["l1_operator"])
    assert refusal("membership.grant", "invalid_idnp") is not None
    assert not User.objects.filter(email="x@test.gov.md").exists()
    # A valid new person with a role that cannot be granted: no identity is left behind.
    with pytest.raises(InvalidInput):
        member_add(actor=admin, tenant=tenants.prov_a, idnp=new_idnp(), email="y@test.gov.md",
                   first_name="X", last_name="Y", roles=["auditor"])
    assert not User.objects.filter(email="y@test.gov.md").exists()
    # Someone else's e-mail is not taken over by a new IDNP.
    UserFactory(email="ocupat@test.gov.md")
    with pytest.raises(Conflict) as taken:
        member_add(actor=admin, tenant=tenants.prov_a, idnp=new_idnp(),
                   email="ocupat@test.gov.md", first_name="X", last_name="Y",
                   roles=["l1_operator"])
    assert taken.value.code == "email_taken"


def test_hub_limit_is_stored_as_guardian_rows_in_the_hub_schema_only(user_with_role, tenants) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("tenant_admin", tenants.hub)
    served = hub_institutions(tenants.hub, 3)
    person = _person()
    membership = membership_grant(actor=admin, tenant=tenants.hub, user=person,
                                  roles=["l1_operator"],
                                  institution_ids=[served[0].pk, served[1].pk])
    assert membership.limited_to_institutions
    with schema_context(tenants.hub.schema_name):
        rows = UserObjectPermission.objects.filter(user=person)
        assert sorted(int(r.object_pk) for r in rows) == sorted([served[0].pk, served[1].pk])
        assert {r.permission.codename for r in rows} == {"serve_institution"}
    for schema in (tenants.prov_a.schema_name, tenants.prov_b.schema_name, "public"):
        with schema_context(schema):
            assert not UserObjectPermission.objects.filter(user=person).exists()
    assert institution_scope_for(membership=membership) == {served[0].pk, served[1].pk}

    # Lifting the limit removes the rows; a new limit replaces them.
    membership_update(actor=admin, membership=membership, roles=["l1_operator"],
                      institution_ids=None)
    with schema_context(tenants.hub.schema_name):
        assert not UserObjectPermission.objects.filter(user=person).exists()
    membership_update(actor=admin, membership=membership, roles=["l1_operator"],
                      institution_ids=[served[2].pk])
    assert membership_scope_ids(membership=membership_of(person, tenants.hub)) == {served[2].pk}
    change = AuditEvent.objects.filter(action="membership.change").latest("id")
    assert (change.details["before"]["institutions"], change.details["after"]["institutions"]) \
        == (None, [served[2].pk])


@pytest.mark.parametrize(("roles", "which", "code"), [
    (["l1_operator"], "outsider", "institution_not_in_hub"),
    (["coordinator"], "member", "scope_conflicts_role"),
    (["l1_operator"], "none", "institutions_required"),
])
def test_bad_hub_limits_are_refused(user_with_role, tenants, roles, which, code) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("tenant_admin", tenants.hub)
    served = hub_institutions(tenants.hub, 1)
    ids = {"outsider": [served[0].pk, InstitutionFactory().pk], "member": [served[0].pk],
           "none": []}[which]
    person = _person()
    with pytest.raises(InvalidInput) as error:
        membership_grant(actor=admin, tenant=tenants.hub, user=person, roles=roles,
                         institution_ids=ids)
    assert error.value.code == code
    assert not Membership.objects.filter(user=person).exists()
    with schema_context(tenants.hub.schema_name):
        assert not UserObjectPermission.objects.filter(user=person).exists()
    assert refusal("membership.grant", code) is not None


@pytest.mark.parametrize("reason", ["", "access_expired", "nu-exista"])
def test_revocation_needs_a_reason_a_person_may_give(user_with_role, tenants, reason) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("tenant_admin", tenants.prov_a)
    person = user_with_role("l1_operator", tenants.prov_a)
    with pytest.raises(InvalidInput) as error:
        membership_revoke(actor=admin, membership=membership_of(person, tenants.prov_a),
                          reason=reason)
    assert error.value.code == "reason_required"
    assert membership_of(person, tenants.prov_a).state == Membership.State.ACTIVE
    assert refusal("membership.revoke", "reason_required") is not None


def test_temporary_access_expires_once(user_with_role, tenants) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("tenant_admin", tenants.prov_a)
    now = timezone.now()
    temporary = membership_grant(actor=admin, tenant=tenants.prov_a, user=_person(),
                                 roles=["l2_specialist"], valid_until=now + timedelta(hours=1))
    lasting = membership_grant(actor=admin, tenant=tenants.prov_a, user=_person(),
                               roles=["l2_specialist"], valid_until=now + timedelta(days=2))
    key = open_session(temporary.user, tenants.prov_a)
    assert memberships_expire_due() == 0
    with time_machine.travel(now + timedelta(hours=2)):
        assert memberships_expire_due() == 1
        assert memberships_expire_due() == 0  # idempotent
    expired = Membership.objects.get(pk=temporary.pk)
    assert (expired.state, expired.end_reason) == (Membership.State.EXPIRED, "access_expired")
    assert Membership.objects.get(pk=lasting.pk).state == Membership.State.ACTIVE
    assert not Session.objects.filter(session_key=key).exists()
    event = AuditEvent.objects.get(action="membership.expire", object_id=str(temporary.pk))
    assert event.actor_label == "sistem" and event.tenant == tenants.prov_a
    assert event.details["sessions_ended"] == 1


def test_grant_in_a_suspended_tenant_waits_for_reactivation(user_with_role, tenants) -> None:  # type: ignore[no-untyped-def]
    from sgsc.tenants.services import tenant_set_status

    age = user_with_role("age_admin")
    tenant_set_status(tenant=tenants.prov_b, status="suspended", reason="Neplată",
                      legal_basis="Anexa nr. 2, pct. 37")
    tenants.prov_b.refresh_from_db()
    waiting = membership_grant(actor=age, tenant=tenants.prov_b, user=_person(),
                               roles=["tenant_admin"])
    assert waiting.state == Membership.State.SUSPENDED
    tenant_set_status(tenant=tenants.prov_b, status="active", reason="Plata efectuată")
    assert Membership.objects.get(pk=waiting.pk).state == Membership.State.ACTIVE
