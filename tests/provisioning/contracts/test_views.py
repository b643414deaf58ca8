"""The AGE console pages for contracts."""

from __future__ import annotations

import re
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from sgsc.provisioning.contracts.models import Contract, ContractSignature, ContractTemplate
from sgsc.provisioning.contracts.services import contract_draft_for_request, contract_sign
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.roles import Capability
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db
CHISINAU = ZoneInfo("Europe/Chisinau")
OFFICER = "age_onboarding_officer"


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# --- access ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/contracte/", "/contracte/sabloane/"])
def test_pages_need_the_onboarding_capability(signed_in, public_client, path) -> None:  # type: ignore[no-untyped-def]
    assert public_client.get(path).status_code == 302
    client, _ = signed_in("chancellery_reviewer")
    assert client.get(path).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", object_id=path).exists()


def test_contract_pages_are_not_on_tenant_hosts(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("tenant_admin", tenants.prov_a)
    assert client.get("/contracte/").status_code == 404


# --- list ------------------------------------------------------------------------------------

def test_empty_list(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in(OFFICER)
    page = _text(client.get("/contracte/"))
    assert "Nu există încă niciun contract" in page
    page = _text(client.get("/contracte/?q=nimic"))
    assert "Niciun contract nu corespunde căutării" in page


def test_list_shows_deadlines_with_colours(signed_in, make_request, officer, signers) -> None:  # type: ignore[no-untyped-def]
    # Sessions are signed in inside each time travel (they expire otherwise).
    names = ["Casa Națională de Asigurări Sociale", "Agenția Servicii Publice",
             "Ministerul Sănătății"]
    contracts = [contract_draft_for_request(
        connection_request=make_request(institution=InstitutionFactory(name=name)),
        actor=officer) for name in names]
    with time_machine.travel(datetime(2027, 4, 28, 15, 0, tzinfo=CHISINAU)):
        contract_sign(contract=contracts[0], signed_document=None, actor=officer, **signers)
    with time_machine.travel(datetime(2027, 5, 10, 15, 0, tzinfo=CHISINAU)):
        contract_sign(contract=contracts[1], signed_document=None, actor=officer, **signers)
    with time_machine.travel(datetime(2027, 5, 12, 9, 0, tzinfo=CHISINAU)):
        client, _ = signed_in(OFFICER)
        response = client.get("/contracte/")
    html = response.content.decode()
    assert response.status_code == 200
    # Signed 28.04: due 14.05, 2 working days left on 12.05 -> at risk.
    row0 = html[html.index(contracts[0].number):]
    assert "14.05.2027" in row0[:1500]
    assert 'clock clock-at_risk">2 zile lucrătoare rămase' in row0[:1500]
    # Signed 10.05 (a holiday): due 24.05, 8 working days left -> fine.
    row1 = html[html.index(contracts[1].number):]
    assert 'clock clock-ok">8 zile lucrătoare rămase' in row1[:1500]
    with time_machine.travel(datetime(2027, 5, 18, 9, 0, tzinfo=CHISINAU)):
        client, _ = signed_in(OFFICER)
        late = client.get("/contracte/").content.decode()
    assert 'clock clock-late">întârziere: 2 zile lucrătoare' in late
    assert contracts[2].number in late


def test_list_filters_and_search(signed_in, make_request, officer, signers) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in(OFFICER)
    cnas = contract_draft_for_request(
        connection_request=make_request(institution=InstitutionFactory(
            name="Casa Națională de Asigurări Sociale")), actor=officer)
    asp = contract_draft_for_request(
        connection_request=make_request(institution=InstitutionFactory(
            name="Agenția Servicii Publice")), actor=officer)
    contract_sign(contract=asp, signed_document=None, actor=officer, **signers)
    signed_page = client.get("/contracte/?stare=signed").content.decode()
    assert asp.number in signed_page and cnas.number not in signed_page
    by_name = client.get("/contracte/?q=asigur").content.decode()
    assert cnas.number in by_name and asp.number not in by_name
    by_number = client.get(f"/contracte/?q={asp.number}").content.decode()
    assert asp.number in by_number and cnas.number not in by_number


def test_list_is_paginated_with_few_queries(signed_in, make_request, officer,  # type: ignore[no-untyped-def]
                                            assert_max_queries) -> None:
    client, _ = signed_in(OFFICER)
    for _ in range(27):
        contract_draft_for_request(connection_request=make_request(), actor=officer)
    with assert_max_queries(12):
        first = client.get("/contracte/")
    assert first.content.decode().count('href="/contracte/') >= 25
    assert "Pagina 1 din 2" in _text(first)
    second = client.get("/contracte/?pagina=2")
    assert "Pagina 2 din 2" in _text(second)


# --- detail ----------------------------------------------------------------------------------

def test_detail_of_a_draft(signed_in, draft) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in(OFFICER)
    response = client.get(f"/contracte/{draft.pk}/")
    assert response.status_code == 200
    page = _text(response)
    html = response.content.decode()
    for expected in (draft.number, "Proiect", "Casa Națională de Asigurări Sociale",
                     draft.institution.idno, draft.request.number, "versiunea 1",
                     "TARIF-2027-STD", "Pensii și indemnizații", "Telefon", "E-mail",
                     "Contractul nu este semnat", "Semnarea contractului"):
        assert expected in page, expected
    assert f'href="/contracte/{draft.pk}/pdf/"' in html
    assert 'popovertarget="sign-dialog"' in html and "<dialog" in html
    assert 'enctype="multipart/form-data"' in html
    assert f'action="/contracte/{draft.pk}/proiect/"' in html
    assert "Înregistrează predarea accesului" not in page
    assert "<script>" not in html


def test_unknown_contract_is_404(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in(OFFICER)
    assert client.get("/contracte/999999/").status_code == 404
    assert client.get("/contracte/999999/pdf/").status_code == 404


def test_provisioning_panel_is_included_only_when_it_exists(signed_in, draft, settings,  # type: ignore[no-untyped-def]
                                                           tmp_path) -> None:
    client, _ = signed_in(OFFICER)
    assert client.get(f"/contracte/{draft.pk}/").status_code == 200  # with or without it
    (tmp_path / "probe").mkdir()
    (tmp_path / "probe" / "panel.html").write_text("<div>PANOU {{ contract.number }}</div>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    with mock.patch("sgsc.provisioning.contracts.views.PROVISIONING_PANEL", "probe/panel.html"):
        html = client.get(f"/contracte/{draft.pk}/").content.decode()
    assert f"PANOU {draft.number}" in html
    with mock.patch("sgsc.provisioning.contracts.views.PROVISIONING_PANEL", "probe/nu.html"):
        response = client.get(f"/contracte/{draft.pk}/")
    assert response.status_code == 200 and "PANOU" not in response.content.decode()


def test_edit_the_draft(signed_in, draft) -> None:  # type: ignore[no-untyped-def]
    client, user = signed_in(OFFICER)
    response = client.post(f"/contracte/{draft.pk}/proiect/", {
        "tenant_slug": "cnas-suport", "tariff_code": "TARIF-2027-STD",
        "effective_date": "2027-03-01", "term_months": "24",
        "services": "Pensii\nIndemnizații\n", "channels": ["phone", "chat"],
    })
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.tenant_slug == "cnas-suport" and draft.services == ["Pensii", "Indemnizații"]
    assert draft.channels == ["phone", "chat"] and draft.effective_date == date(2027, 3, 1)
    assert AuditEvent.objects.filter(action="contract.update").latest("id").actor == user
    assert "Proiectul contractului a fost salvat" in _text(client.get(response["Location"]))


def test_bad_edit_shows_the_error_and_changes_nothing(signed_in, draft, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in(OFFICER)
    response = client.post(f"/contracte/{draft.pk}/proiect/", {
        "tenant_slug": "prov-a", "tariff_code": "TARIF-2027-STD", "term_months": "12",
        "services": "Pensii", "channels": ["phone"],
    })
    assert response.status_code == 409
    assert "Identificator ocupat" in _text(response)
    draft.refresh_from_db()
    assert draft.tenant_slug == "cnas" and draft.term_months == 36
    invalid = client.post(f"/contracte/{draft.pk}/proiect/", {"tenant_slug": "",
                                                              "term_months": "x"})
    assert invalid.status_code == 400


def test_sign_from_the_console_with_a_pdf(signed_in, draft, signers) -> None:  # type: ignore[no-untyped-def]
    client, user = signed_in(OFFICER)
    upload = SimpleUploadedFile("semnat.pdf", b"%PDF-1.4\n%%EOF\n",
                                content_type="application/pdf")
    with mock.patch("sgsc.platform.queue.app.send_task"):
        response = client.post(f"/contracte/{draft.pk}/semnare/",
                               {**signers, "signed_document": upload})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Contract.Status.SIGNED
    signature = ContractSignature.objects.get(contract=draft, party="age")
    assert signature.document_uploaded and signature.recorded_by == user
    page = client.get(f"/contracte/{draft.pk}/")
    text = _text(page)
    assert signature.sha256 in text and "Ion Rusu" in text and "Ștefan Țîrdea" in text
    assert "Semnarea contractului" not in text  # no sign form any more
    assert f'action="/contracte/{draft.pk}/proiect/"' not in page.content.decode()
    document = client.get(f"/contracte/{draft.pk}/document-semnat/")
    assert document.status_code == 200 and document.content == b"%PDF-1.4\n%%EOF\n"
    assert AuditEvent.objects.filter(action="contract.document.download").exists()


def test_sign_errors_keep_the_form_open(signed_in, draft, signers) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in(OFFICER)
    upload = SimpleUploadedFile("poza.pdf", b"\x89PNG....", content_type="application/pdf")
    response = client.post(f"/contracte/{draft.pk}/semnare/",
                           {**signers, "signed_document": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nu este un fișier PDF." in html
    assert '<section class="card" id="sign-dialog">' in html  # shown without a click
    assert Contract.objects.get(pk=draft.pk).status == Contract.Status.DRAFT
    missing = client.post(f"/contracte/{draft.pk}/semnare/", {"age_signer_name": "X"})
    assert missing.status_code == 400
    assert not ContractSignature.objects.filter(contract=draft).exists()


def test_signing_twice_from_the_console(signed_in, draft, signers, officer) -> None:  # type: ignore[no-untyped-def]
    contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    client, _ = signed_in(OFFICER)
    response = client.post(f"/contracte/{draft.pk}/semnare/", signers)
    assert response.status_code == 409
    assert ContractSignature.objects.filter(contract=draft).count() == 2


def test_handover_button(signed_in, draft, signers, officer, tenants) -> None:  # type: ignore[no-untyped-def]
    from sgsc.provisioning.contracts.services import contract_mark_active

    contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    client, user = signed_in(OFFICER)
    early = client.post(f"/contracte/{draft.pk}/predare/")
    assert early.status_code == 409
    assert "după ce spațiul prestatorului este activ" in _text(early)
    Contract.objects.filter(pk=draft.pk).update(tenant_slug="prov-a")
    contract_mark_active(contract=draft, tenant=tenants.prov_a)
    page = client.get(f"/contracte/{draft.pk}/").content.decode()
    assert f'action="/contracte/{draft.pk}/predare/"' in page
    response = client.post(f"/contracte/{draft.pk}/predare/")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.handed_over_by == user
    after = _text(client.get(f"/contracte/{draft.pk}/"))
    assert "Înregistrează predarea accesului" not in after and "predat" in after
    assert client.get(f"/contracte/{draft.pk}/predare/").status_code == 405


def test_pdf_view(signed_in, draft) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in(OFFICER)
    response = client.get(f"/contracte/{draft.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert draft.number in response["Content-Disposition"]


# --- template versions -----------------------------------------------------------------------

def test_template_versions_page_and_new_version(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, user = signed_in("age_admin")
    page = client.get("/contracte/sabloane/")
    assert page.status_code == 200
    text = _text(page)
    assert "v1" in text and "în vigoare" in text and "Versiune nouă" in text
    response = client.post("/contracte/sabloane/", {
        "title": "Contract-tip 2028", "effective_from": "2028-01-01",
        "body": "<p>Contract {{ contract.number }}</p>",
    })
    assert response.status_code == 302
    new = ContractTemplate.objects.get(version=2)
    assert new.created_by == user and new.effective_from == date(2028, 1, 1)
    detail = client.get(f"/contracte/sabloane/{new.pk}/")
    assert "Contract {{ contract.number }}" in detail.content.decode().replace("&#x27;", "'")


def test_bad_template_is_shown_not_saved(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("age_admin")
    response = client.post("/contracte/sabloane/", {
        "title": "Greșit", "effective_from": "2028-01-01", "body": "{% if %}",
    })
    assert response.status_code == 400
    assert "șablon" in _text(response)
    assert not ContractTemplate.objects.filter(version=2).exists()


def test_creating_versions_needs_tenant_management(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in(OFFICER)
    only_review = frozenset({Capability.ONBOARDING_REVIEW, Capability.PLATFORM_CONSOLE})
    with mock.patch("sgsc.provisioning.contracts.views.request_capabilities",
                    return_value=only_review), \
            mock.patch("sgsc.platform.access.request_capabilities", return_value=only_review):
        page = client.get("/contracte/sabloane/")
        assert page.status_code == 200 and "Versiune nouă" not in _text(page)
        refused = client.post("/contracte/sabloane/", {"title": "x", "body": "y",
                                                       "effective_from": "2028-01-01"})
    assert refused.status_code == 403
    assert not ContractTemplate.objects.filter(version=2).exists()


def test_handover_deadline_counts_from_the_local_day(signed_in, draft, officer, signers) -> None:  # type: ignore[no-untyped-def]
    # 00:30 on 28 April in Chișinău is still 27 April in UTC: the term starts after the
    # local day, so the deadline is 14 May (from 27 April it would be 13 May).
    with time_machine.travel(datetime(2027, 4, 28, 0, 30, tzinfo=CHISINAU)):
        contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    draft.refresh_from_db()
    assert draft.handover_deadline == datetime(2027, 5, 14, 23, 59, 59, tzinfo=CHISINAU)
    with time_machine.travel(datetime(2027, 5, 14, 9, 0, tzinfo=CHISINAU)):
        client, _ = signed_in(OFFICER)
        text = _text(client.get(f"/contracte/{draft.pk}/"))
    assert "14.05.2027" in text and "ultima zi" in text
