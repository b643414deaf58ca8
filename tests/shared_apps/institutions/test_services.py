"""The institutions registry: IDNO check digit, uniqueness, hierarchy, audit."""

from __future__ import annotations

import pytest
from stdnum.md import idno as idno_number

from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.institutions.models import Institution
from sgsc.shared_apps.institutions.selectors import institution_get_by_idno, institution_list
from sgsc.shared_apps.institutions.services import institution_create, institution_update
from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


def valid_idno(n: int) -> str:
    base = f"10036{n:07d}"
    return base + idno_number.calc_check_digit(base)


def wrong_check_digit(idno: str) -> str:
    return idno[:-1] + str((int(idno[-1]) + 1) % 10)


def test_create_is_audited_with_the_actor() -> None:
    actor = UserFactory()
    parent = InstitutionFactory()
    institution = institution_create(
        idno=f" {valid_idno(1)} ", name=" Agenția Servicii Publice ", kind="agency",
        name_ru="Агентство государственных услуг", email="asp@asp.gov.md", phone="+373 22 504 504",
        parent=parent, actor=actor)
    assert institution.idno == valid_idno(1)
    assert institution.name == "Agenția Servicii Publice" and institution.parent == parent
    event = AuditEvent.objects.get(action="institution.create")
    assert event.actor == actor and event.chain == "platform"
    assert event.object_id == str(institution.pk)
    assert event.details["idno"] == valid_idno(1) and event.details["parent"] == parent.pk


@pytest.mark.parametrize(("idno", "code"), [
    (wrong_check_digit(valid_idno(2)), "invalid_idno"),
    ("123", "invalid_idno"),
    ("10036000000AB", "invalid_idno"),
    ("", "invalid_idno"),
])
def test_a_wrong_idno_is_refused(idno: str, code: str) -> None:
    with pytest.raises(ApplicationError) as caught:
        institution_create(idno=idno, name="Instituția X")
    assert caught.value.code == code and caught.value.status_code == 400
    assert "idno" in caught.value.fields
    assert not Institution.objects.exists()
    refusal = AuditEvent.objects.get(action="institution.create")
    assert refusal.outcome == AuditEvent.Outcome.FAILURE and refusal.details["code"] == code


@pytest.mark.parametrize(("fields", "code"), [
    ({"name": "  "}, "required"),
    ({"kind": "university"}, "invalid_kind"),
    ({"email": "nu-e-adresa"}, "invalid_email"),
    ({"phone": "telefonul meu"}, "invalid_phone"),
    ({"name": "x" * 256}, "too_long"),
])
def test_other_bad_fields_are_refused(fields: dict[str, str], code: str) -> None:
    with pytest.raises(ApplicationError) as caught:
        institution_create(**{"idno": valid_idno(3), "name": "Instituția X", **fields})
    assert caught.value.code == code
    assert not Institution.objects.exists()


def test_a_taken_idno_is_refused() -> None:
    first = institution_create(idno=valid_idno(4), name="Prima")
    with pytest.raises(ApplicationError) as caught:
        institution_create(idno=valid_idno(4), name="A doua")
    assert caught.value.code == "idno_taken" and caught.value.status_code == 409
    other = institution_create(idno=valid_idno(5), name="A treia")
    with pytest.raises(ApplicationError) as caught:
        institution_update(institution=other, idno=first.idno)
    assert caught.value.code == "idno_taken"
    assert Institution.objects.get(pk=other.pk).idno == valid_idno(5)


def test_update_records_before_and_after() -> None:
    institution = institution_create(idno=valid_idno(6), name="Vechi", kind="other")
    actor = UserFactory()
    changed = institution_update(institution=institution, name="Nou", kind="ministry",
                                 address="Chișinău", actor=actor)
    assert (changed.name, changed.kind, changed.address) == ("Nou", "ministry", "Chișinău")
    event = AuditEvent.objects.get(action="institution.update")
    assert event.actor == actor
    assert event.details == {"before": {"name": "Vechi", "kind": "other", "address": ""},
                             "after": {"name": "Nou", "kind": "ministry",
                                       "address": "Chișinău"}}
    # Saving the same values changes nothing and records nothing.
    institution_update(institution=institution.pk, name="Nou")
    assert AuditEvent.objects.filter(action="institution.update").count() == 1


def test_update_refuses_unknown_fields_and_missing_institutions() -> None:
    institution = InstitutionFactory()
    with pytest.raises(ApplicationError) as caught:
        institution_update(institution=institution, created_at="ieri")
    assert caught.value.code == "unknown_fields"
    with pytest.raises(ApplicationError) as caught:
        institution_update(institution=10**9, name="X")
    assert caught.value.code == "institution_not_found" and caught.value.status_code == 404


def test_the_hierarchy_cannot_become_circular() -> None:
    ministry = InstitutionFactory(name="Ministerul")
    agency = InstitutionFactory(name="Agenția", parent=ministry)
    office = InstitutionFactory(name="Oficiul", parent=agency)
    for parent in (ministry, agency, office):  # itself, its child, its grandchild
        with pytest.raises(ApplicationError) as caught:
            institution_update(institution=ministry, parent=parent)
        assert caught.value.code == "invalid_parent"
        assert "parent" in caught.value.fields
    assert Institution.objects.get(pk=ministry.pk).parent is None
    refusals = AuditEvent.objects.filter(action="institution.update",
                                         outcome=AuditEvent.Outcome.FAILURE)
    assert refusals.count() == 3
    # Moving a subtree elsewhere is fine.
    other = InstitutionFactory(name="Alt minister")
    assert institution_update(institution=agency, parent=other).parent == other
    assert institution_update(institution=agency, parent=None).parent is None


def test_search_by_name_without_diacritics_and_by_idno() -> None:
    asp = institution_create(idno=valid_idno(7), name="Agenția Servicii Publice",
                             name_en="Public Services Agency")
    stisc = institution_create(idno=valid_idno(8), name="Serviciul Tehnologia Informației "
                               "și Securitate Cibernetică")
    mun = institution_create(idno=valid_idno(9), name="Primăria municipiului Chişinău")
    assert set(institution_list(search="agentia")) == {asp}
    assert set(institution_list(search="SECURITATE CIBERNETICA")) == {stisc}
    assert set(institution_list(search="chisinau")) == {mun}  # cedilla ş in the name
    assert set(institution_list(search="Chișinău")) == {mun}  # comma-below ș typed
    assert set(institution_list(search="public services")) == {asp}
    assert set(institution_list(search=valid_idno(8)[-5:])) == {stisc}
    assert set(institution_list(search=" ".join(valid_idno(9)[i:i + 4]
                                                 for i in range(0, 13, 4)))) == {mun}
    assert set(institution_list(search="")) >= {asp, stisc, mun}
    assert institution_get_by_idno(idno=valid_idno(7)) == asp
