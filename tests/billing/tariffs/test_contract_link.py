"""Contracts point to a tariff schedule: the migration from the free code, the draft's choice
by code, and the contract PDF naming the Chancellery's decision."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sgsc.billing.tariffs.models import TariffSchedule
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.contracts.pdf import contract_pdf_bytes
from sgsc.provisioning.contracts.services import contract_draft_for_request
from sgsc.provisioning.requests.models import ConnectionRequest
from tests.billing.tariffs.helpers import default_schedule, make_version
from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db
BEFORE = [("contracts", "0003_standard_contract_v1")]
AFTER = [("contracts", "0005_drop_tariff_code")]


def _approved_request(number: str) -> ConnectionRequest:
    from django.utils import timezone

    return ConnectionRequest.objects.create(
        number=number, institution=InstitutionFactory(), mode="individual",
        services=["Pensii"], channels=["phone"], expected_seats=1,
        expected_requests_month=1, contact_name="Ana Popescu", contact_idnp="2002000000008",
        contact_email="ana@test.gov.md", contact_phone="+37322000000", status="approved",
        received_at=timezone.now(), review_deadline=timezone.now())


def test_the_migration_makes_a_schedule_per_code_and_links_the_contracts() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    template = old.get_model("contracts", "ContractTemplate").objects.get(version=1)
    OldContract = old.get_model("contracts", "Contract")
    with connection.cursor() as cursor:  # the tariffs app itself stays migrated
        cursor.execute("DELETE FROM tariffs_tariffschedule")
    for n, code in enumerate(["TARIF-VECHI", "TARIF-VECHI", "TARIF-2027-STD", "ALT"]):
        request = _approved_request(f"CR-M-{n}")  # these apps are at their current state
        OldContract.objects.create(number=f"C-M-{n}", request_id=request.pk,
                                   template=template, institution_id=request.institution_id,
                                   tenant_slug=f"mig-{n}", services=["x"], channels=["phone"],
                                   tariff_code=code)
    with connection.cursor() as cursor:
        # The test runs in one transaction: check foreign keys at once, as separate
        # migration transactions would, so that ALTER TABLE finds no pending checks.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    assert sorted(TariffSchedule.objects.values_list("code", flat=True)) == [
        "ALT", "TARIF-2027-STD", "TARIF-VECHI"]
    linked = dict(Contract.objects.filter(number__startswith="C-M-")
                  .values_list("number", "tariff_schedule__code"))
    assert linked == {"C-M-0": "TARIF-VECHI", "C-M-1": "TARIF-VECHI", "C-M-2": "TARIF-2027-STD",
                      "C-M-3": "ALT"}
    assert not any(f.name == "tariff_code" for f in Contract._meta.concrete_fields)


def test_a_new_draft_points_to_the_default_schedule_and_signing_checks_it(settings) -> None:
    officer = UserFactory(platform_roles=["age_onboarding_officer"])
    contract = contract_draft_for_request(connection_request=_approved_request("CR-L-1"),
                                          actor=officer)
    assert contract.tariff_schedule == default_schedule()
    assert contract.tariff_code == settings.CONTRACT_DEFAULT_TARIFF_CODE


def test_the_contract_api_chooses_a_schedule_by_code(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, officer = signed_in("age_onboarding_officer")
    contract = contract_draft_for_request(connection_request=_approved_request("CR-L-2"),
                                          actor=officer)
    TariffSchedule.objects.create(code="TARIF-HUB", name="Hub")
    url = f"/api/v1/contracts/{contract.pk}/"
    changed = client.patch(url, json.dumps({"tariff_code": "TARIF-HUB"}),
                           content_type="application/json")
    assert changed.status_code == 200 and changed.json()["tariff_code"] == "TARIF-HUB"
    unknown = client.patch(url, json.dumps({"tariff_code": "NU-EXISTA"}),
                           content_type="application/json")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "unknown_tariff_schedule"
    assert Contract.objects.get(pk=contract.pk).tariff_schedule.code == "TARIF-HUB"


def test_the_contract_pdf_names_the_schedule_and_the_decision(tmp_path: Path) -> None:
    officer = UserFactory(platform_roles=["age_onboarding_officer"])
    contract = contract_draft_for_request(connection_request=_approved_request("CR-L-3"),
                                          actor=officer)

    def text() -> str:
        path = tmp_path / "c.pdf"
        path.write_bytes(contract_pdf_bytes(contract=Contract.objects.get(pk=contract.pk)))
        out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
        return " ".join(out.stdout.decode().split())

    assert "nicio versiune aprobată de Cancelaria de Stat nu este în vigoare" in text()
    make_version(effective_from=date(2026, 1, 1), decision_number="CS-42/2025",
                 decision_date=date(2025, 12, 20))
    flat = text()
    assert "Grila tarifară aplicabilă: TARIF-2027-STD" in flat
    assert "decizia Cancelariei de Stat nr. CS-42/2025 din 20.12.2025" in flat
