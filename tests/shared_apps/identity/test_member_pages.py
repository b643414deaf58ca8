"""The tenant's people pages: list (masked IDNPs, search, filters, pages, bounded queries),
adding a person, one person's page (audited view), changes and two-step revocation."""

from __future__ import annotations

import re

from django.utils import timezone

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.services import membership_grant, user_register
from tests.factories import UserFactory
from tests.shared_apps.identity.member_helpers import (
    hub_institutions,
    membership_of,
    new_idnp,
    refusal,
    wrong_check_digit,
)


def _member(tenant, roles, *, actor=None, **fields):  # type: ignore[no-untyped-def]
    """A person with an IDNP and access to ``tenant``."""
    user = UserFactory(idnp=new_idnp(), **fields)
    Membership.objects.create(user=user, tenant=tenant, roles=roles, granted_by=actor)
    return user


def test_list_shows_the_people_with_masked_idnp_for_viewers(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    person = _member(tenants.prov_a, ["l1_operator"], first_name="Mihaela", last_name="Ursu")
    admin, _ = signed_in("tenant_admin", tenants.prov_a)
    page = admin.get("/membri/").content.decode()
    assert "Mihaela Ursu" in page and person.idnp in page
    assert "Operator nivel 1" in page and "Administrator al prestatorului" in page
    assert 'href="/membri/adauga/"' in page and "niciodată" in page

    supervisor, _ = signed_in("supervisor", tenants.prov_a)
    page = supervisor.get("/membri/").content.decode()
    assert "Mihaela Ursu" in page
    assert person.idnp not in page and f"{person.idnp[:4]}•••••{person.idnp[-4:]}" in page
    assert 'href="/membri/adauga/"' not in page
    # Another tenant's people are not there.
    outsider = _member(tenants.prov_b, ["l1_operator"], first_name="Străin")
    assert outsider.email not in page


def test_list_is_refused_without_members_view_and_the_denial_is_audited(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    operator, user = signed_in("l1_operator", tenants.prov_a)
    assert operator.get("/membri/").status_code == 403
    assert operator.get("/membri/adauga/").status_code == 403
    event = AuditEvent.objects.filter(action="access.denied", actor=user).latest("id")
    assert event.details["capability"] == "members.manage"
    supervisor, _ = signed_in("supervisor", tenants.prov_a)
    assert supervisor.get("/membri/adauga/").status_code == 403


def test_navigation_entry_only_on_tenant_hosts_for_members_view(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    admin, _ = signed_in("tenant_admin", tenants.prov_a)
    assert 'href="/membri/"' in admin.get("/").content.decode()
    assert "Utilizatori și roluri" in admin.get("/").content.decode()
    operator, _ = signed_in("l1_operator", tenants.prov_a)
    assert 'href="/membri/"' not in operator.get("/").content.decode()
    age, _ = signed_in("age_admin")
    assert 'href="/membri/"' not in age.get("/").content.decode()
    assert age.get("/membri/").status_code == 404  # no such page on the public host


def test_search_filters_and_empty_state(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    ana = _member(tenants.prov_a, ["l1_operator"], first_name="Ana", last_name="Cojocaru")
    _member(tenants.prov_a, ["supervisor"], first_name="Vasile", last_name="Ceban")
    gone = _member(tenants.prov_a, ["l2_specialist"], first_name="Petru", last_name="Lungu")
    Membership.objects.filter(user=gone).update(state=Membership.State.REVOKED)
    admin, _ = signed_in("tenant_admin", tenants.prov_a)

    def names(query: str) -> set[str]:
        page = admin.get("/membri/" + query).content.decode()
        return {n for n in ("Cojocaru", "Ceban", "Lungu") if n in page}

    assert names("?q=cojoc") == {"Cojocaru"}
    assert names(f"?q={ana.email}") == {"Cojocaru"}
    assert names(f"?q={ana.idnp[:9]}") >= {"Cojocaru"}
    assert names(f"?q={ana.idnp}") == {"Cojocaru"}
    assert names("?rol=supervisor") == {"Ceban"}
    assert names("?stare=revoked") == {"Lungu"}
    assert names("?stare=active&rol=l2_specialist") == set()
    assert names("?rol=inventat") == {"Cojocaru", "Ceban", "Lungu"}  # unknown filter ignored
    assert "Nicio persoană nu corespunde căutării." in admin.get("/membri/?q=zzzz").content.decode()
    # Viewers cannot search by IDNP (a prefix search would unmask it).
    supervisor, _ = signed_in("supervisor", tenants.prov_a)
    assert "Cojocaru" not in supervisor.get(f"/membri/?q={ana.idnp}").content.decode()


def test_empty_state_and_htmx_table(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    admin, _ = signed_in("tenant_admin", tenants.prov_b)
    Membership.objects.filter(tenant=tenants.prov_b).update(state=Membership.State.ACTIVE)
    page = admin.get("/membri/?stare=expired").content.decode()
    assert "Nicio persoană nu corespunde căutării." in page
    partial = admin.get("/membri/?q=x", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert "HX-Request" in partial["Vary"]


def test_pagination_and_bounded_queries(signed_in, tenants, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    admin, admin_user = signed_in("tenant_admin", tenants.hub)
    served = hub_institutions(tenants.hub, 2)
    for number in range(30):
        person = user_register(idnp=new_idnp(), email=f"hub{number}@test.gov.md",
                               first_name="P", last_name=f"Persoana {number:02d}")
        membership_grant(actor=admin_user, tenant=tenants.hub, user=person,
                         roles=["l1_operator"],
                         institution_ids=[served[number % 2].pk] if number % 3 else None)
    first = admin.get("/membri/").content.decode()
    assert "Pagina 1 din 2" in first and "pagina=2" in first
    assert served[0].name in first and "toate" in first
    second = admin.get("/membri/?pagina=2").content.decode()
    assert "Persoana 29" in second
    with assert_max_queries(14):
        assert admin.get("/membri/").status_code == 200
    with assert_max_queries(14):
        assert admin.get("/membri/?q=Persoana&rol=l1_operator").status_code == 200


def test_add_a_person_by_idnp(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    admin, admin_user = signed_in("tenant_admin", tenants.prov_a)
    form = admin.get("/membri/adauga/").content.decode()
    offered = set(re.findall(r'name="roles" value="([a-z0-9_]+)"', form))
    assert offered == {"tenant_admin", "coordinator", "supervisor", "l1_operator",
                       "l2_specialist", "l3_technical"}  # never the auditor
    assert 'name="institutions"' not in form  # not a hub
    idnp = new_idnp()
    response = admin.post("/membri/adauga/", {
        "idnp": idnp, "first_name": "Elena", "last_name": "Roșca",
        "email": "elena.rosca@test.gov.md", "phone": "+37369000000",
        "preferred_language": "ro", "roles": ["l1_operator", "l2_specialist"],
        "valid_until": "2099-12-31"})
    person = User.objects.get(idnp=idnp)
    membership = membership_of(person, tenants.prov_a)
    assert response.status_code == 302 and response["Location"] == f"/membri/{membership.pk}/"
    assert membership.roles == ["l1_operator", "l2_specialist"]
    assert membership.granted_by == admin_user
    assert membership.valid_until is not None
    assert timezone.localtime(membership.valid_until).date().isoformat() == "2099-12-31"


def test_add_refusals_are_shown_in_romanian_and_audited(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    admin, _ = signed_in("tenant_admin", tenants.prov_a)
    base = {"first_name": "Ion", "last_name": "Pop", "email": "ion.pop@test.gov.md",
            "preferred_language": "ro"}
    forged = admin.post("/membri/adauga/", {**base, "idnp": new_idnp(), "roles": ["auditor"]})
    assert forged.status_code == 400
    assert "Nu puteți acorda un rol cu drepturi pe care nu le dețineți" in forged.content.decode()
    assert refusal("membership.grant", "role_not_grantable") is not None
    unknown = admin.post("/membri/adauga/", {**base, "idnp": new_idnp(), "roles": ["root"]})
    assert "Rol necunoscut" in unknown.content.decode()
    bad = admin.post("/membri/adauga/", {**base, "idnp": wrong_check_digit(new_idnp()),
                                         "roles": ["l1_operator"]})
    assert bad.status_code == 400 and "IDNP-ul nu este valid." in bad.content.decode()
    assert refusal("membership.grant", "invalid_idnp") is not None
    none = admin.post("/membri/adauga/", {**base, "idnp": new_idnp()})
    assert "Alegeți cel puțin un rol." in none.content.decode()
    past = admin.post("/membri/adauga/", {**base, "idnp": new_idnp(), "roles": ["l1_operator"],
                                          "valid_until": "2020-01-01"})
    assert "trebuie să fie în viitor" in past.content.decode()
    assert not User.objects.filter(email="ion.pop@test.gov.md").exists()
    # Someone with access already.
    existing = _member(tenants.prov_a, ["l1_operator"])
    again = admin.post("/membri/adauga/", {**base, "idnp": existing.idnp,
                                           "roles": ["l1_operator"]})
    assert "Persoana are deja acces în acest spațiu." in again.content.decode()


def test_hub_add_with_an_institution_limit(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    admin, _ = signed_in("tenant_admin", tenants.hub)
    served = hub_institutions(tenants.hub, 2)
    form = admin.get("/membri/adauga/").content.decode()
    assert served[0].name in form and served[1].name in form
    idnp = new_idnp()
    response = admin.post("/membri/adauga/", {
        "idnp": idnp, "first_name": "Dan", "last_name": "Moraru", "email": "dan@test.gov.md",
        "preferred_language": "ru", "roles": ["l1_operator"],
        "institutions": [str(served[1].pk)]})
    assert response.status_code == 302
    detail = admin.get(response["Location"]).content.decode()
    assert "Limitat la instituțiile" in detail and served[1].name in detail
    refused = admin.post("/membri/adauga/", {
        "idnp": new_idnp(), "first_name": "D", "last_name": "M", "email": "d2@test.gov.md",
        "preferred_language": "ro", "roles": ["coordinator"],
        "institutions": [str(served[0].pk)]})
    assert refused.status_code == 400
    assert "nu se poate limita" in refused.content.decode()


def test_person_page_is_an_audited_view_of_personal_data(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    person = _member(tenants.prov_a, ["l1_operator"], phone="+37360000001")
    membership = membership_of(person, tenants.prov_a)
    supervisor, viewer = signed_in("supervisor", tenants.prov_a)
    before = AuditEvent.objects.filter(action="personal_data.view").count()
    page = supervisor.get(f"/membri/{membership.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert person.email in html and "+37360000001" in html and person.idnp not in html
    assert "Modifică accesul" not in html and "Revocă accesul" not in html
    views = AuditEvent.objects.filter(action="personal_data.view").order_by("id")
    assert views.count() == before + 1
    event = views.last()
    assert event is not None
    assert (event.object_type, event.object_id, event.actor, event.tenant) == (
        "user", str(person.pk), viewer, tenants.prov_a)
    assert event.details == {"membership": membership.pk, "channel": "web"}


def test_another_tenants_membership_is_not_found(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    other = _member(tenants.prov_b, ["l1_operator"])
    pk = membership_of(other, tenants.prov_b).pk
    admin, _ = signed_in("tenant_admin", tenants.prov_a)
    assert admin.get(f"/membri/{pk}/").status_code == 404
    assert admin.post(f"/membri/{pk}/modificare/", {"roles": ["supervisor"]}).status_code == 404
    assert admin.post(f"/membri/{pk}/revocare/", {"reason": "rule_violation",
                                                  "confirmare": "1"}).status_code == 404
    assert admin.get("/membri/999999999/").status_code == 404
    assert membership_of(other, tenants.prov_b).state == Membership.State.ACTIVE
    assert not AuditEvent.objects.filter(action="personal_data.view",
                                         object_id=str(other.pk)).exists()


def test_change_roles_end_date_and_the_last_admin_rule(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    admin, admin_user = signed_in("tenant_admin", tenants.prov_a)
    person = _member(tenants.prov_a, ["l1_operator"])
    membership = membership_of(person, tenants.prov_a)
    page = admin.get(f"/membri/{membership.pk}/").content.decode()
    assert "Modifică accesul" in page and 'value="auditor"' not in page
    response = admin.post(f"/membri/{membership.pk}/modificare/",
                          {"roles": ["l1_operator", "supervisor"], "valid_until": "2099-06-30"})
    assert response.status_code == 302
    changed = membership_of(person, tenants.prov_a)
    assert changed.roles == ["l1_operator", "supervisor"] and changed.valid_until is not None
    assert AuditEvent.objects.filter(action="membership.change",
                                     object_id=str(membership.pk)).exists()
    own = membership_of(admin_user, tenants.prov_a)
    refused = admin.post(f"/membri/{own.pk}/modificare/", {"roles": ["supervisor"]})
    assert refused.status_code == 400
    assert "Este ultimul administrator al spațiului" in refused.content.decode()
    assert membership_of(admin_user, tenants.prov_a).roles == ["tenant_admin"]
    forged = admin.post(f"/membri/{membership.pk}/modificare/", {"roles": ["auditor"]})
    assert forged.status_code == 400
    # The supervisor may look, not change.
    supervisor, _ = signed_in("supervisor", tenants.prov_a)
    assert supervisor.post(f"/membri/{membership.pk}/modificare/",
                           {"roles": ["l1_operator"]}).status_code == 403


def test_an_auditor_appointed_by_age_is_out_of_the_admins_reach(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    auditor = _member(tenants.prov_a, ["auditor"])
    pk = membership_of(auditor, tenants.prov_a).pk
    admin, _ = signed_in("tenant_admin", tenants.prov_a)
    page = admin.get(f"/membri/{pk}/").content.decode()
    assert "îl poate modifica doar AGE" in page and "Modifică accesul" not in page
    response = admin.post(f"/membri/{pk}/revocare/", {"reason": "rule_violation",
                                                      "confirmare": "1"})
    assert response.status_code == 400
    assert "roluri pe care nu le puteți acorda" in response.content.decode()
    assert membership_of(auditor, tenants.prov_a).state == Membership.State.ACTIVE


def test_revocation_asks_for_a_reason_then_a_confirmation(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    admin, admin_user = signed_in("tenant_admin", tenants.prov_a)
    person = _member(tenants.prov_a, ["l1_operator"], first_name="Ilie", last_name="Bîrcă")
    membership = membership_of(person, tenants.prov_a)
    url = f"/membri/{membership.pk}/revocare/"
    form = admin.get(url).content.decode()
    assert "Motivul revocării" in form and "Încetarea raporturilor de muncă" in form
    assert "access_expired" not in form
    missing = admin.post(url, {"reason": "", "note": ""})
    assert missing.status_code == 400 and "Alegeți motivul revocării." in missing.content.decode()
    confirm = admin.post(url, {"reason": "rule_violation", "note": "acces neautorizat"})
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "Confirmă revocarea" in html
    assert "Încălcarea regulilor de utilizare" in html and 'name="confirmare" value="1"' in html
    assert membership_of(person, tenants.prov_a).state == Membership.State.ACTIVE
    done = admin.post(url, {"reason": "rule_violation", "note": "acces neautorizat",
                            "confirmare": "1"})
    assert done.status_code == 302
    revoked = membership_of(person, tenants.prov_a)
    assert (revoked.state, revoked.end_reason, revoked.end_note, revoked.ended_by) == (
        Membership.State.REVOKED, "rule_violation", "acces neautorizat", admin_user)
    page = admin.get(done["Location"]).content.decode()
    assert "Revocat" in page and "acces neautorizat" in page
    again = admin.post(url, {"reason": "rule_violation", "confirmare": "1"})
    assert "a încetat deja" in again.content.decode()
    # The last administrator revoking themselves is refused, in Romanian.
    own = membership_of(admin_user, tenants.prov_a)
    refused = admin.post(f"/membri/{own.pk}/revocare/", {"reason": "employment_ended",
                                                         "confirmare": "1"})
    assert "Este ultimul administrator al spațiului" in refused.content.decode()


def test_revocation_through_htmx_stays_in_the_panel(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    admin, _ = signed_in("tenant_admin", tenants.hub)
    person = _member(tenants.hub, ["l1_operator"])
    membership = membership_of(person, tenants.hub)
    url = f"/membri/{membership.pk}/revocare/"
    panel = admin.get(url, HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and "<html" not in panel.content.decode()
    missing = admin.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
    assert missing.status_code == 200 and "Alegeți motivul" in missing.content.decode()
    done = admin.post(url, {"reason": "employment_changed", "confirmare": "1"},
                      HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == f"/membri/{membership.pk}/"
    assert membership_of(person, tenants.hub).state == Membership.State.REVOKED
