"""The tariff pages: AGE drafts and submits, the Chancellery approves or returns."""

from __future__ import annotations

import re
from datetime import date

import pytest

from sgsc.billing.tariffs.models import TariffScheduleVersion
from sgsc.shared_apps.audit.models import AuditEvent
from tests.billing.tariffs.conftest import pdf_upload

pytestmark = pytest.mark.django_db

FORM = {"effective_from": "2027-01-01", "effective_to": "", "vat_treatment": "exempt",
        "vat_rate": "", "price_subscription": "1500", "hub_subscription": "0.8",
        "price_seat": "350.25", "hub_seat": "", "price_ticket": "", "hub_ticket": "",
        "price_call_minute": "", "hub_call_minute": "", "price_storage_gb_month": "1.2",
        "hub_storage_gb_month": "1", "allowance_gb": "50"}


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.content.decode())


def test_age_drafts_and_submits_from_the_console(signed_in, schedule) -> None:  # type: ignore[no-untyped-def]
    client, user = signed_in("age_admin")
    listing = _text(client.get("/grile-tarifare/"))
    assert "TARIF-TEST" in listing and "Grilă nouă" in listing
    assert "Grile tarifare" in _text(client.get("/"))  # the menu entry
    form = client.get("/grile-tarifare/TARIF-TEST/versiune-noua/")
    assert form.status_code == 200 and "Abonament lunar per spațiu" in _text(form)
    response = client.post("/grile-tarifare/TARIF-TEST/versiune-noua/", FORM)
    assert response.status_code == 302
    version = TariffScheduleVersion.objects.get()
    assert {c.kind for c in version.components.all()} == {"subscription", "seat",
                                                         "storage_gb_month"}
    assert version.components.get(kind="storage_gb_month").allowance_gb == 50
    page = _text(client.get(response["Location"]))
    assert "Transmite spre aprobare" in page and "tariff.version.draft" in page
    edited = client.post(f"/grile-tarifare/versiuni/{version.pk}/modificare/",
                         {**FORM, "price_ticket": "2.5"})
    assert edited.status_code == 302 and version.components.count() == 4
    submitted = client.post(f"/grile-tarifare/versiuni/{version.pk}/transmitere/")
    assert submitted.status_code == 302
    version.refresh_from_db()
    assert version.status == "submitted" and version.submitted_by == user


def test_a_negative_price_in_the_form_is_shown_and_nothing_is_saved(signed_in, schedule) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("age_admin")
    response = client.post("/grile-tarifare/TARIF-TEST/versiune-noua/",
                           {**FORM, "price_seat": "-5"})
    assert response.status_code == 400
    assert "Prețul nu poate fi negativ." in _text(response)
    assert not TariffScheduleVersion.objects.exists()


def test_the_chancellery_approves_from_its_queue(signed_in, submitted_version) -> None:  # type: ignore[no-untyped-def]
    version = submitted_version()
    client, user = signed_in("chancellery_reviewer")
    home = _text(client.get("/"))
    assert "Grile tarifare în așteptare" in home
    queue = _text(client.get("/grile-tarifare/in-asteptare/"))
    assert "TARIF-TEST" in queue and "Examinează" in queue
    detail = _text(client.get(f"/grile-tarifare/versiuni/{version.pk}/"))
    assert 'popovertarget="approve-dialog"' in detail and "Returnează cu observații" in detail
    assert "Transmite spre aprobare" not in detail  # AGE's action only
    bad = client.post(f"/grile-tarifare/versiuni/{version.pk}/aprobare/", {
        "decision_number": "CS-1", "decision_date": "2026-10-01",
        "decision_document": pdf_upload("d.pdf", b"not a pdf")})
    assert bad.status_code == 400 and "Nu este un fișier PDF." in _text(bad)
    assert 'id="approve-dialog"' in _text(bad) and "<dialog id=\"approve-dialog\"" not in \
        _text(bad)  # shown open with its errors
    response = client.post(f"/grile-tarifare/versiuni/{version.pk}/aprobare/", {
        "decision_number": "CS-1/2026", "decision_date": "2026-10-01",
        "decision_document": pdf_upload()})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == "approved" and version.approved_by == user
    page = _text(client.get(f"/grile-tarifare/versiuni/{version.pk}/"))
    assert "Înghețată" in page and "nr. CS-1/2026 din 01.10.2026" in page
    assert "tariff.version.approve" in page and "not_pdf" in page  # the history, refusals too
    document = client.get(f"/grile-tarifare/versiuni/{version.pk}/decizia/")
    assert document.content.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="tariff.decision.download").exists()
    assert "Nicio grilă tarifară nu așteaptă aprobarea." in _text(
        client.get("/grile-tarifare/in-asteptare/"))


def test_the_chancellery_returns_with_comments(signed_in, submitted_version) -> None:  # type: ignore[no-untyped-def]
    version = submitted_version()
    client, _ = signed_in("chancellery_reviewer")
    empty = client.post(f"/grile-tarifare/versiuni/{version.pk}/returnare/", {"comments": ""})
    assert empty.status_code == 400
    response = client.post(f"/grile-tarifare/versiuni/{version.pk}/returnare/",
                           {"comments": "Lipsește fundamentarea."})
    assert response.status_code == 302 and response["Location"] == "/grile-tarifare/in-asteptare/"
    age, _ = signed_in("age_admin")
    page = _text(age.get(f"/grile-tarifare/versiuni/{version.pk}/"))
    assert "Lipsește fundamentarea." in page and "Modificarea proiectului" in page


def test_own_draft_refusal_is_shown(public_client, schedule, draft_version) -> None:  # type: ignore[no-untyped-def]
    from sgsc.billing.tariffs.services import tariff_version_submit
    from tests.factories import UserFactory

    both = UserFactory(platform_roles=["age_admin", "chancellery_reviewer"])
    version = tariff_version_submit(version=draft_version(actor=both), actor=both)
    public_client.force_login(both)
    response = public_client.post(f"/grile-tarifare/versiuni/{version.pk}/aprobare/", {
        "decision_number": "CS-1", "decision_date": "2026-10-01",
        "decision_document": pdf_upload()})
    assert response.status_code == 403
    assert "Nu puteți aproba o grilă pe care ați întocmit-o" in _text(response)


def test_an_approved_version_offers_only_a_new_version(signed_in, submitted_version,  # type: ignore[no-untyped-def]
                                                       reviewer) -> None:
    from sgsc.billing.tariffs.services import tariff_version_approve

    version = submitted_version()
    tariff_version_approve(version=version, decision_number="CS-2", decision_date=date(2026, 1, 5),
                           decision_document=pdf_upload(), actor=reviewer)
    client, _ = signed_in("age_admin")
    page = _text(client.get(f"/grile-tarifare/versiuni/{version.pk}/"))
    assert "Modificarea proiectului" not in page and "Versiune nouă după aceasta" in page
    refused = client.post(f"/grile-tarifare/versiuni/{version.pk}/modificare/", FORM)
    assert refused.status_code == 409 and "înghețată" in _text(refused)
    created = client.post(f"/grile-tarifare/versiuni/{version.pk}/versiune-noua/")
    assert created.status_code == 302
    assert TariffScheduleVersion.objects.filter(based_on=version, status="draft").exists()


@pytest.mark.parametrize("path", ["/grile-tarifare/", "/grile-tarifare/in-asteptare/",
                                  "/grile-tarifare/TARIF-TEST/",
                                  "/grile-tarifare/TARIF-TEST/versiune-noua/"])
def test_pages_are_refused_to_others(signed_in, public_client, schedule, tenants, path) -> None:  # type: ignore[no-untyped-def]
    assert public_client.get(path).status_code == 302  # to the sign-in page
    client, _ = signed_in("asp_monitor")
    assert client.get(path).status_code == 403
    for role in ("tenant_admin", "l1_operator"):
        tenant_client, _ = signed_in(role, tenants.prov_a)
        assert tenant_client.get(path).status_code == 404  # not on tenant hosts
    assert AuditEvent.objects.filter(action="access.denied", object_id=path).exists()


def test_writes_need_their_own_capability(signed_in, submitted_version) -> None:  # type: ignore[no-untyped-def]
    version = submitted_version()
    chancellery, _ = signed_in("chancellery_reviewer")
    age, _ = signed_in("age_admin")
    assert chancellery.post(f"/grile-tarifare/versiuni/{version.pk}/modificare/",
                            FORM).status_code == 403
    assert chancellery.get("/grile-tarifare/TARIF-TEST/versiune-noua/").status_code == 403
    assert age.post(f"/grile-tarifare/versiuni/{version.pk}/returnare/",
                    {"comments": "x"}).status_code == 403
    assert age.get("/grile-tarifare/in-asteptare/").status_code == 403
    version.refresh_from_db()
    assert version.status == "submitted"


def test_empty_states(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("age_admin")
    text = _text(client.get("/grile-tarifare/?q=nimic-de-gasit"))
    assert "Nicio grilă nu corespunde căutării." in text
    created = client.post("/grile-tarifare/", {"code": "tarif-nou", "name": "Grila nouă"})
    assert created.status_code == 302 and created["Location"] == "/grile-tarifare/TARIF-NOU/"
    assert "Grila nu are încă nicio versiune." in _text(client.get(created["Location"]))
