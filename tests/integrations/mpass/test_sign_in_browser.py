"""MPass end to end: in headless Chromium, a person signs in on a tenant host through the
local MPass (a real SAML round trip), works, and signs out through single logout.

gunicorn and the test MPass (``sgsc mpass_idp``) run as processes of their own on the test
database. The IdP listens on 127.0.0.1, another site than the tenant host, as the real MPass
does: the SAML session's cookie must survive a cross-site POST (``SameSite=None; Secure``).
What they must see is committed by a module fixture before they start (the IdP offers the
people that exist then); afterwards the accounts, which the append-only audit log refers to,
are closed instead of deleted.
"""

from __future__ import annotations

import random
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Q
from playwright.sync_api import Page, expect
from stdnum.md import idno

from sgsc.integrations.doubles import mpass_idp
from sgsc.integrations.mpass.conf import sp_key_files
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import ApiToken, Membership, SignInSession, User
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenants.models import Tenant
from tests.browser import chromium
from tests.platform.test_browser import CHROMIUM
from tests.subprocesses import free_port, gunicorn_server, mpass_idp_server, subprocess_env

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

SCREENSHOTS = Path(tempfile.gettempdir())
HOST = "prov-a.sgsc.test"
RUN = uuid.uuid4().hex[:8]
_random = random.Random(RUN)  # synthetic identifiers, not secrets


def _idnp() -> str:
    base = f"2{_random.randrange(10**11):011d}"
    return base + idno.calc_check_digit(base)


@dataclass(frozen=True)
class Person:
    pk: int
    idnp: str
    email: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class People:
    admin: Person  # tenant_admin in prov-a
    outsider: Person  # a valid IDNP, access in prov-b only
    newcomer_idnp: str  # added by the admin in the browser
    newcomer_email: str


@dataclass(frozen=True)
class Servers:
    web: int
    idp: int


def _person(user: User) -> Person:
    return Person(pk=user.pk, idnp=user.idnp or "", email=user.email,
                  first_name=user.first_name, last_name=user.last_name)


@pytest.fixture(scope="module")
def people(django_db_setup: None, django_db_blocker: Any) -> Iterator[People]:
    """Committed before the servers start: gunicorn sees only committed rows, and the IdP lists
    the people that exist when it starts."""
    newcomer_email = f"operator-{RUN}@prov-a.gov.md"
    with django_db_blocker.unblock():
        admin = User.objects.create_user(f"admin-mpass-{RUN}@prov-a.gov.md", None,
                                         first_name="Ion", last_name=f"Ciobanu-{RUN}",
                                         idnp=_idnp())
        Membership.objects.create(user=admin, tenant=Tenant.objects.get(slug="prov-a"),
                                  roles=[TenantRole.TENANT_ADMIN.value])
        outsider = User.objects.create_user(f"straina-{RUN}@prov-b.gov.md", None,
                                            first_name="Ana", last_name=f"Străină-{RUN}",
                                            idnp=_idnp())
        Membership.objects.create(user=outsider, tenant=Tenant.objects.get(slug="prov-b"),
                                  roles=[TenantRole.L1_OPERATOR.value])
        # Both processes read these; made here once so that they never race to create them.
        sp_key_files()
        mpass_idp.test_idp_key_files()
    yield People(admin=_person(admin), outsider=_person(outsider), newcomer_idnp=_idnp(),
                 newcomer_email=newcomer_email)
    with django_db_blocker.unblock():
        users = User.objects.filter(Q(pk__in=[admin.pk, outsider.pk]) | Q(email=newcomer_email))
        ApiToken.objects.filter(user__in=users).delete()
        Membership.objects.filter(user__in=users).delete()
        # The audit log and the sign-in register keep referring to the people: closed only.
        users.update(is_active=False)


@pytest.fixture(scope="module")
def servers(people: People, django_db_blocker: Any,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The test MPass, then gunicorn; both read the IdP's address from the same variables."""
    logs = tmp_path_factory.mktemp("mpass-browser")
    idp_port = free_port()
    env = subprocess_env(django_db_blocker, MPASS_TEST_IDP_URL=f"http://127.0.0.1:{idp_port}",
                         MPASS_IDP_METADATA="")
    with mpass_idp_server(env, port=idp_port, log_path=logs / "mpass.log"), \
            gunicorn_server(env, port=free_port(), log_path=logs / "gunicorn.log") as web:
        yield Servers(web=web, idp=idp_port)


@pytest.fixture
def page(servers: Servers, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser; a screenshot lands in the temp folder when the test fails."""
    # The SAML session cookie is Secure; http://*.sgsc.test is not a secure context otherwise
    # (http://*.localhost would be, in development).
    secure = f"--unsafely-treat-insecure-origin-as-secure=http://{HOST}:{servers.web}"
    with chromium(secure) as browser:
        context = browser.new_context(locale="ro-MD", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        new_page = context.new_page()
        failed_before = request.session.testsfailed
        try:
            yield new_page
        finally:
            # The test's own report is counted before its fixtures are torn down.
            if request.session.testsfailed > failed_before:
                new_page.screenshot(path=str(SCREENSHOTS / f"sgsc-{request.node.name}.png"),
                                    full_page=True)
            context.close()


def _url(port: int, path: str = "/") -> str:
    return f"http://{HOST}:{port}{path}"


def _sign_in_through_mpass(page: Page, servers: Servers, person: Person) -> None:
    """From the tenant's sign-in page to MPass, where ``person`` is chosen."""
    page.goto(_url(servers.web, "/membri/"))
    assert page.url == _url(servers.web, "/autentificare/?next=/membri/")
    page.get_by_role("button", name="Autentificare prin MPass").click()
    page.wait_for_url(f"http://127.0.0.1:{servers.idp}/sso/post")
    expect(page.get_by_role("heading", level=1)).to_have_text("MPass de test")
    expect(page.locator("code")).to_have_text(_url(servers.web, "/saml2/metadata/"))
    page.get_by_role("button", name=f"{person.first_name} {person.last_name} · {person.idnp}")\
        .click()


def test_sign_in_work_and_single_logout(page: Page, servers: Servers, people: People) -> None:
    port, admin = servers.web, people.admin
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)

    _sign_in_through_mpass(page, servers, admin)
    # The IdP's answer posts itself to the ACS, which sends the person where they were going.
    page.wait_for_url(_url(port, "/membri/"))
    expect(page.get_by_role("button", name="Ieșire")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Utilizatori și roluri")
    expect(page.locator("#members-table")).to_contain_text(admin.email)

    # Work: grant access to a new operator, as the tenant's administrator does (Annex 2 §33).
    page.get_by_role("link", name="Adaugă o persoană").click()
    page.get_by_label("IDNP").fill(people.newcomer_idnp)
    page.get_by_label("Nume", exact=True).fill("Rotaru")
    page.get_by_label("Prenume").fill("Vasile")
    page.get_by_label("E-mail").fill(people.newcomer_email)
    page.get_by_label("Operator nivel 1").check()
    page.get_by_role("button", name="Acordă accesul").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vasile Rotaru")
    expect(page.get_by_text("Accesul a fost acordat: Vasile Rotaru.")).to_be_visible()
    expect(page.locator("dd").filter(has_text="Operator nivel 1")).to_have_count(1)
    page.get_by_role("navigation", name="Navigare principală")\
        .get_by_role("link", name="Utilizatori și roluri").click()
    expect(page.locator("#members-table")).to_contain_text(people.newcomer_email)

    # ...and an API token of one's own on this host.
    page.get_by_role("navigation", name="Navigare principală")\
        .get_by_role("link", name="Tokenuri API").click()
    page.wait_for_url(_url(port, "/profil/tokenuri/"))
    page.get_by_label("Denumire").fill(f"Raportare {RUN}")
    page.get_by_role("button", name="Creează").click()
    expect(page.get_by_role("heading", name="Tokenul a fost creat")).to_be_visible()
    expect(page.locator("table.tokens tbody tr")).to_contain_text([f"Raportare {RUN}"])
    old_session = next(cookie for cookie in page.context.cookies()
                       if cookie["name"] == "sgsc_session")

    # "Ieșire": through MPass (its logout page answers) and back to the sign-in page.
    with page.expect_request(f"http://127.0.0.1:{servers.idp}/slo/post") as to_idp, \
            page.expect_request(_url(port, "/saml2/ls/post/")) as back:
        page.get_by_role("button", name="Ieșire").click()
        page.wait_for_url(_url(port, "/autentificare/"))
    assert "SAMLRequest" in (to_idp.value.post_data or "")
    assert "SAMLResponse" in (back.value.post_data or "")
    expect(page.get_by_role("heading", level=1)).to_have_text("Autentificare")
    expect(page.get_by_role("button", name="Ieșire")).to_have_count(0)

    # The old session is dead on the server, not only forgotten by the browser.
    page.context.add_cookies([old_session])  # type: ignore[list-item]
    page.goto(_url(port, "/profil/tokenuri/"))
    assert page.url == _url(port, "/autentificare/?next=/profil/tokenuri/")
    assert not [text for text in problems if "Content Security Policy" in text], problems


def test_person_without_access_here_is_refused(page: Page, servers: Servers,
                                              people: People) -> None:
    _sign_in_through_mpass(page, servers, people.outsider)
    page.wait_for_url(_url(servers.web, "/saml2/acs/"))
    expect(page.locator(".error-page")).to_have_attribute("data-code", "no_membership")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nu aveți acces la acest spațiu.")
    expect(page.get_by_text("Solicitați accesul administratorului acestui spațiu."))\
        .to_be_visible()
    expect(page.get_by_role("button", name="Ieșire")).to_have_count(0)
    page.goto(_url(servers.web, "/membri/"))
    assert page.url == _url(servers.web, "/autentificare/?next=/membri/")


def test_the_audit_log_has_both_journeys(servers: Servers, people: People) -> None:
    """Runs after the browser: what the servers committed agrees with what the pages showed."""
    prov_a = Tenant.objects.get(slug="prov-a")
    admin = User.objects.get(pk=people.admin.pk)
    login = AuditEvent.objects.get(action="auth.login", actor=admin,
                                   outcome=AuditEvent.Outcome.SUCCESS)
    assert login.details == {"method": "mpass"} and login.tenant == prov_a
    assert AuditEvent.objects.filter(action="auth.logout", actor=admin, tenant=prov_a).exists()
    newcomer = User.objects.get(email=people.newcomer_email)
    assert newcomer.idnp == people.newcomer_idnp
    grant = AuditEvent.objects.get(action="membership.grant", actor=admin)
    assert grant.details["user"] == newcomer.pk and grant.details["roles"] == ["l1_operator"]
    assert ApiToken.objects.filter(user=admin, tenant=prov_a, name=f"Raportare {RUN}").exists()
    (session,) = SignInSession.objects.filter(user=admin)
    assert (session.method, session.tenant, session.end_reason) == ("mpass", prov_a, "logout")

    refused = AuditEvent.objects.get(action="auth.login", actor_id=people.outsider.pk)
    assert refused.outcome == AuditEvent.Outcome.FAILURE and refused.tenant == prov_a
    assert refused.details == {"method": "mpass", "reason": "no_membership"}
    assert not Membership.objects.filter(user_id=people.outsider.pk, tenant=prov_a).exists()
