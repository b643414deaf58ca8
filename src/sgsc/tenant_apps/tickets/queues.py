"""The operator's queues: which visible tickets each one holds, their filters, capped counts
and keyset pagination (fast at a million tickets: no OFFSET, no COUNT over the table).

Every queue starts from ``tickets_visible`` (hub scoping, invariant 1) and is ordered so that
a partial index of ``Ticket`` serves its first page: the due queues by deadline, the others
newest first. A search (``filters.q``) orders by relevance instead (``search.ticket_search``).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, ValidationError
from django.db import connection
from django.db.models import F, Field, Func, Q, QuerySet, Value
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.workdays.selectors import local_zone
from sgsc.tenant_apps.catalog.models import TeamMember
from sgsc.tenant_apps.sla.selectors import working_time
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.lifecycle import can_work_level
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.search import search_text_clean, ticket_search
from sgsc.tenant_apps.tickets.selectors import LIST_RELATED, tickets_visible

S = Ticket.Status
# "Due soon" also holds what falls due within this many working minutes.
DUE_SOON_WORKING_MINUTES = 4 * 60
QUEUE_COUNT_CAP = 1000
MAX_PAGE_SIZE = 200


class QueueName(StrEnum):
    MINE = "mine"
    TEAM = "team"
    UNASSIGNED = "unassigned"
    DUE_SOON = "due_soon"
    BREACHED = "breached"
    WAITING = "waiting"
    ACTIVE = "active"
    ALL = "all"


QUEUE_LABELS: dict[QueueName, Promise] = {
    QueueName.MINE: gettext_lazy("Ale mele"),
    QueueName.TEAM: gettext_lazy("Echipa mea"),
    QueueName.UNASSIGNED: gettext_lazy("Nerepartizate"),
    QueueName.DUE_SOON: gettext_lazy("Termen apropiat"),
    QueueName.BREACHED: gettext_lazy("Termen depășit"),
    QueueName.WAITING: gettext_lazy("În așteptare"),
    QueueName.ACTIVE: gettext_lazy("Toate active"),
    QueueName.ALL: gettext_lazy("Toate"),
}


@dataclass(frozen=True)
class FilterError:
    code: str  # invalid_id, invalid_choice, invalid_date, invalid_range, search_too_long, ...
    message: str


_ID_FILTERS = ("priority_id", "service_id", "category_id", "institution_id", "assignee_id",
               "team_id", "queue_id")
_MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class TicketFilters:
    """Narrowing of a queue; the query parameters are named as the fields."""

    status: str | None = None
    priority_id: int | None = None
    service_id: int | None = None
    category_id: int | None = None
    institution_id: int | None = None
    channel: str | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    queue_id: int | None = None
    level: int | None = None
    created_from: date | None = None  # calendar days in Europe/Chisinau, both included
    created_to: date | None = None
    q: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> tuple[TicketFilters, dict[str, FilterError]]:
        """The filters given in ``query`` and, per parameter, why one was refused (the refused
        ones are left out of the filters)."""
        values: dict[str, Any] = {}
        errors: dict[str, FilterError] = {}

        def given(name: str) -> str:
            return (query.get(name) or "").strip()

        for name in _ID_FILTERS:
            raw = given(name)
            if raw:
                if raw.isascii() and raw.isdigit() and 0 < int(raw) <= _MAX_ID:
                    values[name] = int(raw)
                else:
                    errors[name] = FilterError("invalid_id", _("Identificator nevalid."))
        for name, allowed in (("status", S.values), ("channel", Ticket.Channel.values),
                              ("level", ["1", "2", "3"])):
            raw = given(name)
            if raw:
                if raw in allowed:
                    values[name] = int(raw) if name == "level" else raw
                else:
                    errors[name] = FilterError("invalid_choice", _("Valoare necunoscută."))
        for name in ("created_from", "created_to"):
            raw = given(name)
            if raw:
                try:
                    values[name] = date.fromisoformat(raw)
                except ValueError:
                    errors[name] = FilterError("invalid_date",
                                               _("Data se scrie AAAA-LL-ZZ."))
        if values.get("created_from") and values.get("created_to") \
                and values["created_from"] > values["created_to"]:
            errors["created_to"] = FilterError("invalid_range",
                                               _("Sfârșitul este înaintea începutului."))
            del values["created_to"]
        try:
            values["q"] = search_text_clean(query.get("q") or "")
        except InvalidInput as refused:
            errors["q"] = FilterError(refused.code, refused.message)
        return cls(**values), errors

    def as_query(self) -> str:
        """The filters as URL query parameters (without ``?``), for links and cursors."""
        pairs = [(item.name, value.isoformat() if isinstance(value, date) else str(value))
                 for item in fields(self)
                 if (value := getattr(self, item.name)) not in (None, "")]
        return urlencode(pairs)


def filters_invalid(errors: dict[str, FilterError]) -> InvalidInput:
    """The error the API answers with: the one refusal's own code, else ``invalid_filter``."""
    codes = {error.code for error in errors.values()}
    return InvalidInput(_("Filtrele nu sunt valide."),
                        code=codes.pop() if len(codes) == 1 else "invalid_filter",
                        fields={name: [error.message] for name, error in errors.items()})


def _levels_workable(access: TicketAccess) -> list[int]:
    return [level for level in (1, 2, 3)
            if can_work_level(level=level, capabilities=access.capabilities)]


def _queue_condition(*, access: TicketAccess, queue: QueueName, now: datetime) -> Q:
    user_id = access.user.pk
    if queue is QueueName.MINE:
        return Q(assignee_id=user_id, status__in=Ticket.ACTIVE_STATUSES)
    if queue is QueueName.TEAM:
        teams = TeamMember.objects.filter(user_id=user_id).values("team_id")
        return Q(team_id__in=teams, status__in=Ticket.ACTIVE_STATUSES)
    if queue is QueueName.UNASSIGNED:
        levels = _levels_workable(access)
        condition = Q(assignee__isnull=True, status__in=Ticket.RUNNING_STATUSES)
        return condition if len(levels) == 3 else condition & Q(level__in=levels)
    if queue is QueueName.DUE_SOON:
        horizon = working_time().add(now, DUE_SOON_WORKING_MINUTES)
        return (Q(status__in=Ticket.RUNNING_STATUSES, sla_running_since__isnull=False,
                  resolution_due_at__gt=now)
                & (Q(resolution_due_at__lte=horizon) | Q(sla_warn_at__lte=now)))
    if queue is QueueName.BREACHED:
        return Q(status__in=Ticket.RUNNING_STATUSES, resolution_due_at__lte=now)
    if queue is QueueName.WAITING:
        return Q(status=S.WAITING)
    if queue is QueueName.ACTIVE:
        return Q(status__in=Ticket.ACTIVE_STATUSES)
    return Q()


_DUE_ORDER = ("resolution_due_at", "id")
_RECENT_ORDER = ("-created_at", "-id")


def _filtered(tickets: QuerySet[Ticket], filters: TicketFilters) -> QuerySet[Ticket]:
    exact = {name: getattr(filters, name) for name in (*_ID_FILTERS, "status", "channel",
                                                        "level")}
    tickets = tickets.filter(**{name: value for name, value in exact.items()
                                if value is not None})
    zone = local_zone()
    if filters.created_from is not None:
        tickets = tickets.filter(
            created_at__gte=datetime.combine(filters.created_from, time.min, tzinfo=zone))
    if filters.created_to is not None:
        tickets = tickets.filter(created_at__lt=datetime.combine(
            filters.created_to + timedelta(days=1), time.min, tzinfo=zone))
    return tickets


def ticket_queue(*, access: TicketAccess, queue: QueueName, filters: TicketFilters,
                 now: datetime) -> QuerySet[Ticket]:
    """The visible tickets of ``queue`` narrowed by ``filters``, ready for a list page
    (``ticket_page``). A search text runs the search's one query for candidates now."""
    tickets = _filtered(tickets_visible(access=access), filters).filter(
        _queue_condition(access=access, queue=queue, now=now))
    tickets = tickets.select_related(*LIST_RELATED).defer("search_vector")
    if filters.q:
        return ticket_search(tickets, filters.q)
    return tickets.order_by(*(_DUE_ORDER if queue in (QueueName.DUE_SOON, QueueName.BREACHED)
                              else _RECENT_ORDER))


def queue_counts(*, access: TicketAccess, now: datetime,
                 cap: int = QUEUE_COUNT_CAP) -> dict[QueueName, int]:
    """How many tickets each queue holds, counting at most ``cap + 1`` (a number above
    ``cap`` means "more than cap", see ``queue_count_label``): one statement for all."""
    visible = tickets_visible(access=access)
    parts: list[str] = []
    params: list[Any] = []
    names: list[QueueName] = []
    for queue in QueueName:
        tickets = visible.filter(_queue_condition(access=access, queue=queue, now=now))
        try:
            sql, query_params = tickets.order_by().values("pk")[:cap + 1].query.sql_with_params()
        except EmptyResultSet:  # e.g. no level the person may work: nothing to count
            sql, query_params = "SELECT 1 WHERE false", ()
        parts.append(f"(SELECT count(*) FROM ({sql}) AS q{len(names)})")  # noqa: S608
        params.extend(query_params)
        names.append(queue)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)  # built from the ORM
        row = cursor.fetchone()
    return dict(zip(names, row, strict=True))


def queue_count_label(count: int, cap: int = QUEUE_COUNT_CAP) -> str:
    return f"{cap}+" if count > cap else str(count)


# --- keyset pagination -------------------------------------------------------------------------


@dataclass
class Page:
    items: list[Ticket]
    next_cursor: str | None
    previous_cursor: str | None


class _Row(Func):
    """``ROW(a, b, ...)``: PostgreSQL compares rows left to right and walks a matching
    index for it, which is what a keyset page needs."""

    function = "ROW"
    output_field = Field()


MAX_CURSOR_CHARS = 1000


def _invalid_cursor() -> InvalidInput:
    return InvalidInput(_("Poziția din listă nu este validă; reîncărcați lista."),
                        code="invalid_cursor", fields={"cursor": [_("Cursor nevalid.")]})


def _ordering(queryset: QuerySet[Ticket]) -> tuple[list[str], bool]:
    """The ordering's field names and whether it is descending (one direction for all)."""
    given = list(queryset.query.order_by or queryset.model._meta.ordering or ())
    ordering = [item for item in given if isinstance(item, str)]
    if len(ordering) != len(given) or not ordering or ordering[-1] not in ("id", "-id"):
        raise ValueError("keyset pagination needs named fields ending with the id")
    descending = {item.startswith("-") for item in ordering}
    if len(descending) != 1:
        raise ValueError("keyset pagination needs one direction for every field")
    return [item.lstrip("-") for item in ordering], descending.pop()


def _encode(direction: str, names: list[str], key: tuple[Any, ...]) -> str:
    values = []
    for name, value in zip(names, key, strict=True):
        if value is None:
            raise ValueError(f"{name} is null: the queryset must exclude such rows")
        values.append(value.isoformat() if isinstance(value, datetime) else value)
    payload = json.dumps({"d": direction, "o": names, "k": values}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _decode(cursor: str, names: list[str]) -> tuple[str, list[Any]]:
    if len(cursor) > MAX_CURSOR_CHARS:
        raise _invalid_cursor()
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _invalid_cursor() from None
    if not isinstance(payload, dict) or payload.get("d") not in ("n", "p") \
            or payload.get("o") != names or not isinstance(payload.get("k"), list) \
            or len(payload["k"]) != len(names):
        raise _invalid_cursor()
    return payload["d"], [_key_value(name, value) for name, value in zip(names, payload["k"],
                                                                         strict=True)]


def _key_value(name: str, value: Any) -> Any:
    try:
        field = Ticket._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if not isinstance(field, Field):  # an annotation (the search rank): a number
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _invalid_cursor()
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _invalid_cursor()
    try:
        parsed = field.to_python(value)
    except ValidationError:
        raise _invalid_cursor() from None
    if isinstance(parsed, datetime) and parsed.utcoffset() is None:
        raise _invalid_cursor()
    if isinstance(parsed, int) and not 0 < parsed <= _MAX_ID:
        raise _invalid_cursor()
    return parsed


def ticket_page(queryset: QuerySet[Ticket], *, cursor: str | None,
                size: int = 50) -> Page:
    """One page of ``queryset`` after (or before) ``cursor``, in the queryset's ordering,
    which must name fields in one direction, end with the id and hold no nulls (the queues'
    orderings do). Two queries, whatever the depth and the number of tickets: the page's
    keys from the tickets alone, then those rows with what a list shows. (One query joining
    the list's eight related tables lets PostgreSQL choose to join the whole table first.)"""
    names, descending = _ordering(queryset)
    direction, keys = ("n", None) if not cursor else _decode(cursor, names)
    backwards = direction == "p"
    page = queryset
    if keys is not None:
        row = _Row(*(F(name) for name in names))
        bound = _Row(*(Value(key) for key in keys))
        # Rows after the key in the walking direction: forwards in the ordering or back.
        lookup = "lt" if descending != backwards else "gt"
        page = page.alias(_keyset=row).filter(**{f"_keyset__{lookup}": bound})
    if backwards:
        page = page.order_by(*(name if descending else f"-{name}" for name in names))
    found = list(page.values_list(*names)[:size + 1])
    more = len(found) > size
    found = found[:size]
    if backwards:
        found.reverse()
    if not found:
        return Page(items=[], next_cursor=None, previous_cursor=None)
    rows = Ticket.objects.select_related(*LIST_RELATED).defer("search_vector").in_bulk(
        [key[-1] for key in found])
    has_next = more if not backwards else True
    has_previous = keys is not None if not backwards else more
    return Page(items=[rows[key[-1]] for key in found],
                next_cursor=_encode("n", names, found[-1]) if has_next else None,
                previous_cursor=_encode("p", names, found[0]) if has_previous else None)
