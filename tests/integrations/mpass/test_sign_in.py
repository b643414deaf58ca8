from __future__ import annotations

import base64
from datetime import timedelta

import time_machine
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.module_loading import import_string
from djangosaml2.cache import OutstandingQueriesCache
from saml2.samlp import response_from_string

from sgsc.integrations.doubles.mpass_idp import Person
from sgsc.integrations.mpass import views
from sgsc.integrations.mpass.replay import unverified_assertion_id
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import Membership, User
from tests.factories import UserFactory
from tests.integrations.mpass.conftest import new_idnp


def _member(tenant, **fields) -> User:  # type: ignore[no-untyped-def]
    user = UserFactory(idnp=new_idnp(), **fields)
    Membership.objects.create(user=user, tenant=tenant, roles=["l1_operator"])
    return user


def _person(user: User, **changes: str) -> Person:
    values = {"idnp": user.idnp or "", "first_name": user.first_name,
              "last_name": user.last_name, "email": user.email, "phone": "+37369000001",
              "language": "ru", **changes}
    return Person(**values)


def _code(response) -> str:  # type: ignore[no-untyped-def]
    marker = 'data-code="'
    page = response.content.decode()
    return page.split(marker, 1)[1].split('"', 1)[0] if marker in page else ""


def _last_failure() -> AuditEvent:
    return AuditEvent.objects.filter(action="auth.login", outcome="failure").latest("id")


def test_good_assertion_signs_in_refreshes_the_person_and_is_audited(  # type: ignore[no-untyped-def]
        tenants, client_for, mpass_round_trip) -> None:
    user = _member(tenants.prov_a, first_name="Maria", last_name="Sârbu")
    client = client_for(tenants.prov_a)
    response, _ = mpass_round_trip(client, _person(user, first_name="Mariana"))
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Mariana" in client.get("/").content.decode()
    user.refresh_from_db()
    assert (user.first_name, user.phone, user.preferred_language) == (
        "Mariana", "+37369000001", "ru")
    event = AuditEvent.objects.filter(action="auth.login", actor=user).latest("id")
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.details["method"] == "mpass"
    assert event.tenant == tenants.prov_a


def test_the_authn_request_form_needs_no_inline_script(tenants, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(tenants.prov_a).get("/saml2/login/")
    page = response.content.decode()
    assert "onload" not in page and "<script>" not in page
    assert "mpass/autosubmit" in page and "Continuă" in page
    assert "form-action 'self' http://idp.sgsc.test" in response["Content-Security-Policy"]


def test_wrong_signature_is_refused(tenants, client_for, mpass_round_trip, rogue_idp) -> None:  # type: ignore[no-untyped-def]
    user = _member(tenants.prov_a)
    client = client_for(tenants.prov_a)
    response, _ = mpass_round_trip(client, _person(user), provider=rogue_idp)
    assert response.status_code == 403
    assert _code(response) == "saml_invalid_signature"
    assert client.get("/").status_code == 302
    assert _last_failure().details == {"method": "mpass", "reason": "saml_invalid_signature"}


def test_unsigned_response_is_refused(tenants, client_for, mpass_round_trip) -> None:  # type: ignore[no-untyped-def]
    user = _member(tenants.prov_a)
    response, _ = mpass_round_trip(client_for(tenants.prov_a), _person(user), sign=False)
    assert response.status_code == 403
    assert _code(response) == "saml_invalid_signature"
    assert _last_failure().details["reason"] == "saml_invalid_signature"


def test_expired_assertion_is_refused(tenants, client_for, idp, start_login) -> None:  # type: ignore[no-untyped-def]
    user = _member(tenants.prov_a)
    client = client_for(tenants.prov_a)
    fields = start_login(client)
    request = idp.authn_request_parse(fields["SAMLRequest"])
    with time_machine.travel(timezone.now() - timedelta(minutes=20), tick=False):
        xml = idp.authn_response(request, _person(user))  # valid for 5 minutes, then
    response = client.post("/saml2/acs/", {"SAMLResponse": base64.b64encode(xml.encode()).decode(),
                                           "RelayState": "/"})
    assert response.status_code == 403
    assert _code(response) == "saml_expired"
    assert _last_failure().details["reason"] == "saml_expired"


def test_assertion_for_another_host_is_refused(tenants, client_for, mpass_round_trip) -> None:  # type: ignore[no-untyped-def]
    user = _member(tenants.prov_a)
    Membership.objects.create(user=user, tenant=tenants.prov_b, roles=["l1_operator"])
    response, _ = mpass_round_trip(client_for(tenants.prov_a), _person(user),
                                   audience="http://prov-b.sgsc.test/saml2/metadata/")
    assert response.status_code == 403
    assert _code(response) == "saml_wrong_audience"
    assert _last_failure().details["reason"] == "saml_wrong_audience"


def test_malformed_response_is_refused_without_a_500(tenants, client_for, start_login) -> None:  # type: ignore[no-untyped-def]
    client = client_for(tenants.prov_a)
    start_login(client)
    for garbage in ("bm90IHhtbA==", "%%%", "PHNhbWxwOlJlc3BvbnNlLz4="):
        response = client.post("/saml2/acs/", {"SAMLResponse": garbage})
        assert response.status_code == 400, garbage
        assert _code(response) == "saml_invalid"
    assert _last_failure().details["reason"] == "saml_invalid"


def test_replayed_assertion_is_refused(tenants, client_for, mpass_round_trip) -> None:  # type: ignore[no-untyped-def]
    user = _member(tenants.prov_a)
    client = client_for(tenants.prov_a)
    first, encoded = mpass_round_trip(client, _person(user))
    assert first.status_code == 302
    attacker = client_for(tenants.prov_a)
    again = attacker.post("/saml2/acs/", {"SAMLResponse": encoded})
    assert again.status_code == 403
    assert _code(again) == "saml_replayed"
    assert attacker.get("/").status_code == 302
    assert _last_failure().details["reason"] == "saml_replayed"


def test_replay_is_refused_even_while_the_request_is_still_outstanding(  # type: ignore[no-untyped-def]
        tenants, client_for, mpass_round_trip, monkeypatch) -> None:
    """pysaml2 forgets a request once answered; the used-assertion cache refuses a second use
    even when the browser session still expects the answer (double submission, race)."""
    user = _member(tenants.prov_a)
    client = client_for(tenants.prov_a)
    first, encoded = mpass_round_trip(client, _person(user))
    assert first.status_code == 302
    assertion_id = unverified_assertion_id(encoded)
    assert assertion_id and cache.get(f"mpass:assertion:{assertion_id}")
    # Put the request back as outstanding, as if the second POST raced the first.
    in_response_to = response_from_string(base64.b64decode(encoded).decode()).in_response_to
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(
        client.cookies["sgsc_saml"].value)
    OutstandingQueriesCache(store).set(in_response_to, "/")
    store.save()
    # Skip the early check to reach the atomic one after pysaml2 accepted the response.
    monkeypatch.setattr(views, "assertion_was_used", lambda **kwargs: False)
    again = client.post("/saml2/acs/", {"SAMLResponse": encoded})
    assert again.status_code == 403
    assert _code(again) == "saml_replayed"


def test_unknown_person_is_refused_and_not_created(tenants, client_for, mpass_round_trip) -> None:  # type: ignore[no-untyped-def]
    stranger = Person(idnp=new_idnp(), first_name="Nou", last_name="Venit",
                      email="nou@test.gov.md")
    response, _ = mpass_round_trip(client_for(tenants.prov_a), stranger)
    assert response.status_code == 403
    assert _code(response) == "unknown_person"
    assert "nu are cont în SGSC" in response.content.decode()
    assert not User.objects.filter(idnp=stranger.idnp).exists()
    event = _last_failure()
    assert event.details == {"method": "mpass", "reason": "unknown_person"}
    assert event.actor_label == stranger.idnp


def test_person_without_membership_on_this_host_is_refused(  # type: ignore[no-untyped-def]
        tenants, client_for, mpass_round_trip) -> None:
    user = _member(tenants.prov_b)
    client = client_for(tenants.prov_a)
    response, _ = mpass_round_trip(client, _person(user))
    assert response.status_code == 403
    assert _code(response) == "no_membership"
    assert "Nu aveți acces la acest spațiu" in response.content.decode()
    assert client.get("/").status_code == 302
    event = _last_failure()
    assert event.actor_id == user.pk and event.details["reason"] == "no_membership"


def test_revoked_membership_is_refused(tenants, client_for, mpass_round_trip) -> None:  # type: ignore[no-untyped-def]
    user = _member(tenants.prov_a)
    Membership.objects.filter(user=user).update(state=Membership.State.REVOKED)
    response, _ = mpass_round_trip(client_for(tenants.prov_a), _person(user))
    assert _code(response) == "no_membership"


def test_platform_role_signs_in_on_the_public_host(  # type: ignore[no-untyped-def]
        db, public_client, mpass_round_trip) -> None:
    user = UserFactory(idnp=new_idnp(), platform_roles=["age_admin"])
    response, _ = mpass_round_trip(public_client, _person(user))
    assert response.status_code == 302
    assert public_client.get("/").status_code == 200
