from __future__ import annotations

import base64

from django.conf import settings

from sgsc.integrations.doubles.mpass_idp import Person
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import Membership
from tests.factories import UserFactory
from tests.integrations.mpass.conftest import form_of, new_idnp


def _signed_in_through_mpass(tenants, client_for, mpass_round_trip):  # type: ignore[no-untyped-def]
    user = UserFactory(idnp=new_idnp())
    Membership.objects.create(user=user, tenant=tenants.prov_a, roles=["auditor"])
    client = client_for(tenants.prov_a)
    response, _ = mpass_round_trip(client, Person(idnp=user.idnp, first_name="Ana"))
    assert response.status_code == 302 and client.get("/").status_code == 200
    return client, user


def test_sign_out_goes_through_single_logout(tenants, client_for, mpass_round_trip, idp) -> None:  # type: ignore[no-untyped-def]
    client, user = _signed_in_through_mpass(tenants, client_for, mpass_round_trip)
    page = client.post("/iesire/")
    assert page.status_code == 200
    action, fields = form_of(page)
    assert action == f"{settings.MPASS_TEST_IDP_URL}/slo/post"
    assert "onload" not in page.content.decode()
    assert f"form-action 'self' {settings.MPASS_TEST_IDP_URL}" in page[
        "Content-Security-Policy"]
    # Our session ended at once; MPass answers, and we land on the sign-in page.
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=user).exists()
    destination, xml = idp.logout_response_to(fields["SAMLRequest"])
    assert destination == "http://prov-a.sgsc.test/saml2/ls/post/"
    back = client.post("/saml2/ls/post/", {"SAMLResponse": base64.b64encode(xml.encode()).decode(),
                                           "RelayState": fields.get("RelayState", "")})
    assert back.status_code == 302 and back["Location"] == "/autentificare/"


def test_logout_started_by_mpass_ends_the_session(tenants, client_for, mpass_round_trip, idp) -> None:  # type: ignore[no-untyped-def]
    client, user = _signed_in_through_mpass(tenants, client_for, mpass_round_trip)
    destination, xml = idp.logout_request_to("http://prov-a.sgsc.test/saml2/metadata/",
                                             user.idnp or "")
    # A cross-site POST: the browser sends only the SAML session's cookie, not ours.
    platform_cookie = client.cookies.pop("sgsc_session")
    answer = client.post(destination, {"SAMLRequest": base64.b64encode(xml.encode()).decode()})
    assert answer.status_code == 200
    action, fields = form_of(answer)
    assert action == f"{settings.MPASS_TEST_IDP_URL}/slo/post" and "SAMLResponse" in fields
    client.cookies["sgsc_session"] = platform_cookie.value
    assert client.get("/").status_code == 302
    event = AuditEvent.objects.filter(action="auth.logout", actor=user).latest("id")
    assert event.details == {"method": "mpass", "initiated_by": "idp"}


def test_forged_logout_message_is_refused_without_a_500(tenants, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(tenants.prov_a)
    response = client.post("/saml2/ls/post/", {"SAMLResponse": "bm90IHhtbA=="})
    assert response.status_code in (400, 403)
    assert AuditEvent.objects.filter(action="auth.logout", outcome="failure").exists() or (
        response.status_code == 403)


def test_password_session_signs_out_locally(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _user = signed_in("l1_operator", tenants.prov_a)
    response = client.post("/iesire/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
