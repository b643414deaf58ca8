"""The onboarding journey in headless Chromium: an AGE administrator signs an approved
request's contract in the console, watches the provisioning panel until a real Celery worker
has built the tenant, and the provider's admin activates the account from the access e-mail
and lands signed in on the new tenant's host.

gunicorn and the worker run as processes of their own on the test database, with
``tests.provisioning.e2e_settings`` (e-mail written to files). What they must see is committed
by a module fixture; afterwards it is removed, except what the append-only audit log refers
to (the accounts; the tenant, too, once an audit event names it), which is closed instead.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from playwright.sync_api import Page, expect, sync_playwright

from sgsc.provisioning.contracts.models import (
    Contract,
    ContractNumberCounter,
    ContractSignature,
)
from sgsc.provisioning.contracts.services import contract_update_draft
from sgsc.provisioning.onboarding.models import ActivationLink, ProvisioningJob, ProvisioningStep
from sgsc.provisioning.requests.models import (
    ConnectionRequest,
    RequestEvent,
    RequestNumberCounter,
)
from sgsc.provisioning.requests.services import (
    connection_request_approve,
    connection_request_submit,
)
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.institutions.models import Institution
from sgsc.shared_apps.workdays.selectors import deadline_after
from sgsc.tenants.models import Domain, Tenant
from tests.billing.tariffs.helpers import make_version
from tests.platform.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.provisioning.requests.conftest import make_idno, valid_submission
from tests.subprocesses import (
    PROJECT_DIR,
    celery_worker,
    free_port,
    gunicorn_server,
    subprocess_env,
)

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db]
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

SCREENSHOT = Path(tempfile.gettempdir()) / "sgsc-provisioning.png"
SETTINGS_MODULE = "tests.provisioning.e2e_settings"
ADMIN_PASSWORD = "Parola-AGE-consola-2026!"
PROVIDER_PASSWORD = "Cheia-noului-spatiu-2026!"
RUN = uuid.uuid4().hex[:8]
SERIAL = int(RUN, 16) % 10_000_000


@dataclass(frozen=True)
class Journey:
    admin_email: str
    contract_pk: int
    slug: str
    contact_email: str
    contact_first_name: str


@pytest.fixture(scope="module")
def journey(django_db_setup: None, django_db_blocker: Any) -> Iterator[Journey]:
    """An AGE administrator and an approved request with its draft contract, committed."""
    with django_db_blocker.unblock():
        counters = dict(RequestNumberCounter.objects.values_list("year", "last"))
        contract_counters = dict(ContractNumberCounter.objects.values_list("year", "last"))
        admin = User.objects.create_user(f"age-e2e-{RUN}@age.gov.md", ADMIN_PASSWORD,
                                         first_name="Victor", last_name="Guțu",
                                         platform_roles=["age_admin"])
        contact_email = f"doina.munteanu.{RUN}@agentie.gov.md"
        # Registered beforehand, so the committed audit log (append-only) gets no
        # "institution.create" event that other modules' tests would count.
        institution = Institution.objects.create(idno=make_idno(SERIAL, prefix="1003"),
                                                 name=f"Agenția de test în browser {RUN}")
        submitted = connection_request_submit(**valid_submission(
            institution_idno=institution.idno,
            institution_name=f"Agenția de test în browser {RUN}",
            contact_name="Doina Munteanu", contact_email=contact_email,
            contact_idnp=make_idno(SERIAL, prefix="2003")))
        connection_request_approve(connection_request=submitted, actor=admin,
                                   note="Cererea este completă.")
        contract = Contract.objects.get(request=submitted)
        tariff = make_version()  # signing needs an approved tariff in force
        slug = f"e2e-{RUN}"
        contract_update_draft(contract=contract, tenant_slug=slug,
                              tariff_code=contract.tariff_code,
                              effective_date=contract.effective_date,
                              term_months=contract.term_months, services=contract.services,
                              channels=contract.channels, actor=admin)
    yield Journey(admin_email=admin.email, contract_pk=contract.pk, slug=slug,
                  contact_email=contact_email, contact_first_name="Doina")
    with django_db_blocker.unblock():
        _cleanup(contract_pk=contract.pk, request_pk=submitted.pk, slug=slug,
                 institution_pk=institution.pk,
                 emails=[admin.email, contact_email], counters=counters)
        _restore(ContractNumberCounter, contract_counters)
        tariff.delete()
        connection.set_schema_to_public()  # type: ignore[attr-defined]


def _cleanup(*, contract_pk: int, request_pk: int, slug: str, institution_pk: int,
             emails: list[str],
             counters: dict[int, int]) -> None:
    """Remove what the module made. The accounts are referred to by the audit log, so they are
    closed; so is the tenant, should an audit event name it."""
    tenants = Tenant.objects.filter(slug=slug)
    ActivationLink.objects.filter(tenant__in=tenants).delete()
    Membership.objects.filter(tenant__in=tenants).delete()
    ProvisioningStep.objects.filter(job__contract_id=contract_pk).delete()
    ProvisioningJob.objects.filter(contract_id=contract_pk).delete()
    for signature in ContractSignature.objects.filter(contract_id=contract_pk):
        if signature.document:
            signature.document.delete(save=False)
        signature.delete()
    Contract.objects.filter(pk=contract_pk).delete()
    request = ConnectionRequest.objects.get(pk=request_pk)
    request.members.clear()
    RequestEvent.objects.filter(request=request).delete()
    request.delete()
    Domain.objects.filter(tenant__in=tenants).delete()
    for tenant in tenants:
        try:
            with transaction.atomic():
                Tenant.objects.filter(pk=tenant.pk).delete()
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
        except (ProtectedError, IntegrityError):
            # Audit events name it (append-only): it stays, terminated and detached from the
            # institution, so the registry is left as it was.
            Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.TERMINATED,
                                                       institution=None)
    try:
        with transaction.atomic():
            Institution.objects.filter(pk=institution_pk).delete()
    except (ProtectedError, IntegrityError):
        pass  # a terminated tenant still names it
    User.objects.filter(email__in=emails).update(is_active=False, platform_roles=[])
    _restore(RequestNumberCounter, counters)


def _restore(model: Any, counters: dict[int, int]) -> None:
    """Numbers stay gap-free for the tests that come after: the counters go back."""
    for counter in model.objects.all():
        if counter.year in counters:
            counter.last = counters[counter.year]
            counter.save(update_fields=["last"])
        else:
            counter.delete()


@pytest.fixture(scope="module")
def mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="module")
def processes(journey: Journey, django_db_blocker: Any, mail_dir: Path,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """gunicorn and a Celery worker on the test database; yields gunicorn's port."""
    port = free_port()
    logs = tmp_path_factory.mktemp("logs")
    env = subprocess_env(
        django_db_blocker, settings_module=SETTINGS_MODULE, TENANT_URL_PORT=str(port),
        SGSC_E2E_MAIL_DIR=str(mail_dir),
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")])))
    with celery_worker(env, log_path=logs / "worker.log"), \
            gunicorn_server(env, port=port, log_path=logs / "gunicorn.log"):
        yield port


@pytest.fixture
def page(processes: int) -> Iterator[Page]:
    """A fresh browser (no ORM calls while Playwright's event loop runs in this thread)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ro-MD", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(20_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def _access_email(mail_dir: Path, recipient: str, timeout: float = 30) -> str:
    """The text of the first e-mail to ``recipient`` the file backend wrote."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.log")):
            # The file backend writes each message followed by a line of dashes.
            for raw in path.read_bytes().split(b"-" * 79):
                if not raw.strip():
                    continue
                message = email.message_from_bytes(raw.strip(), policy=email.policy.default)
                if recipient in str(message.get("To", "")):
                    assert isinstance(message, EmailMessage)
                    text = message.get_body(preferencelist=("plain",))
                    assert text is not None, "the e-mail has no text part"
                    return str(text.get_content())
        time.sleep(0.3)
    raise AssertionError(f"no e-mail to {recipient} within {timeout} s")


def test_sign_and_watch_the_provisioning(journey: Journey, page: Page, processes: int) -> None:
    port = processes
    public = f"http://sgsc.test:{port}"
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)

    # The AGE administrator signs in on the public host and opens the contract.
    contract_url = f"{public}/contracte/{journey.contract_pk}/"
    page.goto(f"{public}/autentificare/?next=/contracte/{journey.contract_pk}/")
    page.get_by_label("Adresa de e-mail").fill(journey.admin_email)
    page.get_by_label("Parola").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Intră").click()
    page.wait_for_url(contract_url)
    expect(page.locator("h1")).to_contain_text("Proiect")
    panel = page.locator(f"#provisioning-{journey.contract_pk}")
    expect(panel).to_contain_text("Configurarea spațiului începe după semnarea contractului.")

    # The sign dialog (a popover).
    page.get_by_role("button", name="Semnează contractul").click()
    dialog = page.locator("#sign-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Semnatarul din partea AGE").fill("Ion Rusu")
    dialog.get_by_label("Funcția semnatarului AGE").fill("Director")
    dialog.get_by_label("Semnatarul din partea prestatorului").fill("Doina Munteanu")
    dialog.get_by_label("Funcția semnatarului prestatorului").fill("Director general")
    dialog.get_by_role("button", name="Semnează", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Semnat")

    # The provisioning panel polls (htmx) until the worker has done every step.
    panel = page.locator(f"#provisioning-{journey.contract_pk}")
    expect(panel).to_have_attribute("data-job-status", "done", timeout=90_000)
    steps = panel.locator("tr[data-step]")
    expect(steps).to_have_count(5)
    for index in range(5):
        expect(steps.nth(index)).to_have_attribute("data-state", "done")
    expect(panel).to_contain_text(journey.slug)
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.reload()
    expect(page.locator("h1")).to_contain_text("În vigoare")
    expect(page.locator(".clock")).to_contain_text("10 zile lucrătoare rămase")
    assert not [text for text in problems if "Content Security Policy" in text], problems


def test_activation_link_signs_in_on_the_tenant_host(journey: Journey, mail_dir: Path,
                                                     page: Page, processes: int) -> None:
    port = processes
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)

    # The access package: the activation link points to the new tenant's host.
    body = _access_email(mail_dir, journey.contact_email)
    host = f"{journey.slug}.sgsc.test:{port}"
    match = re.search(rf"http://{re.escape(host)}/activare/[A-Za-z0-9_-]+/", body)
    assert match, body
    page.goto(match.group(0))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Activarea contului")
    expect(page.get_by_text(journey.contact_email)).to_be_visible()
    page.get_by_label("Parola nouă").fill(PROVIDER_PASSWORD)
    page.get_by_label("Confirmați parola").fill(PROVIDER_PASSWORD)
    with page.expect_response(lambda response: response.request.method == "POST"
                              and "/activare/" in response.url) as posted:
        page.get_by_role("button", name="Activează contul").click()
    assert posted.value.status == 302, f"the activation was refused ({posted.value.status})"

    page.wait_for_url(f"http://{host}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Bine ați venit, {journey.contact_first_name}")
    expect(page.locator("ul.roles li")).to_have_text(["Administrator al prestatorului"])
    assert not [text for text in problems if "Content Security Policy" in text], problems


def test_what_the_journey_left_behind(journey: Journey, processes: int) -> None:
    """Runs after the browser: the stored state agrees with what the pages showed."""
    contract = Contract.objects.select_related("tenant").get(pk=journey.contract_pk)
    assert contract.status == Contract.Status.ACTIVE
    assert contract.tenant is not None and contract.tenant.slug == journey.slug
    assert contract.tenant.status == Tenant.Status.ACTIVE
    assert contract.signed_at is not None
    assert contract.handover_deadline == deadline_after(event=contract.signed_at,
                                                        working_days=10)
    job = ProvisioningJob.objects.get(contract=contract)
    assert job.status == "done"
    assert set(job.steps.values_list("state", flat=True)) == {"done"}
    person = User.objects.get(email=journey.contact_email)
    assert Membership.objects.get(user=person, tenant=contract.tenant).roles == ["tenant_admin"]
    assert ActivationLink.objects.filter(user=person, tenant=contract.tenant).exists()
