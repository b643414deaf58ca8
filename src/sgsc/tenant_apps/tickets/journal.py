"""The ticket journal (invariant 2; R4 §17, §23-24): append, correct, and replay.

Values are stored as the ticket stores them (ids, codes, ISO moments) so that replaying the
entries up to a moment gives the ticket exactly as it was recorded then. A correction is a new
entry that annuls an earlier one: from the correction's moment on, the replay uses the
correction's values in place of the annulled entry's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from sgsc.shared_apps.identity.models import User
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket
from sgsc.tenant_apps.tickets.search_index import document_vector

# The ticket's fields the journal follows; a replay gives exactly these.
TRACKED_FIELDS = (
    "number", "channel", "contact_id", "subject", "title", "description", "status", "level",
    "impact", "urgency", "priority_id", "category_id", "service_id", "institution_id",
    "queue_id", "team_id", "assignee_id", "response_due_at", "resolution_due_at",
    "level_due_at",
)
# What a correction may put right: the registered data, never the workflow's own fields.
CORRECTABLE_FIELDS = frozenset({
    "channel", "contact_id", "subject", "title", "description", "impact", "urgency",
    "priority_id", "category_id", "service_id", "institution_id",
})


def stored(value: Any) -> Any:
    """A field value in the journal's JSON form; a moment in UTC, as the database gives it
    back, so that one moment is always one string (replay and diff compare strings)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def snapshot(ticket: Ticket) -> dict[str, Any]:
    return {name: stored(getattr(ticket, name)) for name in TRACKED_FIELDS}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [before.get(name), value] for name, value in after.items()
            if before.get(name) != value}


def journal_append(*, ticket: Ticket, kind: str, actor: User | None,
                   changes: dict[str, list[Any]] | None = None, body: str = "",
                   reason: str = "", visibility: str = JournalEntry.Visibility.INTERNAL,
                   annuls: JournalEntry | None = None, at: datetime | None = None,
                   actor_label: str = "") -> JournalEntry:
    """Append one entry; the caller holds the ticket's row lock (``select_for_update``) and
    saves the ticket, whose ``journal_length`` gives the entry its place. ``actor_label``
    names a system actor (a job, the data exchange) when there is no person."""
    ticket.journal_length += 1
    text = " ".join(part for part in (body, reason) if part)
    entry = JournalEntry(
        ticket=ticket, seq=ticket.journal_length, at=at or timezone.now(), actor=actor,
        actor_label=(actor.get_full_name() or actor.email) if actor is not None else actor_label,
        kind=kind, visibility=visibility, changes=changes or {}, body=body, reason=reason,
        annuls=annuls,
        search_vector=document_vector(text) if text else None,
    )
    entry.save(force_insert=True)
    return entry


def replay(entries: list[JournalEntry], *, until: datetime | None = None) -> dict[str, Any]:
    """The tracked fields as recorded at ``until`` (all entries when ``None``).

    ``entries`` are one ticket's, in ``seq`` order. A correction takes effect at its own
    place: it holds the values it put right and those derived from them (the priority, the
    deadlines), which entries after the annulled one may have set too; before its moment the
    annulled values stand, as they were recorded then.
    """
    state: dict[str, Any] = dict.fromkeys(TRACKED_FIELDS)
    for entry in entries:
        if until is not None and entry.at > until:
            continue
        for name, (_before, after) in entry.changes.items():
            state[name] = after
    return state
