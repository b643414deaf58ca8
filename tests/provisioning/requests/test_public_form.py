"""The public connection request form (anonymous, Romanian) and its confirmation page."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from sgsc.provisioning.requests.models import ConnectionRequest, RequestDocument
from sgsc.shared_apps.institutions.models import Institution
from tests.provisioning.requests.conftest import PDF_BYTES, local, make_idno, pdf

pytestmark = pytest.mark.django_db


def _form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "institution_idno": make_idno(4001),
        "institution_name": "Agenția Servicii Publice de test",
        "institution_kind": "agency",
        "mode": "individual",
        "services": "Eliberarea actelor de identitate\nÎnregistrarea vehiculelor\n",
        "channels": ["phone", "portal"],
        "expected_seats": "8",
        "expected_requests_month": "5000",
        "expected_call_minutes": "12000",
        "contact_name": "Ion Ciobanu",
        "contact_idnp": make_idno(4001, prefix="2009"),
        "contact_email": "ion.ciobanu@asp.gov.md",
        "contact_phone": "+37322504050",
    }
    data.update(overrides)
    return data


def test_form_is_public_romanian_and_has_no_inline_script(public_client: Client) -> None:
    response = public_client.get("/cerere-conectare/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cerere de conectare" in page and "Persoana de contact" in page
    assert 'data-hub-fields' in page
    assert "/static/connection_requests/request-form.js" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # every script has a src
    assert " onclick=" not in page and " onchange=" not in page
    static = public_client.get("/static/connection_requests/request-form.js")
    assert static.status_code == 200


def test_submission_end_to_end_with_a_pdf(public_client: Client) -> None:
    with time_machine.travel(local(2026, 4, 8, 16, 45), tick=False):
        response = public_client.post("/cerere-conectare/", _form_data(
            document_application=pdf("cererea-semnata.pdf"),
            document_other=[pdf("anexa-1.pdf"), pdf("anexa-2.pdf")]))
        assert response.status_code == 302
        created = ConnectionRequest.objects.get(institution__idno=make_idno(4001))
        assert response["Location"] == f"/cerere-conectare/{created.number}/trimisa/"
        thanks = public_client.get(response["Location"])
    assert thanks.status_code == 200
    page = thanks.content.decode()
    assert created.number in page
    assert "08.04.2026 16:45" in page  # received, Chisinau time
    assert "24.04.2026 23:59" in page  # ten working days across Easter
    assert created.services == ["Eliberarea actelor de identitate", "Înregistrarea vehiculelor"]
    assert created.channels == ["phone", "portal"]
    assert created.expected_seats == 8 and created.expected_call_minutes == 12000
    documents = list(created.documents.values_list("kind", "original_name", "size"))
    assert documents == [("application", "cererea-semnata.pdf", len(PDF_BYTES)),
                         ("other", "anexa-1.pdf", len(PDF_BYTES)),
                         ("other", "anexa-2.pdf", len(PDF_BYTES))]


def test_confirmation_is_shown_only_to_the_browser_that_submitted(public_client: Client,
                                                                  client_for: Any) -> None:
    response = public_client.post("/cerere-conectare/", _form_data())
    url = response["Location"]
    assert public_client.get(url).status_code == 200
    stranger = client_for(None)
    assert stranger.get(url).status_code == 404
    assert public_client.get("/cerere-conectare/CR-2026-999999/trimisa/").status_code == 404


def test_service_errors_are_shown_next_to_their_fields_and_nothing_is_stored(
        public_client: Client) -> None:
    before = (ConnectionRequest.objects.count(), Institution.objects.count())
    response = public_client.post("/cerere-conectare/", _form_data(
        institution_idno="1003600000000", contact_idnp="2009000000000",
        document_application=pdf("poza.pdf", b"\xff\xd8\xff\xe0JFIF")))
    assert response.status_code == 400
    form = response.context["form"]
    assert "IDNO „1003600000000” nu este valid." in form.errors["institution_idno"]
    assert "IDNP „2009000000000” nu este valid." in form.errors["contact_idnp"]
    assert any("nu este un document PDF" in e for e in form.errors["document_application"])
    page = response.content.decode()
    assert 'class="field-error"' in page
    # The error follows its field's input in the page.
    position = page.index('name="institution_idno"')
    assert page.index("nu este valid", position) < page.index('name="institution_name"')
    assert (ConnectionRequest.objects.count(), Institution.objects.count()) == before
    assert RequestDocument.objects.count() == 0


def test_missing_fields_are_refused_by_the_form(public_client: Client) -> None:
    response = public_client.post("/cerere-conectare/", _form_data(services="", channels=[],
                                                                   expected_seats="0"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"services", "channels", "expected_seats"}
    assert ConnectionRequest.objects.count() == 0


def test_duplicate_is_explained_on_the_form(public_client: Client) -> None:
    assert public_client.post("/cerere-conectare/", _form_data()).status_code == 302
    again = public_client.post("/cerere-conectare/", _form_data())
    assert again.status_code == 400
    assert "Instituția are deja cererea" in again.content.decode()
    assert ConnectionRequest.objects.count() == 1


def test_hub_request_through_the_form(public_client: Client) -> None:
    known = Institution.objects.create(idno=make_idno(4101), name="Primăria Orhei")
    members = f"{known.idno}\n{make_idno(4102)} Primăria Telenești\n"
    response = public_client.post("/cerere-conectare/", _form_data(
        mode="hub", coordinator_idno=make_idno(4001), members=members,
        agreement_number="AI-7/2026", agreement_date="2026-03-15",
        document_agreement=pdf("acord.pdf")))
    assert response.status_code == 302, response.context["form"].errors
    created = ConnectionRequest.objects.get()
    assert created.mode == "hub" and created.coordinator == created.institution
    assert sorted(m.name for m in created.members.all()) == ["Primăria Orhei",
                                                             "Primăria Telenești"]
    assert str(created.agreement_date) == "2026-03-15"


def test_hub_mode_without_its_fields_is_refused_with_hub_errors(public_client: Client) -> None:
    response = public_client.post("/cerere-conectare/", _form_data(mode="hub"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "coordinator_idno" in errors and "members" in errors
    assert "document_agreement" in errors
    assert ConnectionRequest.objects.count() == 0


def test_hub_field_errors_do_not_block_an_individual_request(public_client: Client) -> None:
    response = public_client.post("/cerere-conectare/", _form_data(agreement_date="mâine"))
    assert response.status_code == 302
