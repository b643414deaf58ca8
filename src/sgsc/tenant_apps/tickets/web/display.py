"""How the pages show a ticket's recorded values: the journal keeps ids, codes and ISO moments
(``journal.stored``); people read names, labels and local times (Europe/Chisinau)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Model
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.institutions.models import Institution
from sgsc.tenant_apps.catalog.models import Category, Priority, Queue, Service, Team
from sgsc.tenant_apps.sla.selectors import SlaFigure
from sgsc.tenant_apps.tickets.journal import TRACKED_FIELDS
from sgsc.tenant_apps.tickets.models import Contact, JournalEntry, Ticket

# The tracked fields that name a row, and the model they name.
REFERENCES: dict[str, type[Model]] = {
    "contact_id": Contact, "priority_id": Priority, "category_id": Category,
    "service_id": Service, "institution_id": Institution, "queue_id": Queue, "team_id": Team,
    "assignee_id": User,
}
AS_OF_FORMAT = "%Y-%m-%dT%H:%M:%S"  # datetime-local with seconds, as ``?la=`` takes it
MOMENTS = frozenset({"response_due_at", "resolution_due_at", "level_due_at"})
# Impact and urgency: 1 is high, 3 is low (the priority matrix).
GRADES: dict[int, StrOrPromise] = {1: gettext_lazy("ridicat"), 2: gettext_lazy("mediu"),
                                   3: gettext_lazy("scăzut")}
SLA_STATES: dict[str, StrOrPromise] = {
    "running": gettext_lazy("în termen"),
    "warning": gettext_lazy("aproape de termen"),
    "breached": gettext_lazy("termen depășit"),
    "paused": gettext_lazy("suspendat"),
    "stopped": gettext_lazy("oprit"),
}


def field_label(name: str) -> str:
    """The ticket field's own name (``service_id`` reads as the service field's)."""
    field = Ticket._meta.get_field(name.removesuffix("_id"))
    return str(getattr(field, "verbose_name", name))


def local_moment(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return formats.date_format(timezone.localtime(moment), "d.m.Y H:i")


def working_duration(minutes: int) -> str:
    """Working time as hours:minutes, e.g. ``12:05`` or ``-0:30`` once past the term."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{rest:02d}"


@dataclass(frozen=True)
class SlaView:
    """The one SLA figure (``sla.selectors.sla_figure``) as the pages print it."""

    state: str
    state_label: str
    remaining: str
    elapsed: str
    target: str
    percent: int
    due_at: str

    @classmethod
    def of(cls, figure: SlaFigure) -> SlaView:
        return cls(state=figure.state, state_label=str(SLA_STATES[figure.state]),
                   remaining=working_duration(figure.remaining_minutes),
                   elapsed=working_duration(figure.elapsed_minutes),
                   target=working_duration(figure.target_minutes),
                   percent=figure.percent, due_at=local_moment(figure.due_at))

    @property
    def bar_percent(self) -> int:
        return min(self.percent, 100)


class ValueLabels:
    """Labels of the (field, value) pairs of some journal changes or replayed states, with
    one query per kind of row they name, whatever their number."""

    def __init__(self, values: Iterable[tuple[str, Any]]) -> None:
        wanted: dict[str, set[Any]] = {}
        for name, value in values:
            if name in REFERENCES and value is not None:
                wanted.setdefault(name, set()).add(value)
        self._rows: dict[str, dict[Any, Model]] = {
            name: REFERENCES[name]._default_manager.in_bulk(ids)
            for name, ids in wanted.items()}

    def label(self, name: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if name in REFERENCES:
            row = self._rows.get(name, {}).get(value)
            if row is None:
                return _("#%(id)s (șters)") % {"id": value}
            if isinstance(row, User):
                return row.get_full_name() or row.email
            return str(getattr(row, "name", None) or row)
        if name in MOMENTS:
            return local_moment(datetime.fromisoformat(value))
        if name == "status":
            return str(Ticket.Status(value).label) if value in Ticket.Status.values else value
        if name == "channel":
            return str(Ticket.Channel(value).label) if value in Ticket.Channel.values else value
        if name in ("impact", "urgency"):
            return str(GRADES.get(value, value))
        return str(value)


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class TimelineRow:
    entry: JournalEntry
    changes: list[Change]
    annulled_by: int | None  # the seq of the correction that annulled this entry
    annuls: int | None  # the seq of the entry this correction annuls

    @property
    def kind_label(self) -> str:
        return str(JournalEntry.Kind(self.entry.kind).label)

    @property
    def as_of(self) -> str:
        """The ``?la=`` of the ticket just after this entry (to the second, rounded up)."""
        after = timezone.localtime(self.entry.at).replace(microsecond=0) + timedelta(seconds=1)
        return after.strftime(AS_OF_FORMAT)


def timeline(entries: list[JournalEntry]) -> list[TimelineRow]:
    """The journal as the ticket page prints it; ``entries`` are one ticket's, in order (a
    correction annuls only an earlier entry of the list)."""
    labels = ValueLabels((name, value) for entry in entries
                         for name, pair in entry.changes.items() for value in pair)
    annulled = {entry.annuls_id: entry.seq for entry in entries if entry.annuls_id}
    seq_of = {entry.pk: entry.seq for entry in entries}
    return [
        TimelineRow(
            entry=entry,
            changes=[Change(field_label(name), labels.label(name, entry.changes[name][0]),
                            labels.label(name, entry.changes[name][1]))
                     for name in TRACKED_FIELDS if name in entry.changes],
            annulled_by=annulled.get(entry.pk),
            annuls=seq_of.get(entry.annuls_id) if entry.annuls_id else None,
        )
        for entry in entries
    ]


def state_rows(state: dict[str, Any]) -> list[tuple[str, str]]:
    """A replayed state (``ticket_as_of``) as label and value pairs, in the journal's order."""
    labels = ValueLabels(state.items())
    return [(field_label(name), labels.label(name, state.get(name))) for name in TRACKED_FIELDS]
