"""The MPass round trip in process: the SP through the Django test client, the test IdP's
``Server`` called directly (one test also runs it as a real HTTP server)."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from stdnum.md import idno

from sgsc.integrations.doubles.mpass_idp import Person, TestIdentityProvider
from sgsc.integrations.mpass.keys import keypair_ensure
from sgsc.integrations.mpass.posting import _FormReader

_serial = itertools.count(1)


def new_idnp() -> str:
    base = f"2{next(_serial) + 4_000_000:011d}"
    return base + idno.calc_check_digit(base)


def form_of(response: Any) -> tuple[str, dict[str, str]]:
    reader = _FormReader()
    reader.feed(response.content.decode())
    return reader.action, reader.fields


def sp_entity(host: str) -> str:
    return f"http://{host}/saml2/metadata/"


@pytest.fixture
def idp() -> TestIdentityProvider:
    return TestIdentityProvider(base_url=settings.MPASS_TEST_IDP_URL,
                                sp_cert_file=Path(settings.MPASS_SP_CERT_FILE),
                                base_domain=settings.BASE_DOMAIN)


@pytest.fixture
def rogue_idp(tmp_path: Path) -> TestIdentityProvider:
    """The same IdP entity id and URL, but another key: its signatures must not verify."""
    key_file, cert_file = tmp_path / "rogue-key.pem", tmp_path / "rogue-cert.pem"
    keypair_ensure(key_file=key_file, cert_file=cert_file, common_name="rogue")
    return TestIdentityProvider(base_url=settings.MPASS_TEST_IDP_URL,
                                sp_cert_file=Path(settings.MPASS_SP_CERT_FILE),
                                base_domain=settings.BASE_DOMAIN,
                                key_file=key_file, cert_file=cert_file)


@pytest.fixture
def start_login() -> Callable[[Client], dict[str, str]]:
    """The SP's auto-posting AuthnRequest form (fields SAMLRequest, RelayState)."""

    def start(client: Client) -> dict[str, str]:
        response = client.get("/saml2/login/?next=/")
        assert response.status_code == 200
        action, fields = form_of(response)
        assert action == f"{settings.MPASS_TEST_IDP_URL}/sso/post"
        return fields

    return start


@pytest.fixture
def mpass_round_trip(idp: TestIdentityProvider,
                     start_login: Callable[[Client], dict[str, str]]) -> Callable[..., Any]:
    """Sign ``person`` in on ``client``'s host; keyword arguments go to ``authn_response``
    (``provider`` replaces the IdP that answers)."""

    def run(client: Client, person: Person, *, provider: TestIdentityProvider | None = None,
            **variant: Any) -> tuple[Any, str]:
        fields = start_login(client)
        request = idp.authn_request_parse(fields["SAMLRequest"])
        xml = (provider or idp).authn_response(request, person, **variant)
        encoded = base64.b64encode(xml.encode()).decode()
        response = client.post("/saml2/acs/", {"SAMLResponse": encoded,
                                               "RelayState": fields["RelayState"]})
        return response, encoded

    return run
