"""Drafting a contract from an approved request: numbering, copied terms, proposed space."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from sgsc.platform.errors import Conflict
from sgsc.provisioning.contracts.models import Contract, ContractNumberCounter
from sgsc.provisioning.contracts.services import (
    contract_draft_for_request,
    tenant_slug_propose,
)
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.tenants.models import validate_slug
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db
CHISINAU = ZoneInfo("Europe/Chisinau")


def test_draft_copies_the_request(make_request, officer) -> None:  # type: ignore[no-untyped-def]
    request = make_request()
    contract = contract_draft_for_request(connection_request=request, actor=officer)
    assert contract.status == Contract.Status.DRAFT
    assert contract.request == request
    assert contract.institution == request.institution
    assert contract.services == request.services
    assert contract.channels == request.channels
    assert contract.tariff_code == "TARIF-2027-STD"
    assert contract.template.version == 1
    assert contract.tenant_slug == "cnas"
    assert contract.created_by == officer
    assert contract.signed_at is None and contract.handover_deadline is None
    event = AuditEvent.objects.filter(action="contract.draft").latest("id")
    assert event.tenant is None and event.actor == officer
    assert event.details["number"] == contract.number
    assert event.details["request"] == request.number


@pytest.mark.parametrize("status", [s for s in ConnectionRequest.Status.values
                                    if s != ConnectionRequest.Status.APPROVED])
def test_only_approved_requests_get_a_contract(make_request, officer, status) -> None:  # type: ignore[no-untyped-def]
    request = make_request(status=status)
    counters = list(ContractNumberCounter.objects.values_list("year", "last"))
    with pytest.raises(Conflict) as error:
        contract_draft_for_request(connection_request=request, actor=officer)
    assert error.value.code == "request_not_approved"
    assert not Contract.objects.filter(request=request).exists()
    assert list(ContractNumberCounter.objects.values_list("year", "last")) == counters
    refusal = AuditEvent.objects.filter(action="contract.draft").latest("id")
    assert refusal.outcome == "failure" and refusal.details["code"] == "request_not_approved"


def test_one_contract_per_request(draft, officer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Conflict) as error:
        contract_draft_for_request(connection_request=draft.request, actor=officer)
    assert error.value.code == "contract_exists"
    assert Contract.objects.filter(request=draft.request).count() == 1
    assert draft.number in error.value.message


def test_numbers_are_gap_free_and_restart_each_year(make_request, officer) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime(2027, 12, 31, 22, 0, tzinfo=CHISINAU)):
        first = contract_draft_for_request(connection_request=make_request(), actor=officer)
        # A draft that fails after taking its number gives the number back.
        with pytest.raises(RuntimeError), transaction.atomic():
            contract_draft_for_request(connection_request=make_request(), actor=officer)
            raise RuntimeError("rollback")
        refused = make_request(status=ConnectionRequest.Status.REJECTED)
        with pytest.raises(Conflict):
            contract_draft_for_request(connection_request=refused, actor=officer)
        second = contract_draft_for_request(connection_request=make_request(), actor=officer)
    # 23:30 in Chișinău on 31 December is still 2027 there (21:30 UTC).
    with time_machine.travel(datetime(2027, 12, 31, 23, 30, tzinfo=CHISINAU)):
        third = contract_draft_for_request(connection_request=make_request(), actor=officer)
    with time_machine.travel(datetime(2028, 1, 1, 0, 30, tzinfo=CHISINAU)):
        next_year = contract_draft_for_request(connection_request=make_request(), actor=officer)
    assert [first.number, second.number, third.number] == [
        "C-2027-000001", "C-2027-000002", "C-2027-000003"]
    assert next_year.number == "C-2028-000001"


@pytest.mark.parametrize(("name", "expected"), [
    ("Casa Națională de Asigurări Sociale", "cnas"),
    ("Ministerul Muncii și Protecției Sociale", "mmps"),
    ("Agenția Servicii Publice", "asp"),
    ("Primăria Bălți", "primaria-balti"),
    ("Î.P. „Serviciul Tehnologia Informației și Securitate Cibernetică”", "stisc"),
    ("Şcoala (cu sedilă) din Ţânţăreni", "sst"),
])
def test_slug_proposals(db, name, expected) -> None:  # type: ignore[no-untyped-def]
    slug = tenant_slug_propose(name=name)
    assert slug == expected
    validate_slug(slug)


def test_slug_avoids_tenants_and_other_contracts(make_request, officer, tenants) -> None:  # type: ignore[no-untyped-def]
    # Initials too short for a slug ("at"): the words themselves.
    assert tenant_slug_propose(name="Agenția pentru Testare") == "agentia-testare"
    first = contract_draft_for_request(
        connection_request=make_request(institution=InstitutionFactory(name="Casa Națională "
                                                                             "de Asigurări")),
        actor=officer)
    second = contract_draft_for_request(
        connection_request=make_request(institution=InstitutionFactory(name="Centrul Național "
                                                                              "de Anticorupție")),
        actor=officer)
    assert first.tenant_slug == "cna"
    assert second.tenant_slug == "centrul-national-anticoruptie"
    # An existing tenant's slug is never proposed ("ht" is too short, "hub-test" is taken).
    assert tenant_slug_propose(name="Hub Test") == "hub-test-2"
    for slug in (first.tenant_slug, second.tenant_slug):
        validate_slug(slug)


def test_no_template_in_effect(make_request, officer) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime(2025, 6, 1, 12, 0, tzinfo=CHISINAU)), \
            pytest.raises(Conflict) as error:
        contract_draft_for_request(connection_request=make_request(), actor=officer)
    assert error.value.code == "no_contract_template"
