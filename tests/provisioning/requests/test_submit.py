"""Submitting a connection request: number, receipt, deadline, registry, documents, refusals."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings

from sgsc.platform.errors import Conflict, InvalidInput
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.requests.models import (
    ConnectionRequest,
    RequestDocument,
    RequestEvent,
    RequestNumberCounter,
)
from sgsc.provisioning.requests.services import (
    connection_request_reject,
    connection_request_submit,
    connection_request_withdraw,
)
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.institutions.models import Institution
from tests.billing.tariffs.helpers import default_schedule
from tests.factories import InstitutionFactory
from tests.provisioning.requests.conftest import (
    PDF_BYTES,
    hub_submission,
    local,
    make_idno,
    pdf,
    valid_submission,
)

pytestmark = pytest.mark.django_db


def test_submission_registers_number_receipt_and_deadline(submit) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2026, 6, 10, 9, 30), tick=False):
        created = submit(documents=[("application", pdf("Cererea noastră.pdf"))])
    assert created.number.startswith("CR-2026-") and len(created.number) == 14
    assert created.status == ConnectionRequest.Status.SUBMITTED
    assert created.received_at == local(2026, 6, 10, 9, 30)
    # Wed 10 June: 11, 12, 15, ..., 19, 22, 23, 24 June (no holiday in between).
    assert created.review_deadline == local(2026, 6, 24, 23, 59, 59)
    institution = created.institution
    assert institution.kind == "agency" and institution.name.startswith("Agenția de test")
    document = created.documents.get()
    assert document.kind == "application"
    assert document.original_name == "Cererea noastră.pdf"
    assert document.size == len(PDF_BYTES)
    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert document.file.name.endswith(f"{created.number}-application.pdf")
    with document.file.open("rb") as stored:
        assert stored.read() == PDF_BYTES
    event = created.events.get()
    assert (event.action, event.to_status, event.actor) == ("submit", "submitted", None)
    audit = AuditEvent.objects.get(action="connection_request.submit",
                                   object_id=str(created.pk))
    assert audit.outcome == "success" and audit.details["number"] == created.number
    assert AuditEvent.objects.filter(action="institution.create",
                                     object_id=str(institution.pk)).exists()


def test_deadline_across_orthodox_easter_2026(submit) -> None:  # type: ignore[no-untyped-def]
    # Received Wed 8 April 2026. Working days after it: Thu 9 (1), Fri 10 (2); Sun 12 and
    # Mon 13 are Easter; Tue 14 (3), 15 (4), 16 (5), Fri 17 (6); Mon 20 is Memorial Easter
    # (Paștele blajinilor); Tue 21 (7), 22 (8), 23 (9), Fri 24 (10).
    with time_machine.travel(local(2026, 4, 8, 16, 45), tick=False):
        created = submit()
    assert created.review_deadline == local(2026, 4, 24, 23, 59, 59)


def test_numbers_are_gap_free_and_per_local_year(submit) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2030, 12, 31, 23, 30), tick=False):
        first = submit()
        second = submit()
        with pytest.raises(InvalidInput):
            submit(contact_idnp="2009000000000")  # refused: takes no number
        third = submit()
    # 00:30 in Chisinau on 1 January is still 31 December in UTC: the local year counts.
    with time_machine.travel(local(2031, 1, 1, 0, 30), tick=False):
        new_year = submit()
    assert [first.number, second.number, third.number] == [
        "CR-2030-000001", "CR-2030-000002", "CR-2030-000003"]
    assert new_year.number == "CR-2031-000001"
    assert RequestNumberCounter.objects.get(year=2030).last == 3


def test_a_failure_after_the_number_was_taken_gives_it_back(submit, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sgsc.provisioning.requests import services

    with time_machine.travel(local(2032, 3, 3, 10, 0), tick=False):
        existing = submit()
        # The duplicate is found inside the transaction, after the institution is locked.
        with pytest.raises(Conflict):
            submit(institution_idno=existing.institution.idno)

        def broken(**kwargs: Any) -> None:
            assert kwargs["request"].number == "CR-2032-000002"  # the number was taken
            raise InvalidInput("eșec simulat", code="simulated")

        with monkeypatch.context() as patch:
            patch.setattr(services, "_timeline_record", broken)
            with pytest.raises(InvalidInput):
                submit(documents=[("application", pdf("orfan.pdf"))])
        # The document written before the failure is gone with the rest.
        media = Path(settings.MEDIA_ROOT)
        assert not [p for p in media.rglob("*") if p.is_file()]
        after = submit()
    assert (existing.number, after.number) == ("CR-2032-000001", "CR-2032-000002")
    assert RequestNumberCounter.objects.get(year=2032).last == 2


def test_existing_institution_is_reused_not_renamed(submit) -> None:  # type: ignore[no-untyped-def]
    institution = InstitutionFactory(name="Numele din registru")
    created = submit(institution_idno=institution.idno, institution_name="Alt nume")
    assert created.institution == institution
    institution.refresh_from_db()
    assert institution.name == "Numele din registru"


def test_idno_and_idnp_may_be_typed_with_spaces(submit) -> None:  # type: ignore[no-untyped-def]
    idno = make_idno(777)
    created = submit(institution_idno=f"{idno[:4]} {idno[4:8]} {idno[8:]}",
                     contact_idnp=f" {make_idno(777, prefix='2009')} ")
    assert created.institution.idno == idno
    assert created.contact_idnp == make_idno(777, prefix="2009")


def test_hub_request_creates_coordinator_and_members(db: None) -> None:
    values = hub_submission()
    known = InstitutionFactory(name="Consiliul raional Ialoveni")
    values["member_idnos"] = [*values["member_idnos"], known.idno]
    created = connection_request_submit(**values)
    assert created.mode == "hub"
    assert created.coordinator == created.institution
    names = sorted(member.name for member in created.members.all())
    assert names == ["Consiliul raional Ialoveni", "Primăria Ialoveni", "Primăria Strășeni"]
    assert created.agreement_number == "AI-12/2026"
    assert created.documents.get().kind == "agreement"


def test_individual_request_ignores_hub_fields(submit) -> None:  # type: ignore[no-untyped-def]
    created = submit(coordinator_idno=make_idno(555), member_idnos=["x"],
                     agreement_number="AI-1")
    assert created.coordinator is None and not created.members.exists()
    assert created.agreement_number == ""


# -- refusals: each with its stable code, and nothing stored ------------------------------

def _snapshot(media: Path) -> dict[str, Any]:
    return {
        "requests": ConnectionRequest.objects.count(),
        "institutions": Institution.objects.count(),
        "documents": RequestDocument.objects.count(),
        "events": RequestEvent.objects.count(),
        "counters": list(RequestNumberCounter.objects.values_list("year", "last")),
        "files": sorted(str(p) for p in media.rglob("*") if p.is_file()) if media.exists()
        else [],
    }


def _too_large() -> Any:
    return pdf("mare.pdf", PDF_BYTES + b"0" * 2048)


BAD_INPUTS: list[tuple[str, Callable[[], dict[str, Any]]]] = [
    ("invalid_idno", lambda: valid_submission(institution_idno="1003600000000")),
    ("invalid_idno", lambda: valid_submission(institution_idno="12345")),
    ("invalid_idnp", lambda: valid_submission(contact_idnp="2009000000000")),
    ("invalid_email", lambda: valid_submission(contact_email="nu-este-email")),
    ("invalid_mode", lambda: valid_submission(mode="solo")),
    ("invalid_kind", lambda: valid_submission(institution_kind="bank")),
    ("required", lambda: valid_submission(institution_name="  ")),
    ("required", lambda: valid_submission(contact_phone="")),
    ("services_required", lambda: valid_submission(services=["", "  "])),
    ("channels_required", lambda: valid_submission(channels=[])),
    ("invalid_channel", lambda: valid_submission(channels=["fax"])),
    ("invalid_volume", lambda: valid_submission(expected_seats=0)),
    ("invalid_volume", lambda: valid_submission(expected_requests_month=-1)),
    ("not_pdf", lambda: valid_submission(
        documents=[("application", pdf("poza.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 64))])),
    ("not_pdf", lambda: valid_submission(documents=[("other", pdf("gol.pdf", b""))])),
    ("file_too_large", lambda: valid_submission(documents=[("other", _too_large())])),
    ("invalid_document_kind", lambda: valid_submission(documents=[("selfie", pdf())])),
    ("hub_coordinator_required", lambda: hub_submission(coordinator_idno="")),
    ("invalid_idno", lambda: hub_submission(coordinator_idno="1111111111111")),
    ("hub_members_required", lambda: hub_submission(member_idnos=[make_idno(901)])),
    ("hub_members_required", lambda: hub_submission(member_idnos=[make_idno(902)] * 2)),
    ("invalid_idno", lambda: hub_submission(member_idnos=[make_idno(903), "1000000000000"])),
    ("hub_agreement_required", lambda: hub_submission(agreement_number="")),
    ("hub_agreement_required", lambda: hub_submission(agreement_date=None)),
    ("hub_agreement_document_required", lambda: hub_submission(
        documents=[("application", pdf())])),
    ("hub_member_name_required", lambda: hub_submission(member_names={})),
    ("hub_coordinator_name_required", lambda: hub_submission(
        coordinator_idno=make_idno(904, prefix="1006"))),
]


@pytest.mark.parametrize(("code", "values"), BAD_INPUTS,
                         ids=[f"{code}-{i}" for i, (code, _) in enumerate(BAD_INPUTS)])
def test_bad_input_is_refused_with_its_code_and_nothing_changes(
        db: None, settings: Any, code: str, values: Callable[[], dict[str, Any]]) -> None:
    settings.CONNECTION_REQUEST_MAX_DOCUMENT_BYTES = len(PDF_BYTES) + 1024
    media = Path(settings.MEDIA_ROOT)
    arguments = values()
    before = _snapshot(media)
    with pytest.raises(InvalidInput) as caught:
        connection_request_submit(**arguments)
    assert caught.value.code == code
    assert caught.value.fields  # the message is tied to the field that caused it
    assert _snapshot(media) == before
    refusal = AuditEvent.objects.filter(action="connection_request.submit",
                                        outcome="failure").latest("id")
    assert refusal.details["code"] == code


def test_document_limit_comes_from_settings() -> None:
    assert settings.CONNECTION_REQUEST_MAX_DOCUMENT_BYTES == 10 * 1024 * 1024


def test_every_field_error_is_reported_at_once(db: None) -> None:
    with pytest.raises(InvalidInput) as caught:
        connection_request_submit(**valid_submission(institution_idno="1",
                                                     contact_idnp="2", channels=[]))
    assert caught.value.code == "invalid_idno"  # the first, in form order
    assert {"institution_idno", "contact_idnp", "channels"} <= set(caught.value.fields)


# -- duplicates ---------------------------------------------------------------------------

def _refused_as_duplicate(institution: Institution) -> None:
    before = ConnectionRequest.objects.count()
    with pytest.raises(Conflict) as caught:
        connection_request_submit(**valid_submission(institution_idno=institution.idno))
    assert caught.value.code == "duplicate_request"
    assert ConnectionRequest.objects.count() == before


@pytest.mark.parametrize("status", ["submitted", "under_review", "needs_info"])
def test_an_open_request_blocks_another(submit, status: str) -> None:  # type: ignore[no-untyped-def]
    existing = submit()
    ConnectionRequest.objects.filter(pk=existing.pk).update(status=status)
    _refused_as_duplicate(existing.institution)


def test_an_approved_request_blocks_another(submit) -> None:  # type: ignore[no-untyped-def]
    existing = submit()
    ConnectionRequest.objects.filter(pk=existing.pk).update(status="approved")
    _refused_as_duplicate(existing.institution)


def _contract_for(request: ConnectionRequest, status: str) -> Contract:
    from sgsc.provisioning.contracts.models import ContractTemplate

    return Contract.objects.create(
        number=f"C-{request.number}", request=request, institution=request.institution,
        template=ContractTemplate.objects.order_by("version").first(), tenant_slug="test-slug",
        services=request.services, channels=request.channels,
        tariff_schedule=default_schedule(), status=status)


@pytest.mark.parametrize("status", ["draft", "signed", "active", "suspended"])
def test_a_contract_in_force_blocks_a_new_request(submit, status: str) -> None:  # type: ignore[no-untyped-def]
    existing = submit()
    ConnectionRequest.objects.filter(pk=existing.pk).update(status="approved")
    _contract_for(existing, status)
    _refused_as_duplicate(existing.institution)


@pytest.mark.parametrize("status", ["terminated", "expired"])
def test_after_the_contract_ended_a_new_request_is_accepted(submit, status: str) -> None:  # type: ignore[no-untyped-def]
    existing = submit()
    ConnectionRequest.objects.filter(pk=existing.pk).update(status="approved")
    _contract_for(existing, status)
    again = submit(institution_idno=existing.institution.idno)
    assert again.institution == existing.institution


def test_after_a_rejection_or_withdrawal_a_new_request_is_accepted(submit, officer) -> None:  # type: ignore[no-untyped-def]
    rejected = submit()
    connection_request_reject(connection_request=rejected, actor=officer,
                              reasons="Scopurile contravin cadrului normativ.",
                              legal_basis="HG, anexa 1, pct. 10")
    assert submit(institution_idno=rejected.institution.idno).status == "submitted"
    withdrawn = submit()
    connection_request_withdraw(connection_request=withdrawn, actor=officer)
    assert submit(institution_idno=withdrawn.institution.idno).status == "submitted"
