"""The contract in PDF: Romanian text with its diacritics, the number, the signers."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from sgsc.provisioning.contracts.models import ContractSignature
from sgsc.provisioning.contracts.pdf import contract_pdf_bytes
from sgsc.provisioning.contracts.services import contract_draft_for_request, contract_sign
from sgsc.provisioning.requests.models import ConnectionRequest
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes, tmp_path: Path) -> str:
    """Text as poppler extracts it (what a reader copying from the PDF would get)."""
    path = tmp_path / "contract.pdf"
    path.write_bytes(content)
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                            check=True)
    return result.stdout.decode()


def test_draft_pdf_is_romanian_with_diacritics(draft, tmp_path) -> None:  # type: ignore[no-untyped-def]
    content = contract_pdf_bytes(contract=draft)
    assert content.startswith(b"%PDF-")
    text = pdf_text(content, tmp_path)
    flat = " ".join(text.split())
    assert draft.number in flat
    for phrase in ("CONTRACT DE CONECTARE ȘI UTILIZARE", "Casa Națională de Asigurări Sociale",
                   "Obligațiile AGE", "10 zile lucrătoare", "Legea nr. 133/2011",
                   "Pensii și indemnizații", "TARIF-2027-STD", "Dispoziții finale",
                   "Semnăturile părților", "mun. Chișinău", "PROIECT"):
        assert phrase in flat, phrase
    # Every Romanian letter with a diacritic survives (no missing glyphs, no fallbacks).
    for letter in "ășțîâȘ":
        assert letter in text, letter
    # Page header and numbering come from the @page margin boxes.
    assert f"SI SGSC · Contract nr. {draft.number}" in flat
    assert "Pagina 1 din" in flat


def test_signed_pdf_names_the_signers_and_is_not_a_draft(draft, officer, signers,  # type: ignore[no-untyped-def]
                                                         tmp_path) -> None:
    contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    signature = ContractSignature.objects.get(contract=draft, party="provider")
    with signature.document.open("rb") as stored:
        flat = " ".join(pdf_text(stored.read(), tmp_path).split())
    assert "Ștefan Țîrdea" in flat and "Director general adjunct" in flat
    assert "Ion Rusu" in flat
    assert "PROIECT" not in flat
    draft.refresh_from_db()
    assert draft.effective_date is not None
    assert f"intră în vigoare la data de {draft.effective_date:%d.%m.%Y}" in flat


def test_hub_contract_lists_members(make_request, officer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    coordinator = InstitutionFactory(name="Ministerul Muncii și Protecției Sociale")
    request = make_request(institution=coordinator, mode=ConnectionRequest.Mode.HUB,
                           coordinator=coordinator, agreement_number="AI-7/2027",
                           agreement_date=date(2027, 3, 1))
    request.members.set([InstitutionFactory(name="Agenția Națională Asistență Socială"),
                         InstitutionFactory(name="Agenția Națională pentru Ocuparea Forței "
                                                 "de Muncă")])
    contract = contract_draft_for_request(connection_request=request, actor=officer)
    flat = " ".join(pdf_text(contract_pdf_bytes(contract=contract), tmp_path).split())
    assert "hub comun de suport" in flat
    assert "AI-7/2027 din 01.03.2027" in flat
    assert "Agenția Națională Asistență Socială" in flat
    assert "Ocuparea Forței de Muncă" in flat


def test_first_page_renders_to_an_image(draft, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "contract.pdf"
    path.write_bytes(contract_pdf_bytes(contract=draft))
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page*.png"))
    assert page.read_bytes().startswith(b"\x89PNG")
    assert page.stat().st_size > 10_000  # a page of text, not a blank one
