"""The institutions registry over the API and in the AGE console (public host)."""

from __future__ import annotations

import pytest
from stdnum.md import idno as idno_number

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.institutions.models import Institution
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def valid_idno(n: int) -> str:
    base = f"10037{n:07d}"
    return base + idno_number.calc_check_digit(base)


def wrong_check_digit(idno: str) -> str:
    return idno[:-1] + str((int(idno[-1]) + 1) % 10)


# --- API ------------------------------------------------------------------------------------

def test_list_is_searchable_with_few_queries(signed_in, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    ministry = InstitutionFactory(name="Ministerul Dezvoltării Economice")
    for number in range(30):
        InstitutionFactory(name=f"Agenția {number}", parent=ministry)
    client, _ = signed_in("asp_monitor")  # any platform role reads
    # 2 search_path, host, session, user, one page with its parents: none per row.
    with assert_max_queries(6):
        response = client.get("/api/v1/institutions/?page_size=20")
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 20 and body["next"]
    child = next(row for row in body["results"] if row["parent"] is not None)
    assert child["parent"] == ministry.pk
    assert child["parent_name"] == "Ministerul Dezvoltării Economice"
    found = client.get("/api/v1/institutions/?q=ministerul dezvoltarii").json()["results"]
    assert [row["id"] for row in found] == [ministry.pk]
    by_idno = client.get(f"/api/v1/institutions/?q={ministry.idno}").json()["results"]
    assert [row["id"] for row in by_idno] == [ministry.pk]


def test_list_pages_by_cursor(signed_in) -> None:  # type: ignore[no-untyped-def]
    created = {InstitutionFactory().pk for _ in range(5)}
    client, _ = signed_in("age_admin")
    first = client.get("/api/v1/institutions/?page_size=3").json()
    second = client.get(first["next"]).json()
    seen = [row["id"] for row in first["results"] + second["results"]]
    assert len(seen) == len(set(seen)) and set(seen) >= created


def test_create_and_patch(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, officer = signed_in("age_onboarding_officer")
    parent = InstitutionFactory()
    response = client.post("/api/v1/institutions/", {
        "idno": valid_idno(1), "name": "Agenția Servicii Publice", "kind": "agency",
        "name_ru": "Агентство государственных услуг", "email": "info@asp.gov.md",
        "parent": parent.pk,
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["idno"] == valid_idno(1) and body["parent"] == parent.pk
    assert AuditEvent.objects.get(action="institution.create").actor == officer
    url = f"/api/v1/institutions/{body['id']}/"
    assert client.get(url).json()["name"] == "Agenția Servicii Publice"
    patched = client.patch(url, {"phone": "+373 22 000 000", "parent": None},
                           content_type="application/json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["phone"] == "+373 22 000 000" and patched.json()["parent"] is None
    assert patched.json()["name"] == "Agenția Servicii Publice"


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"idno": wrong_check_digit(valid_idno(9)), "name": "X"}, 400, "invalid_idno"),
    ({"idno": "taken", "name": "X"}, 409, "idno_taken"),
    ({"name": "X"}, 400, "invalid_input"),
    ({"idno": valid_idno(2), "name": "X", "parent": 10**9}, 400, "invalid_parent"),
    ({"idno": valid_idno(2), "name": "X", "kind": "university"}, 400, "invalid_input"),
])
def test_create_refusals_have_stable_codes(signed_in, payload, status, code) -> None:  # type: ignore[no-untyped-def]
    existing = InstitutionFactory()
    if payload.get("idno") == "taken":
        payload = {**payload, "idno": existing.idno}
    if code == "invalid_idno":
        assert not idno_number.is_valid(payload["idno"])
    client, _ = signed_in("age_admin")
    response = client.post("/api/v1/institutions/", payload, content_type="application/json")
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert Institution.objects.count() == 1


def test_patch_refuses_a_circular_parent(signed_in) -> None:  # type: ignore[no-untyped-def]
    ministry = InstitutionFactory()
    agency = InstitutionFactory(parent=ministry)
    client, _ = signed_in("age_admin")
    for parent in (ministry.pk, agency.pk):
        response = client.patch(f"/api/v1/institutions/{ministry.pk}/", {"parent": parent},
                                content_type="application/json")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_parent"
    assert client.patch("/api/v1/institutions/999999999/", {"name": "X"},
                        content_type="application/json").status_code == 404
    assert client.get("/api/v1/institutions/999999999/").json()["error"]["code"] == (
        "institution_not_found")


def test_writes_need_institutions_manage(signed_in, public_client) -> None:  # type: ignore[no-untyped-def]
    institution = InstitutionFactory(name="Neschimbată")
    client, reviewer = signed_in("chancellery_reviewer")
    assert client.get("/api/v1/institutions/").status_code == 200
    assert client.get(f"/api/v1/institutions/{institution.pk}/").status_code == 200
    created = client.post("/api/v1/institutions/", {"idno": valid_idno(3), "name": "X"},
                          content_type="application/json")
    assert created.status_code == 403
    patched = client.patch(f"/api/v1/institutions/{institution.pk}/", {"name": "Schimbată"},
                           content_type="application/json")
    assert patched.status_code == 403
    assert Institution.objects.get().name == "Neschimbată"
    assert AuditEvent.objects.filter(action="access.denied", actor=reviewer).count() == 2
    assert public_client.get("/api/v1/institutions/").status_code == 401


def test_tenant_users_cannot_read_the_registry(user_with_role, public_client, tenants) -> None:  # type: ignore[no-untyped-def]
    from sgsc.shared_apps.identity.services import api_token_issue

    user = user_with_role("tenant_admin", tenants.prov_a)
    _token, key = api_token_issue(user=user, tenant=None, name="test")
    response = public_client.get("/api/v1/institutions/", HTTP_AUTHORIZATION=f"Token {key}")
    # A person without a platform role has no access on the public host, token or not.
    assert response.status_code == 401


# --- console ------------------------------------------------------------------------------

def test_console_list_searches_and_paginates(signed_in) -> None:  # type: ignore[no-untyped-def]
    for number in range(30):
        InstitutionFactory(name=f"Agenția nr. {number:02d}")
    InstitutionFactory(name="Primăria Bălți")
    client, _ = signed_in("age_onboarding_officer")
    page = client.get("/institutii/").content.decode()
    assert "Agenția nr. 00" in page and "Pagina 1 din 2" in page
    assert "/institutii/noua/" in page
    found = client.get("/institutii/?q=balti").content.decode()
    assert "Primăria Bălți" in found and "Agenția nr. 00" not in found
    second = client.get("/institutii/?q=agentia&pagina=2").content.decode()
    assert "Agenția nr. 29" in second and "Agenția nr. 00" not in second
    empty = client.get("/institutii/?q=zzzz").content.decode()
    assert "Nicio instituție nu corespunde căutării." in empty


def test_console_empty_registry(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("age_admin")
    assert "Nicio instituție nu este înregistrată încă." in client.get(
        "/institutii/").content.decode()


def test_console_pages_need_institutions_manage(signed_in, public_client) -> None:  # type: ignore[no-untyped-def]
    institution = InstitutionFactory()
    client, _ = signed_in("asp_monitor")
    for url in ("/institutii/", "/institutii/noua/", f"/institutii/{institution.pk}/editare/"):
        assert client.get(url).status_code == 403
        assert public_client.get(url).status_code == 302


def test_console_create_and_edit(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, admin = signed_in("age_admin")
    parent = InstitutionFactory(name="Cancelaria de Stat")
    form = client.get("/institutii/noua/").content.decode()
    assert "Cancelaria de Stat" in form
    created = client.post("/institutii/noua/", {
        "idno": valid_idno(4), "name": "Agenția de Guvernare Electronică", "kind": "agency",
        "parent": parent.pk, "email": "", "phone": "", "address": "",
        "name_ru": "", "name_en": "E-Government Agency"})
    assert created.status_code == 302 and created["Location"] == "/institutii/"
    institution = Institution.objects.get(idno=valid_idno(4))
    assert institution.parent == parent and institution.name_en == "E-Government Agency"
    edit_url = f"/institutii/{institution.pk}/editare/"
    edit = client.get(edit_url).content.decode()
    assert valid_idno(4) in edit and "E-Government Agency" in edit
    saved = client.post(edit_url, {"idno": valid_idno(4), "name": "AGE", "kind": "agency",
                                   "parent": ""})
    assert saved.status_code == 302
    institution.refresh_from_db()
    assert institution.name == "AGE" and institution.parent is None
    assert AuditEvent.objects.get(action="institution.update").actor == admin
    assert client.get("/institutii/999999999/editare/").status_code == 404


def test_console_shows_errors_next_to_the_field(signed_in) -> None:  # type: ignore[no-untyped-def]
    existing = InstitutionFactory()
    client, _ = signed_in("age_admin")
    bad_idno = client.post("/institutii/noua/", {"idno": wrong_check_digit(valid_idno(9)), "name": "X",
                                                 "kind": "agency"})
    assert bad_idno.status_code == 400
    assert "nu este valid" in bad_idno.content.decode()
    taken = client.post("/institutii/noua/", {"idno": existing.idno, "name": "X",
                                              "kind": "agency"})
    assert taken.status_code == 400 and "este deja înregistrată" in taken.content.decode()
    assert Institution.objects.count() == 1
