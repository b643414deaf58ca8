"""Editing a draft and signing it: what changes, what is refused, and that nothing half-done
is left behind."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from sgsc.billing.tariffs.models import TariffSchedule
from sgsc.platform.errors import ApplicationError, Conflict, InvalidInput
from sgsc.provisioning.contracts.models import Contract, ContractSignature
from sgsc.provisioning.contracts.services import (
    contract_draft_for_request,
    contract_sign,
    contract_update_draft,
)
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.workdays.models import CalendarException
from tests.billing.tariffs.helpers import make_version

pytestmark = pytest.mark.django_db
CHISINAU = ZoneInfo("Europe/Chisinau")
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _state(contract: Contract) -> dict[str, Any]:
    contract.refresh_from_db()
    return {
        "row": {f.attname: getattr(contract, f.attname) for f in Contract._meta.concrete_fields
                if f.attname != "updated_at"},
        "signatures": list(contract.signatures.values_list("party", "sha256")),
    }


def _edit(contract: Contract, actor: Any, **changes: Any) -> Contract:
    values: dict[str, Any] = {
        "tenant_slug": contract.tenant_slug, "tariff_code": contract.tariff_code,
        "effective_date": contract.effective_date, "term_months": contract.term_months,
        "services": contract.services, "channels": contract.channels, **changes,
    }
    return contract_update_draft(contract=contract, actor=actor, **values)


# --- editing ---------------------------------------------------------------------------------

def test_draft_terms_can_be_edited(draft, officer) -> None:  # type: ignore[no-untyped-def]
    hub_tariffs = TariffSchedule.objects.create(code="TARIF-2027-HUB", name="Hub")
    edited = _edit(draft, officer, tenant_slug="cnas-suport", tariff_code="TARIF-2027-HUB",
                   effective_date=date(2027, 2, 1), term_months=24,
                   services=[" Pensii ", "", "Indemnizații"], channels=["phone", "portal"])
    draft.refresh_from_db()
    assert (draft.tenant_slug, draft.tariff_schedule, draft.effective_date,
            draft.term_months) == ("cnas-suport", hub_tariffs, date(2027, 2, 1), 24)
    assert draft.services == ["Pensii", "Indemnizații"]
    assert draft.channels == ["phone", "portal"]
    assert edited.pk == draft.pk
    event = AuditEvent.objects.filter(action="contract.update").latest("id")
    assert set(event.details["changed"]) == {"tenant_slug", "tariff_schedule", "effective_date",
                                             "term_months", "services", "channels"}
    assert event.details["before"]["tenant_slug"] == "cnas"
    assert event.details["after"]["tariff_schedule"] == "TARIF-2027-HUB"


@pytest.mark.parametrize(("changes", "code", "field"), [
    ({"tenant_slug": "Cu Spații"}, "invalid_slug", "tenant_slug"),
    ({"tenant_slug": "ab"}, "invalid_slug", "tenant_slug"),
    ({"tenant_slug": "admin"}, "reserved_slug", "tenant_slug"),
    ({"tenant_slug": "prov-a"}, "slug_taken", "tenant_slug"),
    ({"tariff_code": "  "}, "unknown_tariff_schedule", "tariff_code"),
    ({"tariff_code": "TARIF-NU-EXISTA"}, "unknown_tariff_schedule", "tariff_code"),
    ({"term_months": 0}, "invalid_term", "term_months"),
    ({"term_months": 121}, "invalid_term", "term_months"),
    ({"services": ["  "]}, "services_required", "services"),
    ({"channels": []}, "channels_required", "channels"),
    ({"channels": ["fax"]}, "invalid_channel", "channels"),
    ({"channels": ["fax"], "term_months": 0}, "invalid_input", "channels"),
])
def test_bad_draft_edits_change_nothing(draft, officer, tenants, changes, code, field) -> None:  # type: ignore[no-untyped-def]
    before = _state(draft)
    with pytest.raises(ApplicationError) as error:
        _edit(draft, officer, **changes)
    assert error.value.code == code
    assert field in error.value.fields
    assert _state(draft) == before
    refusal = AuditEvent.objects.filter(action="contract.update").latest("id")
    assert refusal.outcome == "failure" and refusal.details["code"] == code


def test_slug_of_another_contract_is_taken(draft, make_request, officer) -> None:  # type: ignore[no-untyped-def]
    other = contract_draft_for_request(connection_request=make_request(), actor=officer)
    assert other.tenant_slug != draft.tenant_slug
    with pytest.raises(Conflict) as error:
        _edit(other, officer, tenant_slug=draft.tenant_slug)
    assert error.value.code == "slug_taken"
    # Keeping its own slug is not a conflict with itself.
    _edit(draft, officer, tenant_slug=draft.tenant_slug, term_months=12)


def test_a_signed_contract_is_not_edited(draft, officer, signers) -> None:  # type: ignore[no-untyped-def]
    contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    before = _state(draft)
    with pytest.raises(Conflict) as error:
        _edit(draft, officer, term_months=12)
    assert error.value.code == "contract_not_draft"
    assert _state(draft) == before


# --- signing ---------------------------------------------------------------------------------

def test_signing_without_upload_signs_the_platform_pdf(draft, officer, signers,  # type: ignore[no-untyped-def]
                                                       django_capture_on_commit_callbacks) -> None:
    with mock.patch("sgsc.platform.queue.app.send_task") as send_task, \
            django_capture_on_commit_callbacks(execute=True) as callbacks:
        signed = contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    assert len(callbacks) == 1
    send_task.assert_called_once()
    assert send_task.call_args.args == ("onboarding.provision",)
    assert send_task.call_args.kwargs["kwargs"] == {"contract_id": draft.pk}
    assert send_task.call_args.kwargs["headers"] == {"_schema_name": "public"}

    assert signed.status == Contract.Status.SIGNED
    assert signed.signed_at is not None
    signatures = {s.party: s for s in ContractSignature.objects.filter(contract=draft)}
    assert set(signatures) == {"age", "provider"}
    age, provider = signatures["age"], signatures["provider"]
    assert (age.signer_name, age.signer_position) == ("Ion Rusu", "Director")
    assert provider.signer_name == "Ștefan Țîrdea"
    assert age.signed_at == provider.signed_at == signed.signed_at
    assert age.recorded_by == officer
    assert not age.document_uploaded
    with age.document.open("rb") as stored:
        content = stored.read()
    assert content.startswith(b"%PDF-")
    assert age.sha256 == provider.sha256 == hashlib.sha256(content).hexdigest()
    assert age.document.name == provider.document.name
    assert signed.effective_date is not None
    event = AuditEvent.objects.filter(action="contract.sign").latest("id")
    assert event.outcome == "success" and event.details["sha256"] == age.sha256


def test_nothing_is_sent_when_the_signature_rolls_back(draft, officer, signers,  # type: ignore[no-untyped-def]
                                                       django_capture_on_commit_callbacks) -> None:
    from django.db import transaction

    with mock.patch("sgsc.platform.queue.app.send_task") as send_task, \
            django_capture_on_commit_callbacks(execute=True) as callbacks, \
            pytest.raises(RuntimeError), transaction.atomic():
        contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
        raise RuntimeError("rollback")
    assert callbacks == []
    send_task.assert_not_called()
    assert Contract.objects.get(pk=draft.pk).status == Contract.Status.DRAFT


def test_signing_with_an_uploaded_pdf(draft, officer, signers) -> None:  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile("contract-semnat.pdf", PDF, content_type="application/pdf")
    contract_sign(contract=draft, signed_document=upload, actor=officer, **signers)
    signature = ContractSignature.objects.get(contract=draft, party="provider")
    assert signature.document_uploaded
    assert signature.document_name == "contract-semnat.pdf"
    assert signature.document_size == len(PDF)
    assert signature.sha256 == hashlib.sha256(PDF).hexdigest()
    with signature.document.open("rb") as stored:
        assert stored.read() == PDF


def test_handover_deadline_skips_the_easter_holidays(draft, officer, signers) -> None:  # type: ignore[no-untyped-def]
    # Signed on Wednesday 28 April 2027: Orthodox Easter Monday (3 May) and Memorial Easter
    # (10 May) are holidays, so the 10th working day is Friday 14 May.
    with time_machine.travel(datetime(2027, 4, 28, 15, 0, tzinfo=CHISINAU)):
        signed = contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    assert signed.handover_deadline == datetime(2027, 5, 14, 23, 59, 59, tzinfo=CHISINAU)
    assert signed.effective_date == date(2027, 4, 28)


def test_handover_deadline_follows_national_exceptions(draft, officer, signers) -> None:  # type: ignore[no-untyped-def]
    CalendarException.objects.create(date=date(2027, 5, 14), kind="rest_day",
                                     legal_act="HG nr. 1/2027")
    with time_machine.travel(datetime(2027, 4, 28, 15, 0, tzinfo=CHISINAU)):
        signed = contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    assert signed.handover_deadline == datetime(2027, 5, 17, 23, 59, 59, tzinfo=CHISINAU)


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.parametrize(("document", "code"), [
    (_upload("contract.pdf", b"PK\x03\x04 a zip renamed"), "not_pdf"),
    (_upload("gol.pdf", b""), "not_pdf"),
    (_upload("mare.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)), "file_too_large"),
])
def test_bad_documents_change_nothing(draft, officer, signers, document, code,  # type: ignore[no-untyped-def]
                                      django_capture_on_commit_callbacks) -> None:
    before = _state(draft)
    with mock.patch("sgsc.platform.queue.app.send_task") as send_task, \
            django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput) as error:
        contract_sign(contract=draft, signed_document=document, actor=officer, **signers)
    assert error.value.code == code
    assert "signed_document" in error.value.fields
    assert _state(draft) == before
    send_task.assert_not_called()
    refusal = AuditEvent.objects.filter(action="contract.sign").latest("id")
    assert refusal.outcome == "failure" and refusal.details["code"] == code


def test_a_pdf_of_exactly_10_mb_is_accepted(draft, officer, signers) -> None:  # type: ignore[no-untyped-def]
    content = b"%PDF-" + b"0" * (10 * 1024 * 1024 - 5)
    contract_sign(contract=draft, signed_document=_upload("limita.pdf", content), actor=officer,
                  **signers)
    assert ContractSignature.objects.get(contract=draft, party="age").document_size == len(
        content)


@pytest.mark.parametrize("missing", ["age_signer_name", "age_signer_position",
                                     "provider_signer_name", "provider_signer_position"])
def test_every_signer_field_is_required(draft, officer, signers, missing) -> None:  # type: ignore[no-untyped-def]
    before = _state(draft)
    with pytest.raises(InvalidInput) as error:
        contract_sign(contract=draft, signed_document=None, actor=officer,
                      **{**signers, missing: "   "})
    assert error.value.code == "required"
    assert list(error.value.fields) == [missing]
    assert _state(draft) == before


@pytest.mark.parametrize("status", [ConnectionRequest.Status.WITHDRAWN,
                                    ConnectionRequest.Status.REJECTED,
                                    ConnectionRequest.Status.UNDER_REVIEW])
def test_an_unapproved_request_is_not_signed(draft, officer, signers, status) -> None:  # type: ignore[no-untyped-def]
    ConnectionRequest.objects.filter(pk=draft.request_id).update(status=status)
    before = _state(draft)
    with pytest.raises(Conflict) as error:
        contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    assert error.value.code == "request_not_approved"
    assert _state(draft) == before


def test_signing_twice_is_refused_and_changes_nothing(draft, officer, signers,  # type: ignore[no-untyped-def]
                                                      django_capture_on_commit_callbacks) -> None:
    contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    before = _state(draft)
    with mock.patch("sgsc.platform.queue.app.send_task") as send_task, \
            django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict) as error:
        contract_sign(contract=draft, signed_document=_upload("a.pdf", PDF), actor=officer,
                      age_signer_name="Altcineva", age_signer_position="Director",
                      provider_signer_name="Altcineva", provider_signer_position="Șef")
    assert error.value.code == "contract_not_draft"
    assert _state(draft) == before
    send_task.assert_not_called()


def test_space_taken_since_the_draft_is_refused_at_signing(draft, officer, signers) -> None:  # type: ignore[no-untyped-def]
    # The slug was free when drafted; a tenant appeared with it since.
    Contract.objects.filter(pk=draft.pk).update(tenant_slug="prov-a")
    draft.refresh_from_db()
    before = _state(draft)
    with pytest.raises(Conflict) as error:
        contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    assert error.value.code == "slug_taken"
    assert _state(draft) == before


@pytest.mark.parametrize("effective_date", [None, date(1999, 12, 31)])
def test_signing_needs_an_approved_tariff_in_force(draft, officer, signers,  # type: ignore[no-untyped-def]
                                                    effective_date) -> None:
    # The default schedule's only approved version starts in 2000; a draft or returned
    # version of another schedule does not count either.
    schedule = TariffSchedule.objects.create(code="TARIF-NOU", name="Nouă")
    make_version(schedule=schedule, status="submitted")
    _edit(draft, officer, tariff_code="TARIF-NOU" if effective_date is None else draft.tariff_code,
          effective_date=effective_date)
    before = _state(draft)
    with mock.patch("sgsc.platform.queue.app.send_task") as send_task, \
            pytest.raises(Conflict) as error:
        contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    assert error.value.code == "no_approved_tariff"
    assert _state(draft) == before
    send_task.assert_not_called()
    refusal = AuditEvent.objects.filter(action="contract.sign").latest("id")
    assert refusal.outcome == "failure" and refusal.details["code"] == "no_approved_tariff"


def test_no_file_is_left_when_signing_fails_late(draft, officer, signers, settings) -> None:  # type: ignore[no-untyped-def]
    with mock.patch("sgsc.provisioning.contracts.services.deadline_after",
                    side_effect=RuntimeError("calendar down")), pytest.raises(RuntimeError):
        contract_sign(contract=draft, signed_document=_upload("a.pdf", PDF), actor=officer,
                      **signers)
    assert [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] == []
    assert Contract.objects.get(pk=draft.pk).status == Contract.Status.DRAFT
    assert not ContractSignature.objects.filter(contract=draft).exists()
