"""The test IdP as a real HTTP server (what `sgsc mpass_idp` runs for the browser)."""

from __future__ import annotations

import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from sgsc.integrations.doubles.mpass_idp import Person, TestIdentityProvider, serve
from sgsc.shared_apps.identity.models import Membership
from tests.factories import UserFactory
from tests.integrations.mpass.conftest import form_of, new_idnp
from tests.subprocesses import free_port


class _Page:
    def __init__(self, body: bytes, headers: dict[str, str]) -> None:
        self.content = body
        self.headers = headers


def _post(url: str, fields: dict[str, str]) -> _Page:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(url, data=data, timeout=10) as answer:  # noqa: S310
        return _Page(answer.read(), dict(answer.headers))


@pytest.fixture
def idp_http():  # type: ignore[no-untyped-def]
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    person = Person(idnp=new_idnp(), first_name="Ion", last_name="Demo", email="ion@demo.md")
    idp = TestIdentityProvider(base_url=base_url, base_domain=settings.BASE_DOMAIN,
                               sp_cert_file=Path(settings.MPASS_SP_CERT_FILE), people=[person])
    server = serve(idp, host="127.0.0.1", port=port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base_url, person
    finally:
        server.shutdown()
        server.server_close()


def test_round_trip_through_the_idp_over_http(idp_http, tenants, client_for, settings) -> None:  # type: ignore[no-untyped-def]
    from sgsc.integrations.mpass.conf import idp_metadata

    base_url, person = idp_http
    settings.MPASS_TEST_IDP_URL = base_url
    idp_metadata.clear()
    try:
        user = UserFactory(idnp=person.idnp)
        Membership.objects.create(user=user, tenant=tenants.prov_a, roles=["l1_operator"])
        with urllib.request.urlopen(f"{base_url}/metadata", timeout=10) as answer:  # noqa: S310
            assert b"SingleSignOnService" in answer.read()
        client = client_for(tenants.prov_a)
        action, fields = form_of(client.get("/saml2/login/?next=/"))
        assert action == f"{base_url}/sso/post"
        choice = _post(action, fields)
        assert b"Persoane demonstrative" in choice.content
        assert "script-src 'self'" in choice.headers["Content-Security-Policy"]
        _action, person_fields = form_of(choice)  # the first form: the demo person
        assert person_fields["idnp"] == person.idnp
        posted = _post(f"{base_url}/sso/respond", person_fields)
        assert b"/static/autosubmit.js" in posted.content and b"onload" not in posted.content
        acs, response_fields = form_of(posted)
        assert acs == "http://prov-a.sgsc.test/saml2/acs/"
        signed_in = client.post("/saml2/acs/", response_fields)
        assert signed_in.status_code == 302
        assert client.get("/").status_code == 200
    finally:
        idp_metadata.clear()


def test_idp_refuses_an_unsigned_authn_request(idp_http) -> None:  # type: ignore[no-untyped-def]
    import base64

    base_url, _person = idp_http
    unsigned = base64.b64encode(
        b'<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        b'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="x1" Version="2.0" '
        b'IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>http://prov-a.sgsc.test/saml2/'
        b"metadata/</saml:Issuer></samlp:AuthnRequest>").decode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        _post(f"{base_url}/sso/post", {"SAMLRequest": unsigned})
    assert refused.value.code == 400
