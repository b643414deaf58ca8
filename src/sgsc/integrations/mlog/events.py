"""From our audit events to MLog events, and from MLog events to request bodies.

MLog's register call (egov4dev, guides/mlog "API references" and "Examples") takes one JSON
object or a batch of JSON objects, one after the other separated by a new line (AGE's own
.NET client, Egov.Integrations.MLog, joins the events with a line break); the whole message
may not exceed 256 KB (413). Each event has the predefined fields ``event_time`` and
``event_type`` (mandatory), ``event_id``, ``event_correlation``, ``event_level``,
``event_source``, ``event_message``, ``event_details``, ``legal_entity``, ``legal_basis``,
``legal_reason``, ``user`` (an IDNP), ``user_address``, ``subject*`` and ``object*``; other
fields are allowed and stored as strings (names starting with ``_`` or ``@`` are reserved).
Every string is at most 32,766 bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC
from typing import Any, TypeVar

from sgsc.shared_apps.audit.models import AuditEvent

# MLog recommends event types "System.X.Y" where System names the information system
# (its example: MPass.User.Authenticated); ours is SGSC.
EVENT_TYPE_PREFIX = "SGSC"
# Actions whose MLog type is not derived from the action's name. A key with an outcome
# applies to that outcome only. MLog treats a type containing "PersonalData" as an access to
# personal data; its recommended actions are Access, Export, Validate, Search, Transfer.
EVENT_TYPES: dict[tuple[str, str | None], str] = {
    ("auth.login", AuditEvent.Outcome.SUCCESS): "User.Login",
    ("auth.login", AuditEvent.Outcome.FAILURE): "User.LoginFailed",
    ("auth.logout", None): "User.Logout",
    ("access.denied", None): "Access.Denied",
    ("access.refused", None): "Access.Refused",
    ("personal_data.view", None): "PersonalData.Access",
    ("personal_data.export", None): "PersonalData.Export",
}
# Details keys that have a predefined MLog field of the same name (e.g. what a personal
# data view records: whose data, on which legal basis).
PASSTHROUGH_FIELDS = ("legal_basis", "legal_reason", "subject", "subject_type", "subject_name",
                      "object_name")
# MLog's limit for one string, in bytes.
STRING_MAX_BYTES = 32_766
PASSTHROUGH_MAX_CHARS = 1024
# Batches: the events of one request are separated by this.
SEPARATOR = b"\n"


def _camel(words: str) -> str:
    return "".join(part.capitalize() for part in words.split("_") if part)


def event_type_for(action: str, outcome: str) -> str:
    """``auth.login`` → ``SGSC.User.Login``; others ``SGSC.<Domain>.<Action>`` from the
    action's name (``membership.roles_changed`` → ``SGSC.Membership.RolesChanged``), with
    ``Failed`` appended for a failure, so that a refused change is not counted as a change."""
    mapped = EVENT_TYPES.get((action, outcome)) or EVENT_TYPES.get((action, None))
    if mapped is not None:
        return f"{EVENT_TYPE_PREFIX}.{mapped}"
    domain, _dot, rest = action.partition(".")
    name = "".join(_camel(part) for part in rest.split(".")) or "Event"
    if outcome == AuditEvent.Outcome.FAILURE:
        name += "Failed"
    return f"{EVENT_TYPE_PREFIX}.{_camel(domain) or 'Event'}.{name}"


def event_time(event: AuditEvent) -> str:
    """MLog's datetime syntax ``YYYY-MM-ddTHH:mm:ss.SSSZ`` (UTC, milliseconds)."""
    moment = event.occurred_at.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def legal_entity_for(event: AuditEvent, *, platform_idno: str) -> str:
    """The IDNO of the institution on whose behalf the action happened: the tenant's
    institution, or the platform operator's for the platform chain."""
    institution = event.tenant.institution if event.tenant is not None else None
    return str(institution.idno) if institution is not None else platform_idno


def mlog_event_for(event: AuditEvent, *, platform_idno: str) -> dict[str, Any]:
    """The MLog event for one audit event (empty values left out, as MLog's client does)."""
    details = event.details or {}
    actor = event.actor
    fields: dict[str, Any] = {
        "event_time": event_time(event),
        "event_type": event_type_for(event.action, event.outcome),
        "event_id": f"{event.chain}:{event.sequence}",
        "event_correlation": event.request_id,
        "event_level": "info" if event.outcome == AuditEvent.Outcome.SUCCESS else "warning",
        "event_source": f"{EVENT_TYPE_PREFIX}:{event.chain}",
        "event_message": " ".join(
            part for part in (event.action, event.outcome, event.object_type,
                              event.object_id) if part),
        "event_details": json.dumps(details, ensure_ascii=False, sort_keys=True,
                                    separators=(",", ":")) if details else "",
        "legal_entity": legal_entity_for(event, platform_idno=platform_idno),
        "user": actor.idnp if actor is not None and actor.idnp else "",
        "user_label": event.actor_label,
        "user_address": event.ip or "",
        "object": event.object_id,
        "object_type": event.object_type,
        # Ours, so MLog's copy can be checked against the hash chain.
        "outcome": event.outcome,
        "hash": event.hash,
    }
    for key in PASSTHROUGH_FIELDS:
        value = details.get(key)
        if isinstance(value, str | int) and str(value):
            fields[key] = str(value)[:PASSTHROUGH_MAX_CHARS]
    if "PersonalData" in fields["event_type"]:
        fields.setdefault("subject_type", "Person")
    return {key: value for key, value in fields.items() if value not in ("", None)}


def _dumps(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()


def _json_string_bytes(text: str) -> int:
    return len(json.dumps(text, ensure_ascii=False).encode()) - 2


def _cut(text: str, budget: int) -> str:
    """The longest prefix of ``text`` whose JSON-escaped UTF-8 form fits in ``budget``."""
    cut = text.encode()[:max(budget, 0)].decode(errors="ignore")
    while cut and _json_string_bytes(cut) > budget:
        excess = _json_string_bytes(cut) - budget
        cut = cut.encode()[:max(len(cut.encode()) - excess, 0)].decode(errors="ignore")
    return cut


def event_encode(fields: dict[str, Any], *, max_bytes: int) -> bytes:
    """The event as compact JSON of at most ``max_bytes`` bytes, its details within MLog's
    string limit. Too long details are cut, and the event says so (``details_truncated``,
    ``details_bytes``: the original size), instead of blocking the queue for ever."""
    data = _dumps(fields)
    details = fields.get("event_details", "")
    if len(data) <= max_bytes and len(details.encode()) <= STRING_MAX_BYTES:
        return data
    marked = {**fields, "event_details": "", "details_truncated": "true",
              "details_bytes": str(len(details.encode()))}
    budget = min(STRING_MAX_BYTES, max_bytes - len(_dumps(marked)))
    marked["event_details"] = _cut(details, budget)
    if not marked["event_details"]:
        del marked["event_details"]
    return _dumps(marked)


T = TypeVar("T")


def batch_size(sizes: Iterable[int]) -> int:
    """Bytes of a request body made of events of these sizes."""
    sizes = list(sizes)
    return sum(sizes) + len(SEPARATOR) * max(len(sizes) - 1, 0)


def batch_body(encoded: Iterable[bytes]) -> bytes:
    return SEPARATOR.join(encoded)


def batches_split(items: Iterable[T], *, size: Callable[[T], int],
                  max_bytes: int) -> Iterator[list[T]]:
    """Consecutive batches, in order, each body at most ``max_bytes`` (an item larger than
    that on its own makes a batch by itself). Lazy: taking the first batch reads one item
    past it."""
    batch: list[T] = []
    used = 0
    for item in items:
        item_size = size(item)
        added = item_size + (len(SEPARATOR) if batch else 0)
        if batch and used + added > max_bytes:
            yield batch
            batch, used, added = [], 0, item_size
        batch.append(item)
        used += added
    if batch:
        yield batch
