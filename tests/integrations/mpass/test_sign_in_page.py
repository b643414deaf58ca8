from __future__ import annotations

import base64

import pytest

from sgsc.shared_apps.audit.models import AuditEvent


def test_mpass_is_the_primary_action(client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    page = client_for(tenants.prov_a).get("/autentificare/?next=/audit/").content.decode()
    assert page.index("Autentificare prin MPass") < page.index("Cont local")
    assert 'action="/saml2/login/"' in page and 'value="/audit/"' in page


def test_without_local_password_login_only_mpass_is_offered(client_for, tenants, settings,  # type: ignore[no-untyped-def]
                                                            user_with_role) -> None:
    settings.LOCAL_PASSWORD_LOGIN = False
    user = user_with_role("l1_operator", tenants.prov_a)
    client = client_for(tenants.prov_a)
    page = client.get("/autentificare/").content.decode()
    assert "Autentificare prin MPass" in page and "Cont local" not in page
    refused = client.post("/autentificare/", {"username": user.email,
                                              "password": "Parola-de-test-2026"})
    assert refused.status_code == 403
    assert 'data-code="local_login_disabled"' in refused.content.decode()
    assert client.get("/").status_code == 302
    event = AuditEvent.objects.filter(action="auth.login").latest("id")
    assert event.details == {"method": "password", "reason": "local_login_disabled"}


def test_sp_metadata_names_this_host(client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    xml = client_for(tenants.hub).get("/saml2/metadata/").content.decode()
    assert 'entityID="http://hub-test.sgsc.test/saml2/metadata/"' in xml
    assert "http://hub-test.sgsc.test/saml2/acs/" in xml
    assert 'AuthnRequestsSigned="true"' in xml and "FirstName" in xml


def test_idp_refuses_a_tampered_authn_request(client_for, tenants, idp, start_login) -> None:  # type: ignore[no-untyped-def]
    fields = start_login(client_for(tenants.prov_a))
    xml = base64.b64decode(fields["SAMLRequest"]).decode()
    tampered = xml.replace("/saml2/acs/", "/saml2/acs/?evil=1", 1)
    assert tampered != xml
    with pytest.raises(ValueError, match="not valid"):
        idp.authn_request_parse(base64.b64encode(tampered.encode()).decode())
    assert idp.authn_request_parse(fields["SAMLRequest"]).id

