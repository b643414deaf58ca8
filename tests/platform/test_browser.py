"""The sign-in journey in headless Chromium against a real gunicorn process.

The server runs in its own process on the test database; what it must see is committed
outside the per-test transactions (pytest-django's live server would flush the database,
which the audit log's trigger refuses).
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenants.models import Tenant
from tests.subprocesses import free_port, gunicorn_server, subprocess_env

# django_db: so that pytest-django sets the test database up for this module alone, too.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(tempfile.gettempdir()) / "sgsc-login.png"
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP *.sgsc.test 127.0.0.1, MAP sgsc.test 127.0.0.1",
]
PASSWORD = "Parola-browser-2026!"

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def server_port(django_db_setup: None, django_db_blocker: Any,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """gunicorn serving the test database; stopped (and its connections closed) at the end."""
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with gunicorn_server(subprocess_env(django_db_blocker), port=free_port(),
                         log_path=log_path) as port:
        yield port


@dataclass(frozen=True)
class Account:
    email: str
    first_name: str
    tenant_name: str


@pytest.fixture(scope="module")
def tenant_admin(django_db_setup: None, django_db_blocker: Any) -> Iterator[Account]:
    """A committed user with the tenant_admin role in prov-a (the server cannot see savepoints)."""
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="prov-a")
        user = User.objects.create_user(f"browser-{uuid.uuid4().hex[:12]}@test.gov.md",
                                        PASSWORD, first_name="Ion", last_name="Ciobanu")
        membership = Membership.objects.create(user=user, tenant=tenant,
                                               roles=[TenantRole.TENANT_ADMIN.value])
    yield Account(email=user.email, first_name=user.first_name, tenant_name=tenant.name)
    with django_db_blocker.unblock():
        # The audit log keeps referring to the user, so the account is only closed.
        membership.delete()
        User.objects.filter(pk=user.pk).update(is_active=False)


@pytest.fixture
def page(server_port: int) -> Iterator[Page]:
    """A fresh browser (no ORM calls while Playwright's event loop runs in this thread)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        # A browser set to Romanian: Django follows Accept-Language until a choice is made.
        context = browser.new_context(locale="ro-MD", viewport={"width": 1280, "height": 800})
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def _url(host: str, port: int, path: str = "/") -> str:
    return f"http://{host}:{port}{path}"


@pytest.mark.parametrize(("host", "subtitle"), [
    ("sgsc.test", "Consola platformei SGSC"),
    ("prov-a.sgsc.test", "Prestatorul A de test"),
    ("hub-test.sgsc.test", "Hubul de test"),
])
def test_every_host_leads_to_the_romanian_login(page: Page, server_port: int, host: str,
                                                 subtitle: str) -> None:
    response = page.goto(_url(host, server_port))
    assert response is not None and response.ok
    assert page.url == _url(host, server_port, "/autentificare/?next=/")
    expect(page.locator("html")).to_have_attribute("lang", "ro")
    expect(page.get_by_role("heading", level=1)).to_have_text("Autentificare")
    expect(page.locator("section.card p.muted").first).to_have_text(subtitle)
    expect(page.get_by_label("Adresa de e-mail")).to_be_visible()
    expect(page.get_by_label("Parola")).to_be_visible()
    # The stylesheet is served (whitenoise) and applied.
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"
    if host == "prov-a.sgsc.test":
        page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_sign_in_switch_language_and_sign_out(page: Page, server_port: int,
                                              tenant_admin: Account) -> None:
    host = "prov-a.sgsc.test"
    page.goto(_url(host, server_port))
    expect(page.get_by_role("heading", level=1)).to_have_text("Autentificare")
    page.get_by_label("Adresa de e-mail").fill(tenant_admin.email)
    page.get_by_label("Parola").fill(PASSWORD)
    page.get_by_role("button", name="Intră").click()

    page.wait_for_url(_url(host, server_port, "/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Bine ați venit, {tenant_admin.first_name}")
    expect(page.get_by_text(f"Sunteți în spațiul de lucru „{tenant_admin.tenant_name}”."))\
        .to_be_visible()
    expect(page.locator("ul.roles li")).to_have_text(["Administrator al prestatorului"])
    expect(page.get_by_role("navigation", name="Navigare principală")
           .get_by_role("link", name="Profilul spațiului")).to_be_visible()

    page.select_option("#lang-select", "ru")  # the form submits itself on change
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert page.url == _url(host, server_port, "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Добро пожаловать, {tenant_admin.first_name}")
    expect(page.get_by_role("heading", level=2)).to_have_text("Ваши роли")
    expect(page.locator("ul.roles li")).to_have_text(["Администратор поставщика услуг"])
    expect(page.locator("#lang-select")).to_have_value("ru")

    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(_url(host, server_port, "/autentificare/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Вход в систему")
    expect(page.get_by_role("button", name="Выйти")).to_have_count(0)
    # Signed out: the home page sends back to the sign-in form.
    page.goto(_url(host, server_port))
    assert page.url == _url(host, server_port, "/autentificare/?next=/")
