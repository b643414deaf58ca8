"""The public form in headless Chromium: the hub fields follow the mode (static script, under
the CSP), a PDF is uploaded and the confirmation shows the number."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from sgsc.provisioning.requests.models import (
    ConnectionRequest,
    RequestDocument,
    RequestEvent,
    RequestNumberCounter,
)
from sgsc.provisioning.requests.services import connection_request_submit
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.institutions.models import Institution
from tests.platform.test_browser import page, server_port  # noqa: F401  (fixtures)
from tests.provisioning.requests.conftest import PDF_BYTES, make_idno, valid_submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
IDNO = make_idno(880001)
CONSOLE_IDNO = make_idno(880002)
PASSWORD = "Parola-consola-2026!"


@pytest.fixture(scope="module")
def cleanup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The server commits what the browser sends: remove it afterwards. Module-scoped, so it
    runs outside the per-test transaction (whose locks would block the server)."""
    with django_db_blocker.unblock():
        counters = dict(RequestNumberCounter.objects.values_list("year", "last"))
        # Registered beforehand, so the committed audit log (append-only: it cannot be cleaned
        # up) gets no "institution.create" events from this module.
        for idno in (IDNO, CONSOLE_IDNO):
            Institution.objects.create(idno=idno, name=f"Instituția {idno}")
    yield
    with django_db_blocker.unblock():
        requests = ConnectionRequest.objects.filter(institution__idno__in=[IDNO, CONSOLE_IDNO])
        for request in requests:
            request.members.clear()
        for document in RequestDocument.objects.filter(request__in=requests):
            document.file.delete(save=False)  # the server's media folder is this one too
            document.delete()
        RequestEvent.objects.filter(request__in=requests).delete()
        requests.delete()
        Institution.objects.filter(idno__in=[IDNO, CONSOLE_IDNO]).delete()
        for counter in RequestNumberCounter.objects.all():
            if counter.year in counters:
                counter.last = counters[counter.year]
                counter.save(update_fields=["last"])
            else:
                counter.delete()


def test_public_form_in_the_browser(cleanup: None, page: Page,  # noqa: F811
                                    server_port: int, tmp_path: Path) -> None:  # noqa: F811
    # ``cleanup`` comes first: no ORM call may run while Playwright's event loop is open.
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    page.goto(f"http://sgsc.test:{server_port}/cerere-conectare/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cerere de conectare")
    hub = page.locator("[data-hub-fields]")
    expect(hub).to_be_hidden()  # individual is the default
    page.get_by_label("Hub comun de suport").check()
    expect(hub).to_be_visible()
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "sgsc-request-form.png"),
                    full_page=True)
    page.get_by_label("Individual").check()
    expect(hub).to_be_hidden()

    document = tmp_path / "cererea-semnata.pdf"
    document.write_bytes(PDF_BYTES)
    page.get_by_label("IDNO instituției", exact=False).first.fill(IDNO)
    page.get_by_label("Denumirea instituției").first.fill("Agenția pentru test în browser")
    page.get_by_label("Serviciile pentru care se solicită suport").fill("Certificate\nTaxe")
    page.get_by_role("checkbox", name="Telefon").check()
    page.get_by_label("Locuri de operator estimate").fill("3")
    page.get_by_label("Solicitări estimate pe lună").fill("900")
    page.get_by_label("Numele și prenumele persoanei de contact").fill("Elena Rusu")
    page.get_by_label("IDNP persoanei de contact").fill(make_idno(880001, prefix="2009"))
    page.get_by_label("E-mailul persoanei de contact").fill("elena.rusu@test.gov.md")
    page.get_by_label("Telefonul persoanei de contact").fill("+37360000000")
    page.get_by_label("Cererea semnată (PDF)").set_input_files(str(document))
    page.get_by_role("button", name="Trimite cererea").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cererea a fost înregistrată")
    number = page.locator(".request-number").inner_text()
    assert number.startswith("CR-")
    assert page.url.endswith(f"/cerere-conectare/{number}/trimisa/")
    expect(page.locator(".review-deadline")).to_contain_text("23:59")
    assert not [text for text in problems if "Content Security Policy" in text], problems


@pytest.fixture(scope="module")
def officer_and_request(cleanup: None, django_db_blocker: Any) -> Iterator[tuple[str, int]]:
    with django_db_blocker.unblock():
        user = User.objects.create_user(f"ofiter-{CONSOLE_IDNO}@age.gov.md", PASSWORD,
                                        platform_roles=["age_onboarding_officer"])
        created = connection_request_submit(**valid_submission(institution_idno=CONSOLE_IDNO))
    yield user.email, created.pk
    with django_db_blocker.unblock():
        # The audit log keeps referring to the user, so the account is only closed.
        User.objects.filter(pk=user.pk).update(is_active=False, platform_roles=[])


def test_console_actions_with_htmx(officer_and_request: tuple[str, int], page: Page,  # noqa: F811
                                   server_port: int) -> None:  # noqa: F811
    email, pk = officer_and_request
    base = f"http://sgsc.test:{server_port}"
    page.goto(f"{base}/autentificare/?next=/cereri/{pk}/")
    page.get_by_label("Adresa de e-mail").fill(email)
    page.get_by_label("Parola").fill(PASSWORD)
    page.get_by_role("button", name="Intră").click()
    page.wait_for_url(f"{base}/cereri/{pk}/")
    expect(page.locator(".request-head .status")).to_have_text("Depusă")

    page.get_by_text("Începe examinarea", exact=True).click()  # opens the dialog
    page.get_by_role("button", name="Confirmă: începe examinarea").click()
    expect(page.locator(".request-head .status")).to_have_text("În examinare")
    expect(page.get_by_role("status")).to_contain_text("Examinarea a început.")
    assert page.url == f"{base}/cereri/{pk}/"  # swapped in place, no navigation

    page.get_by_text("Respinge", exact=True).click()
    page.get_by_label("Motivele respingerii").fill("Scopurile contravin cadrului normativ.")
    page.get_by_role("button", name="Confirmă: respinge").click()
    expect(page.locator(".action-reject .field-error")).to_have_text(
        "Temeiul legal al respingerii este obligatoriu.")
    expect(page.locator(".request-head .status")).to_have_text("În examinare")
    page.get_by_label("Temeiul legal").fill("Anexa 1, pct. 10")
    page.get_by_role("button", name="Confirmă: respinge").click()
    expect(page.locator(".request-head .status")).to_have_text("Respinsă")
    expect(page.locator(".timeline li")).to_have_count(3)
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "sgsc-request-detail.png"),
                    full_page=True)
    page.goto(f"{base}/cereri/")
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "sgsc-request-list.png"),
                    full_page=True)
