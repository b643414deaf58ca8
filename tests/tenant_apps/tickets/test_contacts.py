"""Requesters: recognised again by IDNP, IDNO, e-mail or phone (in that order), phone numbers
in one form, invalid identifiers refused with their codes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.contacts import Requester, contact_resolve, phone_normalize
from sgsc.tenant_apps.tickets.models import Contact, Ticket
from tests.conftest import Tenants
from tests.tenant_apps.tickets.conftest import VALID_IDNP

pytestmark = pytest.mark.django_db

OTHER_IDNP = "2002001234574"
VALID_IDNO = "1003600150440"
OTHER_IDNO = "1003600008080"


@pytest.mark.parametrize(("phone", "expected"), [
    ("+373 69 123 456", "37369123456"),
    ("069123456", "37369123456"),
    ("0037369123456", "37369123456"),
    ("69123456", "37369123456"),
    ("(022) 25-15-15", "37322251515"),
    ("+40 721 234 567", "40721234567"),
    ("+373 (0)69 123 456", "37369123456"),
    ("00373 0 22 25 15 15", "37322251515"),
    ("", ""),
])
def test_phone_numbers_take_one_form(phone: str, expected: str) -> None:
    assert phone_normalize(phone) == expected


@pytest.mark.parametrize("phone", ["telefonul meu", "---", "12", "+373 69 12",
                                   "0037312345678901234"])
def test_a_phone_that_is_no_number_is_refused(phone: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        phone_normalize(phone)
    assert refused.value.code == "invalid_phone"
    assert refused.value.fields == {"phone": [refused.value.fields["phone"][0]]}


@pytest.mark.parametrize(("requester", "code", "field"), [
    (Requester(idnp="2002001234564"), "invalid_idnp", "idnp"),  # wrong check digit
    (Requester(idnp="200200123456"), "invalid_idnp", "idnp"),
    (Requester(idno="1003600150441"), "invalid_idno", "idno"),
    (Requester(email="ion.example.md"), "invalid_email", "email"),
    (Requester(name="Ion", phone="fără telefon"), "invalid_phone", "phone"),
    (Requester(name="  "), "requester_required", "requester"),
])
def test_invalid_requester_data_is_refused_and_nothing_is_stored(
        in_prov_a: Tenants, requester: Requester, code: str, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        contact_resolve(requester=requester)
    assert (refused.value.code, list(refused.value.fields)) == (code, [field])
    assert not Contact.objects.exists()


def test_identifiers_are_recognised_in_order(in_prov_a: Tenants) -> None:
    by_idnp = Contact.objects.create(kind="citizen", idnp=VALID_IDNP)
    by_idno = Contact.objects.create(kind="company", idno=VALID_IDNO)
    by_email = Contact.objects.create(kind="other", email="ion@example.md")
    by_phone = Contact.objects.create(kind="other", phone="37369123456")
    everything = {"idnp": VALID_IDNP, "idno": VALID_IDNO, "email": "ion@example.md",
                  "phone": "069123456"}
    for field, owner in (("idnp", by_idnp), ("idno", by_idno), ("email", by_email),
                         ("phone", by_phone)):
        assert contact_resolve(requester=Requester(**everything)) == owner, field
        everything.pop(field)
    assert Contact.objects.count() == 4


def test_a_requester_is_recognised_by_any_form_of_its_identifiers(in_prov_a: Tenants) -> None:
    first = contact_resolve(requester=Requester(name="Ion", email="Ion.Popescu@Example.MD",
                                                phone="069123456"))
    assert (first.email, first.phone, first.kind) == ("ion.popescu@example.md", "37369123456",
                                                      "other")
    assert contact_resolve(requester=Requester(email=" ion.popescu@example.md ")) == first
    assert contact_resolve(requester=Requester(phone="+373 69 123 456")) == first
    assert contact_resolve(requester=Requester(phone="0037369123456")) == first


def test_a_known_contact_is_completed_and_becomes_a_citizen(in_prov_a: Tenants) -> None:
    known = contact_resolve(requester=Requester(phone="069123456"))
    completed = contact_resolve(requester=Requester(name="Ion Popescu", idnp=VALID_IDNP,
                                                    phone="69123456"))
    assert completed == known
    known.refresh_from_db()
    assert (known.name, known.idnp, known.kind) == ("Ion Popescu", VALID_IDNP, "citizen")
    # What it already had is not overwritten by what another message says.
    contact_resolve(requester=Requester(name="Alt nume", phone="069123456"))
    known.refresh_from_db()
    assert known.name == "Ion Popescu"


def test_an_identifier_owned_by_another_contact_is_not_moved(in_prov_a: Tenants) -> None:
    citizen = Contact.objects.create(kind="citizen", idnp=VALID_IDNP)
    company = Contact.objects.create(kind="company", idno=VALID_IDNO)
    mailbox = Contact.objects.create(kind="other", email="birou@example.md")
    found = contact_resolve(requester=Requester(idnp=VALID_IDNP, idno=VALID_IDNO,
                                                email="birou@example.md", phone="069123456"))
    assert found == citizen
    citizen.refresh_from_db()
    company.refresh_from_db()
    mailbox.refresh_from_db()
    assert (citizen.idno, citizen.email, citizen.phone) == ("", "", "37369123456")
    assert company.idno == VALID_IDNO and mailbox.email == "birou@example.md"


@pytest.mark.parametrize("shared", [{"email": "familia@example.md"}, {"phone": "069123456"}])
def test_a_shared_mailbox_or_phone_does_not_merge_two_people(in_prov_a: Tenants,
                                                            shared: dict[str, str]) -> None:
    """A requester with their own IDNP is somebody else than the contact that holds another
    IDNP, even if they write from the family's mailbox or call from its phone."""
    parent = contact_resolve(requester=Requester(name="Părinte", idnp=VALID_IDNP, **shared))
    child = contact_resolve(requester=Requester(name="Copil", idnp=OTHER_IDNP, **shared))
    assert child != parent
    assert (child.idnp, child.name) == (OTHER_IDNP, "Copil")
    parent.refresh_from_db()
    assert (parent.idnp, parent.name) == (VALID_IDNP, "Părinte")


def test_two_companies_behind_one_switchboard_stay_two(in_prov_a: Tenants) -> None:
    first = contact_resolve(requester=Requester(name="SRL A", idno=VALID_IDNO,
                                                phone="022 25 15 15"))
    second = contact_resolve(requester=Requester(name="SRL B", idno=OTHER_IDNO,
                                                 phone="022 25 15 15"))
    assert second != first and (second.idno, second.kind) == (OTHER_IDNO, "company")
    first.refresh_from_db()
    assert (first.idno, first.name) == (VALID_IDNO, "SRL A")


def test_registration_uses_the_recognised_contact(
        access_as: Callable[[str], TicketAccess], new_ticket: Callable[..., Ticket]) -> None:
    operator = access_as(TenantRole.L1_OPERATOR)
    first = new_ticket(operator, requester=Requester(name="Ion", phone="+373 69 123 456"))
    second = new_ticket(operator, requester=Requester(phone="069 123 456"))
    assert first.contact_id == second.contact_id
    with pytest.raises(InvalidInput) as refused:
        new_ticket(operator, requester=Requester(name="Ion", phone="nu are"))
    assert refused.value.code == "invalid_phone"
    assert Ticket.objects.count() == 2 and Contact.objects.count() == 1
