"""Ticket search: Romanian stemming, diacritics in both spellings, the journal, exact lookups,
and input that must never break the query."""

from __future__ import annotations

import pytest

from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.tickets import search
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.search import search_text_clean, ticket_search
from sgsc.tenant_apps.tickets.services import ticket_reply
from tests.tenant_apps.tickets.conftest import VALID_IDNP

pytestmark = pytest.mark.django_db

VALID_IDNO = "1003600150440"


def _found(q: str) -> set[int]:
    return set(ticket_search(Ticket.objects.all(), q).values_list("pk", flat=True))


@pytest.fixture
def operator(access_as):  # type: ignore[no-untyped-def]
    return access_as(TenantRole.L1_OPERATOR)


def test_stemming_and_both_spellings_of_s_and_t(operator, new_ticket) -> None:  # type: ignore[no-untyped-def]
    cedilla = new_ticket(operator, title="Secţia de înregistrare a pierdut ştampila")
    comma = new_ticket(operator, title="Certificatul de naștere nu a fost eliberat")
    new_ticket(operator, title="Altă problemă")
    assert _found("secția") == {cedilla.pk}  # comma-below finds the cedilla spelling
    assert _found("ștampila") == {cedilla.pk}
    assert _found("sectia") == {cedilla.pk}  # no diacritics at all
    assert _found("inregistrare") == {cedilla.pk}
    assert _found("certificat") == {comma.pk}  # "certificatul" stems to it
    assert _found("certificatele") == {comma.pk}
    assert _found("naştere") == {comma.pk}  # cedilla finds the comma-below spelling
    assert _found("nastere") == {comma.pk}
    assert _found("certificat ştampila") == set()  # every word must match
    assert _found("CERTIFICAT   eliberat") == {comma.pk}


def test_replies_and_notes_are_searched(operator, new_ticket) -> None:  # type: ignore[no-untyped-def]
    replied = new_ticket(operator, title="Întrebare")
    noted = new_ticket(operator, title="Altă întrebare")
    ticket_reply(access=operator, ticket_id=replied.pk, body="Parola a fost resetată",
                 public=True)
    ticket_reply(access=operator, ticket_id=noted.pk, body="Verificat în registrul fiscal",
                 public=False)
    assert _found("parola") == {replied.pk}
    assert _found("registrului fiscală") == {noted.pk}
    assert _found("intrebare") == {replied.pk, noted.pk}


def test_exact_lookups_come_first(operator, new_ticket) -> None:  # type: ignore[no-untyped-def]
    citizen = new_ticket(operator, requester=Requester(name="Ana Rusu", idnp=VALID_IDNP,
                                                       phone="+373 69 111 222",
                                                       email="ana.rusu@example.md"))
    company = new_ticket(operator, requester=Requester(name="SRL Test", idno=VALID_IDNO))
    other = new_ticket(operator, title=f"Mențiune despre {citizen.number}")
    assert _found(citizen.number.lower()) >= {citizen.pk}
    assert ticket_search(Ticket.objects.all(), citizen.number)[0].pk == citizen.pk
    assert _found(str(company.sequence)) == {company.pk}  # the number without prefix and year
    assert _found(VALID_IDNP) == {citizen.pk}
    assert _found(VALID_IDNO) == {company.pk}
    assert _found("069111222") == {citizen.pk}
    assert _found("+373 69 111 222") == {citizen.pk}
    assert _found("Ana.Rusu@Example.md") == {citizen.pk}
    assert other.pk not in _found(VALID_IDNP)


@pytest.mark.parametrize("text", [
    "'; DROP TABLE tickets_ticket; --", "certificat & !naștere | (x:*)", "a<->b",
    "certificat\\", "_x_",
    "\"certificat\" -naștere OR x", "100%", "x' OR '1'='1", "ţ:*", "nul\x00byte", "ab\\'c",
])
def test_operators_and_sql_characters_are_plain_words(operator, new_ticket, text) -> None:  # type: ignore[no-untyped-def]
    new_ticket(operator, title="Certificatul de naștere")
    list(ticket_search(Ticket.objects.all(), text))  # no error, whatever it finds


@pytest.mark.parametrize("text", ["&|!():*", "--", "' ;", "\\ \\", "_"])
def test_a_query_without_words_is_refused(text) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as refused:
        search_text_clean(text)
    assert refused.value.code == "invalid_search"


def test_length_is_capped() -> None:
    assert search_text_clean("  a " * 60) == " ".join(["a"] * 60)
    with pytest.raises(InvalidInput) as refused:
        search_text_clean("a" * 201)
    assert refused.value.code == "search_too_long"


def test_search_takes_two_queries(operator, new_ticket, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        new_ticket(operator, requester=Requester(idnp=VALID_IDNP))
    with assert_max_queries(2):  # the candidates, then the tickets
        assert len(list(ticket_search(Ticket.objects.all(), VALID_IDNP))) == 3


def test_many_matches_come_newest_first_after_exact_hits(operator, new_ticket,  # type: ignore[no-untyped-def]
                                                         monkeypatch) -> None:
    # The oldest mentions the word most: by relevance it comes first, by recency last.
    tickets = [new_ticket(operator, title="Certificat " + "certificat " * (3 - n))
               for n in range(4)]
    by_relevance = [ticket.pk for ticket in tickets]
    assert [t.pk for t in ticket_search(Ticket.objects.all(), "certificat")] == by_relevance
    monkeypatch.setattr(search, "RANKED_MATCHES", 2)
    assert [t.pk for t in ticket_search(Ticket.objects.all(), "certificat")] == by_relevance[::-1]
    found = [t.pk for t in ticket_search(Ticket.objects.all(), f"{tickets[1].number}")]
    assert found[0] == tickets[1].pk
