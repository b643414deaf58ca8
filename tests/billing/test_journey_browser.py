"""The billing journey in headless Chromium, on the public host: an AGE administrator drafts a
tariff schedule version and submits it; the State Chancellery approves it with its decision;
AGE meters the last day of a past month and issues that month's statement; the Chancellery
sees the month in its console, with the chart, and drills down to the provider, down to its
call-minute records.

gunicorn serves the test database from a process of its own, so what it must see is committed
by a module fixture: the accounts, an empty schedule and the contract of prov-a pointing to
it, an operator seat in prov-a, calls reported by prov-a's PBX during the month (through the
ingest service, as the PBX's batches arrive), and the month's other days metered through the
service (as the nightly job would have). Afterwards it is removed — the calls and their
append-only events only through the superuser's ``session_replication_role`` — except the
accounts, which the append-only audit log refers to: they are closed instead.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, expect

from sgsc.billing.statements.models import Statement, StatementNumberCounter
from sgsc.billing.statements.selectors import console_month
from sgsc.billing.statements.templatetags.money_format import money
from sgsc.billing.tariffs.models import TariffComponent, TariffSchedule, TariffScheduleVersion
from sgsc.billing.usage.models import Metric, UsageRecord
from sgsc.billing.usage.selectors import month_bounds, previous_month
from sgsc.billing.usage.services import usage_meter_tenant_day
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import PlatformRole, TenantRole
from sgsc.shared_apps.institutions.models import Institution
from sgsc.shared_apps.workdays.selectors import local_date, local_zone
from sgsc.tenant_apps.telephony.models import Call, CallEvent, Connector
from sgsc.tenant_apps.telephony.services import connector_issue
from sgsc.tenants.models import Tenant
from tests.billing.statements.helpers import make_contract
from tests.browser import chromium, gunicorn_port, signed_in
from tests.platform.test_browser import CHROMIUM
from tests.tenant_apps.telephony.calls import answered_call, missed_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

SCREENSHOTS = Path(tempfile.gettempdir())
PASSWORD = "Parola-facturare-2026!"
RUN = uuid.uuid4().hex[:8]
PROVIDER = "Prestatorul A de test"
# The smallest file that passes the PDF check (it looks at the signature).
DECISION_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PRICES = {"subscription": "1500", "seat": "350", "ticket": "2.50", "call_minute": "0.45",
          "storage_gb_month": "1.20"}
# Talk time reported by prov-a's PBX: two calls on the 2nd (754 + 1000 s = 29.23 minutes) and
# one ending at 23:59:30 on the month's last day (401 s = 6.68 minutes, metered in the
# browser). 35.91 minutes x 0.45 = 16.1595, half up 16.16; VAT 20 % 3.23; 19.39 in all.
CALL_MINUTES = Decimal("35.91")
CALL_AMOUNT, CALL_TOTAL = "16,16", "19,39"


@dataclass
class Journey:
    admin_email: str
    reviewer_email: str
    schedule_code: str
    contract_pk: int
    contract_label: str
    month: date
    calls_last_day: list[int]
    # What the pages showed, for the check of the stored state that follows.
    shown: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def journey(django_db_setup: None, django_db_blocker: Any) -> Iterator[Journey]:
    with django_db_blocker.unblock():
        counters = dict(StatementNumberCounter.objects.values_list("year", "last"))
        month = previous_month(local_date(timezone.now()))  # over: statements may be issued
        first, last = month_bounds(month)
        tenant = Tenant.objects.get(slug="prov-a")
        admin = User.objects.create_user(f"age-billing-{RUN}@age.gov.md", PASSWORD,
                                         first_name="Victor", last_name="Guțu",
                                         platform_roles=[PlatformRole.AGE_ADMIN.value])
        reviewer = User.objects.create_user(
            f"cancelarie-{RUN}@gov.md", PASSWORD, first_name="Elena", last_name="Țurcanu",
            platform_roles=[PlatformRole.CHANCELLERY_REVIEWER.value])
        operator = User.objects.create_user(f"operator-{RUN}@prov-a.gov.md", PASSWORD)
        seat = Membership.objects.create(
            user=operator, tenant=tenant, roles=[TenantRole.L1_OPERATOR.value],
            valid_from=datetime.combine(first - timedelta(days=30), time.min,
                                        tzinfo=local_zone()))
        schedule = TariffSchedule.objects.create(code=f"E2E-{RUN}".upper(),
                                                 name="Grila încercată în browser",
                                                 created_by=admin)
        had_institution = tenant.institution_id is not None
        contract = make_contract(tenant=tenant, schedule=schedule,
                                 effective_date=first - timedelta(days=61))
        connector, calls_last_day = _report_calls(tenant=tenant, actor=admin, first=first,
                                                  last=last)
        for day in range(1, last.day):  # the last day is metered in the browser
            usage_meter_tenant_day(tenant=tenant, day=first.replace(day=day))
        connection.set_schema_to_public()  # type: ignore[attr-defined]
    yield Journey(admin_email=admin.email, reviewer_email=reviewer.email,
                  schedule_code=schedule.code, contract_pk=contract.pk,
                  contract_label=f"{contract.number} · {contract.institution.name}", month=month,
                  calls_last_day=calls_last_day)
    with django_db_blocker.unblock():
        _remove_calls(tenant=tenant, connector=connector)
        _cleanup(contract=contract, schedule=schedule, tenant=tenant, month=month,
                 institution=None if had_institution else contract.institution,
                 seat=seat, users=[admin, reviewer, operator])
        for counter in StatementNumberCounter.objects.all():  # numbers stay gap-free
            if counter.year in counters:
                counter.last = counters[counter.year]
                counter.save(update_fields=["last"])
            else:
                counter.delete()
        connection.set_schema_to_public()  # type: ignore[attr-defined]


def _local(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=local_zone())


def _report_calls(*, tenant: Tenant, actor: User, first: date,
                  last: date) -> tuple[Connector, list[int]]:
    """prov-a's PBX reports the month's calls (and one nobody answered); the ids of the calls
    of the last day."""
    with schema_context(tenant.schema_name):
        connector, _key = connector_issue(actor=actor, name=f"PBX facturare {RUN}")
        second = first.replace(day=2)
        answered_call(connector, ended=_local(second, "10:00:00"), seconds=754)
        answered_call(connector, ended=_local(second, "11:00:00"), seconds=1000)
        missed_call(connector, ended=_local(second, "12:00:00"))
        late = answered_call(connector, ended=_local(last, "23:59:30"), seconds=401)
        return connector, list(Call.objects.filter(pbx_call_id=late).values_list("pk", flat=True))


def _remove_calls(*, tenant: Tenant, connector: Connector) -> None:
    """The connector's calls and events. The events' trigger refuses DELETE, as it must; the
    test removes its own rows in a session whose triggers are off (superuser only)."""
    with schema_context(tenant.schema_name), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for model in (CallEvent, Call):
            cursor.execute(f"DELETE FROM {model._meta.db_table} "  # noqa: S608
                           "WHERE connector_id = %s", [connector.pk])
        cursor.execute(f"DELETE FROM {Connector._meta.db_table} WHERE id = %s",  # noqa: S608
                       [connector.pk])


def _cleanup(*, contract: Contract, schedule: TariffSchedule, tenant: Tenant, month: date,
             institution: Institution | None, seat: Membership, users: list[User]) -> None:
    """Statements, usage, the contract and the schedule go (the audit log names them only by
    id); the accounts stay, closed, because audit events point to them."""
    Statement.objects.filter(contract=contract, kind=Statement.Kind.CREDIT_NOTE).delete()
    Statement.objects.filter(contract=contract).delete()
    records = UsageRecord.objects.filter(tenant=tenant, day__range=month_bounds(month))
    records.filter(kind=UsageRecord.Kind.ADJUSTMENT).delete()
    records.delete()
    request = ConnectionRequest.objects.get(pk=contract.request_id)
    Contract.objects.filter(pk=contract.pk).delete()
    request.delete()
    if institution is not None:
        institution.delete()
    for version in TariffScheduleVersion.objects.filter(schedule=schedule):
        if version.decision_document:
            version.decision_document.delete(save=False)
        version.delete()
    schedule.delete()
    seat.delete()
    User.objects.filter(pk__in=[user.pk for user in users]).update(is_active=False,
                                                                    platform_roles=[])


@pytest.fixture(scope="module")
def server_port(journey: Journey, django_db_blocker: Any,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with gunicorn_port(django_db_blocker, tmp_path_factory) as port:
        yield port


@pytest.fixture
def browser(server_port: int) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_tariff_to_statement_to_the_chancellery_console(journey: Journey, browser: Browser,
                                                        server_port: int) -> None:
    base = f"http://sgsc.test:{server_port}"
    month, (_first, last) = journey.month, month_bounds(journey.month)
    luna = f"{month:%Y-%m}"
    problems: list[str] = []
    pages: dict[str, Page] = {}
    try:
        # AGE drafts a version of the schedule, with its components, and submits it.
        age = pages["age"] = signed_in(
            browser, base, email=journey.admin_email, password=PASSWORD,
            path=f"/grile-tarifare/{journey.schedule_code}/", problems=problems)
        age.get_by_role("link", name="Versiune nouă (proiect)").click()
        age.get_by_label("În vigoare de la").fill(month.isoformat())
        age.get_by_label("Regimul TVA").select_option(TariffScheduleVersion.Vat.EXCLUDED.value)
        age.get_by_label("Cota TVA (%)").fill("20")
        for kind, price in PRICES.items():
            age.locator(f"#id_price_{kind}").fill(price)
        age.get_by_role("button", name="Salvează proiectul").click()
        expect(age.locator("ul.messages")).to_contain_text("Versiunea v1 a fost salvată")
        version_url = age.url
        age.get_by_role("button", name="Transmite spre aprobare").click()
        age.locator("#submit-dialog").get_by_role("button", name="Transmite").click()
        expect(age.locator("h1")).to_contain_text("Transmisă spre aprobare")
        expect(age.locator("section.card", has_text="Componente").locator("tbody tr"))\
            .to_have_count(len(PRICES))

        # The Chancellery finds it among the pending versions and approves it.
        chancellery = pages["chancellery"] = signed_in(
            browser, base, email=journey.reviewer_email, password=PASSWORD,
            path="/grile-tarifare/in-asteptare/", problems=problems)
        chancellery.get_by_role("row", name=journey.schedule_code)\
            .get_by_role("link", name="Examinează").click()
        assert chancellery.url == version_url
        chancellery.get_by_role("button", name="Aprobă", exact=True).click()
        dialog = chancellery.locator("#approve-dialog")
        expect(dialog).to_be_visible()
        dialog.get_by_label("Numărul deciziei Cancelariei de Stat").fill(f"D-{RUN}")
        dialog.get_by_label("Data deciziei").fill(local_date(timezone.now()).isoformat())
        dialog.get_by_label("Decizia (PDF, cel mult 10 MB)").set_input_files(
            {"name": "decizia.pdf", "mimeType": "application/pdf", "buffer": DECISION_PDF})
        dialog.get_by_role("button", name="Aprobă versiunea").click()
        expect(chancellery.locator("h1")).to_contain_text("Aprobată")
        expect(chancellery.locator("h1 .badge.frozen")).to_have_text("Înghețată")
        expect(chancellery.get_by_text(f"nr. D-{RUN} din")).to_be_visible()

        # AGE meters the month's last day for prov-a (the others ran "nightly")...
        age.goto(f"{base}/facturare/utilizare/?luna={luna}&prestator=prov-a")
        meter = age.locator("form", has=age.locator("input[name=action][value=meter]"))
        adjust = age.locator("form", has=age.locator("input[name=action][value=adjust]"))
        expect(adjust.get_by_label("Ziua")).to_have_count(1)  # each form's labels its own
        meter.get_by_label("Ziua").fill(last.isoformat())
        meter.get_by_label("Prestator (gol: toți)").select_option("prov-a")
        meter.get_by_role("button", name="Măsoară").click()
        # Call minutes, seats, storage and tickets handled.
        expect(age.locator("ul.messages")).to_contain_text("Înregistrări noi: 4.")
        age.goto(f"{base}/facturare/utilizare/?luna={luna}&prestator=prov-a&pagina=3")
        last_day = age.get_by_role("row").filter(has_text=last.strftime("%d.%m.%Y"))
        expect(last_day).to_have_count(4)
        expect(last_day.filter(has_text="Minute de apel")).to_contain_text("6,680000")

        # ...computes the month's statement of the contract and issues it, confirmed.
        age.goto(f"{base}/facturare/deconturi/?luna={luna}")
        age.get_by_label("Contractul").select_option(label=journey.contract_label)
        expect(age.locator("#id_month")).to_have_value(luna)
        age.get_by_role("button", name="Calculează").click()
        expect(age.locator("h1")).to_have_text("Decont (proiect)")
        expect(age.locator("table tbody tr")).to_have_count(len(PRICES))
        call_line = age.locator("table tbody tr", has_text="Minut de apel")
        expect(call_line.locator("td.n").first).to_contain_text("35,91")
        expect(call_line).to_contain_text(CALL_AMOUNT)
        expect(call_line).to_contain_text(CALL_TOTAL)
        age.get_by_role("button", name="Emite").click()  # not yet confirmed: refused
        expect(age.locator("h1")).to_have_text("Decont (proiect)")
        age.get_by_label("Confirm").check()
        age.get_by_role("button", name="Emite").click()
        expect(age.locator("ul.messages")).to_contain_text("a fost emis")
        number = age.locator("h1").inner_text().removeprefix("Decont ").strip()
        assert number.startswith(f"S-{local_date(timezone.now()).year}-"), number
        total_line = age.locator("p strong", has_text="Total:").inner_text()
        total = total_line.rsplit("Total:", 1)[1].removesuffix("MDL").strip()
        journey.shown.update(number=number, total=total)

        # The Chancellery's console: the month, the chart, the provider's amount.
        chancellery.goto(f"{base}/cancelarie/utilizare/?luna={luna}")
        expect(chancellery.locator("h1")).to_have_text("Utilizare și costuri")
        expect(chancellery.get_by_text(f"Total emis în luna {month:%m.%Y}: {total} MDL"))\
            .to_be_visible()
        chart = chancellery.locator('svg[aria-label="Total pe prestatori (MDL)"]')
        expect(chart).to_be_visible()
        bar = chart.locator("g.bar", has_text=PROVIDER)
        expect(bar).to_have_count(1)
        expect(bar.locator("rect")).to_have_count(1)
        expect(bar.locator("text").last).to_have_text(total)
        expect(bar.locator("rect title")).to_have_text(f"{PROVIDER}: {total}")
        assert float(bar.locator("rect").get_attribute("width") or 0) > 0
        components = chancellery.locator('svg[aria-label="Total pe componente (MDL)"]')
        expect(components.locator("g.bar rect")).to_have_count(len(PRICES))
        expect(components.locator("g.bar", has_text="Minut de apel").locator("text").last)\
            .to_have_text(CALL_TOTAL)
        provider_row = chancellery.locator("table tbody tr", has_text=PROVIDER)
        expect(provider_row.locator("strong")).to_have_text(total)
        # The provider's row: the call-minute amount, and the month's minutes among its usage.
        headers = chancellery.locator("table", has=chancellery.locator(
            "tbody tr", has_text=PROVIDER)).locator("thead th")\
            .all_text_contents()
        cells = provider_row.locator("td")
        expect(cells.nth(headers.index("Minut de apel"))).to_have_text(CALL_TOTAL)
        expect(cells.nth(headers.index("Minute de apel"))).to_have_text("35,91")
        chancellery.screenshot(path=str(SCREENSHOTS / "sgsc-billing-console.png"),
                               full_page=True)

        # Drill-down: the provider's bar leads to its statement lines and usage records.
        bar.locator("a").click()
        chancellery.wait_for_url(f"{base}/cancelarie/utilizare/prov-a/?luna={luna}")
        expect(chancellery.locator("h1")).to_have_text(f"{PROVIDER} · {month:%m.%Y}")
        heading = chancellery.locator("h3", has_text=number)
        expect(heading).to_contain_text(f"Emis · {total} MDL")
        lines = chancellery.locator("h3 + table tbody tr")
        expect(lines).to_have_count(len(PRICES))
        expect(lines.filter(has_text="Abonament lunar per spațiu")).to_contain_text("1800,00")
        expect(lines.filter(has_text="Minut de apel")).to_contain_text(CALL_AMOUNT)
        records = chancellery.locator("tr[id^=u]")
        expect(records).to_have_count(50)  # 4 metrics a day: the first page of the month
        chancellery.get_by_label("Indicator").select_option("seats")  # submits itself
        chancellery.wait_for_url("**indicator=seats**")
        expect(records).to_have_count(last.day)
        expect(records.filter(has_text=last.strftime("%d.%m.%Y")))\
            .to_contain_text("Locuri de operator active")
        # Down to the call-minute record of the last day, and the calls it counted.
        chancellery.get_by_label("Indicator").select_option("call_minutes")
        chancellery.wait_for_url("**indicator=call_minutes**")
        expect(records).to_have_count(last.day)
        record = records.filter(has_text=last.strftime("%d.%m.%Y"))
        expect(record).to_contain_text("Minute de apel")
        expect(record.locator("td.n")).to_have_text("6,680000")
        expect(record).to_contain_text(f"apeluri: {journey.calls_last_day[0]}")
        expect(record).to_contain_text("durata convorbirilor: 401 s")
        chancellery.screenshot(path=str(SCREENSHOTS / "sgsc-billing-drilldown.png"),
                               full_page=True)
    except Exception:
        for who, page in pages.items():
            page.screenshot(path=str(SCREENSHOTS / f"sgsc-billing-failure-{who}.png"),
                            full_page=True)
        raise
    assert not [text for text in problems if "Content Security Policy" in text], problems


def test_what_the_journey_left_behind(journey: Journey) -> None:
    """Runs after the browser: the stored state agrees with what the pages showed."""
    version = TariffScheduleVersion.objects.get(schedule__code=journey.schedule_code)
    assert version.status == TariffScheduleVersion.Status.APPROVED
    assert version.created_by.email == journey.admin_email  # type: ignore[union-attr]
    assert version.submitted_by.email == journey.admin_email  # type: ignore[union-attr]
    assert version.approved_by.email == journey.reviewer_email  # type: ignore[union-attr]
    assert version.decision_number == f"D-{RUN}" and version.decision_document
    assert {c.kind: c.unit_price for c in version.components.all()} == {
        kind: Decimal(price) for kind, price in PRICES.items()}
    assert set(PRICES) == set(TariffComponent.Kind.values)

    first, last = month_bounds(journey.month)
    statement = Statement.objects.get(contract_id=journey.contract_pk,
                                      kind=Statement.Kind.STATEMENT)
    assert statement.status == Statement.Status.ISSUED
    assert statement.number == journey.shown["number"]
    assert money(statement.total) == journey.shown["total"]
    lines = list(statement.lines.all())
    assert {line.version_id for line in lines} == {version.pk}
    assert sum(line.total for line in lines) == statement.total
    records = UsageRecord.objects.filter(tenant=statement.tenant, day__range=(first, last))
    # Seats, storage, tickets handled and call minutes, every day, once.
    assert records.count() == len(Metric.values) * last.day
    assert records.filter(day=last).exclude(created_by=None).count() == len(Metric.values)
    seat_line = next(line for line in lines if line.component == "seat")
    assert seat_line.usage_record_ids == sorted(records.filter(metric="seats")
                                                .values_list("pk", flat=True))
    minutes = records.filter(metric=Metric.CALL_MINUTES)
    assert sum(minutes.values_list("quantity", flat=True)) == CALL_MINUTES
    assert minutes.get(day=last).source["calls"] == journey.calls_last_day
    assert minutes.get(day=first.replace(day=2)).source["seconds"] == 1754
    call_line = next(line for line in lines if line.component == "call_minute")
    assert (call_line.quantity, call_line.amount, money(call_line.total)) == (
        CALL_MINUTES, Decimal("16.16"), CALL_TOTAL)
    assert call_line.usage_record_ids == sorted(minutes.values_list("pk", flat=True))
    overview = console_month(month=journey.month)
    assert [row.total for row in overview.rows if row.tenant.slug == "prov-a"] == [
        statement.total]
