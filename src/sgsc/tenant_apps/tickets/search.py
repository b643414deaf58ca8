"""The read side of ticket search (the write side is ``search_index``): full text over the
tickets and their journal, plus exact lookups by number, IDNP, IDNO, phone and e-mail.

What a person types is only ever words: each whitespace-separated word goes through
``plainto_tsquery`` (never ``to_tsquery``), so operators and SQL characters are plain text.
A word matches when any of its forms does: the Romanian stem of the word as typed, of its
cedilla and comma-below spellings (the ``romanian`` stemmer keeps ş and ș apart) and of its
folded form, or the folded word itself under ``simple`` (the document's folded half). The
words of a query must all match.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.institutions.selectors import fold
from sgsc.tenant_apps.tickets.contacts import phone_normalize
from sgsc.tenant_apps.tickets.models import Contact, JournalEntry, Ticket, TicketCounter

MAX_SEARCH_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WORD = re.compile(r"[^\W_]")  # a letter or a digit: what the text parser makes a word of
_COMMA_TO_CEDILLA = str.maketrans("șțȘȚ", "şţŞŢ")
_CEDILLA_TO_COMMA = str.maketrans("şţŞŢ", "șțȘȚ")
_NUMBER = re.compile(r"[A-Za-z0-9]{1,12}-\d{4}-\d{1,9}")
_PHONE = re.compile(r"\+?[\d\s().-]{8,25}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# An exact hit ranks above any full-text one (normalisation 32 keeps those below 1).
_EXACT_RANK = 1.0
_RANK_NORMALISATION = 32
# Up to this many matches are ordered by relevance (ts_rank reads each one's vector).
RANKED_MATCHES = 1000


def search_text_clean(text: str) -> str:
    """The search text with its whitespace collapsed; empty means no search. Refused when too
    long (``search_too_long``) or without a single word (``invalid_search``)."""
    text = _CONTROL.sub(" ", text.encode("utf-8", "replace").decode())
    text = " ".join(text.split())
    if len(text) > MAX_SEARCH_CHARS:
        raise InvalidInput(_("Textul căutat are cel mult %(limit)d caractere.")
                           % {"limit": MAX_SEARCH_CHARS}, code="search_too_long",
                           fields={"q": [_("Text prea lung.")]})
    if text and not _WORD.search(text):
        raise InvalidInput(_("Căutați cel puțin un cuvânt sau un număr."),
                           code="invalid_search", fields={"q": [_("Niciun cuvânt de căutat.")]})
    return text


def _word_query(word: str) -> SearchQuery:
    folded = fold(word)
    query = SearchQuery(folded, config="simple")
    for form in dict.fromkeys((word, word.translate(_COMMA_TO_CEDILLA),
                               word.translate(_CEDILLA_TO_COMMA), folded)):
        query |= SearchQuery(form, config="romanian")
    return query


def search_query(text: str) -> SearchQuery:
    """The ``tsquery`` of a cleaned, non-empty search text: every word, in any of its forms."""
    words = [word for word in text.split() if _WORD.search(word)]
    query = _word_query(words[0])
    for word in words[1:]:
        query &= _word_query(word)
    return query


def _exact(text: str) -> Q | None:
    """Tickets the text names exactly: by number (or its sequence alone), or by their
    requester's IDNP, IDNO, phone or e-mail."""
    compact = re.sub(r"\s+", "", text)
    ticket = Q()
    contact = Q()
    if _NUMBER.fullmatch(compact):
        ticket |= Q(number=compact.upper())
    elif compact.isascii() and compact.isdigit():
        if len(compact) <= 9:
            # The sequence in any year that has tickets (the counter has one row per year).
            ticket |= Q(year__in=TicketCounter.objects.values("year"), sequence=int(compact))
        if len(compact) == 13:
            contact |= Q(idnp=compact) | Q(idno=compact)
    if _PHONE.fullmatch(text):
        try:
            phone = phone_normalize(text)
        except InvalidInput:
            phone = ""
        if phone:
            contact |= Q(phone=phone)
    if _EMAIL.fullmatch(compact):
        contact |= Q(email=compact.lower())
    if contact:
        ticket |= Q(contact_id__in=Contact.objects.filter(contact).values("pk"))
    return ticket or None


def ticket_search(queryset: QuerySet[Ticket], q: str) -> QuerySet[Ticket]:
    """Those of ``queryset`` matching ``q`` in their text, their journal's replies and notes,
    or exactly by an identifier, in ``search_rank`` order: exact hits first, then by
    relevance, then newest first. When more than ``RANKED_MATCHES`` tickets match (a common
    word), ranking would read every one of them: they come newest first after the exact
    hits. ``q`` is cleaned here too (``search_text_clean``); an empty one changes nothing.
    Runs one query to find the candidates."""
    text = search_text_clean(q)
    if not text:
        return queryset
    query = search_query(text)
    # A union of small index scans (the GIN indexes, the number and contact indexes): an OR
    # over the ticket's own columns and subqueries would read the whole table.
    candidates: list[QuerySet[Any, Any]] = [
        Ticket.objects.filter(search_vector=query).order_by().values_list("pk"),
        JournalEntry.objects.filter(search_vector=query).order_by().values_list("ticket_id")]
    exact = _exact(text)
    if exact is not None:
        candidates.append(Ticket.objects.filter(exact).order_by().values_list("pk"))
    # UNION ALL stops at the limit (a ticket found twice counts twice: that only errs
    # towards the newest-first order).
    found = list(candidates[0].union(*candidates[1:], all=True)[:RANKED_MATCHES + 1])
    rank: Cast | Case | Value
    if len(found) <= RANKED_MATCHES:
        # In double precision: a cursor holds the rank as a Python float, which must compare
        # equal to the row's own (a ``real`` read back as text would not).
        rank = Cast(SearchRank(F("search_vector"), query,
                               normalization=Value(_RANK_NORMALISATION)), FloatField())
        tickets = queryset.filter(pk__in={pk for (pk,) in found})
    else:
        # Checked row by row while walking the newest first: with a common word the first
        # page is reached after a few hundred rows, without collecting every match.
        rank = Value(0.0)
        condition = Q(search_vector=query) | Exists(
            JournalEntry.objects.filter(ticket=OuterRef("pk"), search_vector=query))
        tickets = queryset.filter(condition | exact if exact is not None else condition)
    if exact is not None:
        rank = Case(When(exact, then=Value(_EXACT_RANK)), default=rank,
                    output_field=FloatField())
    return tickets.annotate(search_rank=rank).order_by("-search_rank", "-created_at", "-id")
