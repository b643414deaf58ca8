"""The write side of ticket search: the document a ticket or journal entry is found by.

One ``tsvector`` per row: the text under the ``romanian`` configuration (stemming) joined with
the text folded in Python (ș/ş -> s, ț/ţ -> t, ă/â -> a, î -> i) under ``simple``, so that a
query typed with or without diacritics, cedilla or comma-below, matches on any PostgreSQL (the
embedded one has no ``unaccent``). The query side folds and searches both the same way.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector
from django.db.models import Value
from django.db.models.expressions import CombinedExpression

from sgsc.shared_apps.institutions.selectors import fold

# Long descriptions are cut: a tsvector has a 1 MB limit and the start says what matters.
MAX_DOCUMENT_CHARS = 20_000


def document_vector(text: str) -> CombinedExpression:
    text = text[:MAX_DOCUMENT_CHARS]
    folded = fold(text)
    # The folded text is also stemmed, so "stampila" finds "ştampilei" typed without diacritics.
    return (SearchVector(Value(text), config="romanian")
            + SearchVector(Value(folded), config="romanian")
            + SearchVector(Value(folded), config="simple"))


def ticket_document(*, number: str, subject: str, title: str, description: str,
                    contact_text: str) -> str:
    """What a ticket is found by: its number, texts and its requester's identifiers."""
    return " ".join(part for part in (number, subject, title, description, contact_text)
                    if part)
