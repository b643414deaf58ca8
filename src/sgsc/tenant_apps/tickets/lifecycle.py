"""The ticket's state machine: which action moves which status where, and who may do it.

Pure data and checks, no database: services apply them, pages and the API read them to
offer only the actions that are allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.tickets.models import Ticket

S = Ticket.Status


class Action(StrEnum):
    TAKE = "take"  # start work: new -> open
    WAIT = "wait"  # ask the requester; the SLA clock pauses
    RESUME = "resume"  # the requester answered; the clock runs again
    ESCALATE = "escalate"  # to the next support level
    RETURN = "return"  # the higher level hands the ticket back to L1 with its answer
    RESOLVE = "resolve"
    CLOSE = "close"  # resolved -> closed (inactive)
    REOPEN = "reopen"  # within the tenant's reopening period
    ARCHIVE = "archive"  # closed -> archived after the tenant's period (amended pt. 33)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    label: Promise


TRANSITIONS: dict[Action, Transition] = {
    Action.TAKE: Transition(frozenset({S.NEW}), S.OPEN, _("Preia în lucru")),
    Action.WAIT: Transition(frozenset({S.NEW, S.OPEN, S.ESCALATED}), S.WAITING,
                            _("Solicită informații")),
    Action.RESUME: Transition(frozenset({S.WAITING}), S.OPEN, _("Reia lucrul")),
    Action.ESCALATE: Transition(frozenset({S.NEW, S.OPEN, S.ESCALATED}), S.ESCALATED,
                                _("Escaladează")),
    # From ``open`` too: an escalated ticket that waited or was reopened is open at its level.
    Action.RETURN: Transition(frozenset({S.OPEN, S.ESCALATED}), S.OPEN,
                              _("Returnează la nivelul 1")),
    Action.RESOLVE: Transition(frozenset({S.NEW, S.OPEN, S.ESCALATED}), S.RESOLVED,
                               _("Soluționează")),
    Action.CLOSE: Transition(frozenset({S.RESOLVED}), S.CLOSED, _("Închide")),
    Action.REOPEN: Transition(frozenset({S.RESOLVED, S.CLOSED}), S.OPEN, _("Redeschide")),
    Action.ARCHIVE: Transition(frozenset({S.CLOSED}), S.ARCHIVED, _("Arhivează")),
}

# Actions that need a reason in the journal.
REASON_REQUIRED = frozenset({Action.ESCALATE, Action.RETURN, Action.REOPEN, Action.RESOLVE,
                             Action.WAIT})

LEVEL_CAPABILITY = {2: Capability.TICKETS_LEVEL2, 3: Capability.TICKETS_LEVEL3}


def can_work_level(*, level: int, capabilities: frozenset[Capability]) -> bool:
    """L1 tickets are everyone's who works tickets; L2 and L3 need their level's capability."""
    if Capability.TICKETS_WORK not in capabilities:
        return False
    required = LEVEL_CAPABILITY.get(level)
    return required is None or required in capabilities


def allowed_actions(*, ticket: Ticket, capabilities: frozenset[Capability]) -> list[Action]:
    """What this person may do with the ticket now (the pages offer exactly these)."""
    if not can_work_level(level=ticket.level, capabilities=capabilities):
        return []
    actions = [action for action, transition in TRANSITIONS.items()
               if ticket.status in transition.sources]
    if ticket.level >= 3:
        actions = [action for action in actions if action != Action.ESCALATE]
    if ticket.level == 1:
        actions = [action for action in actions if action != Action.RETURN]
    # Archiving is the periodic job's (and a supervisor's) business.
    if Capability.TICKETS_SUPERVISE not in capabilities:
        actions = [action for action in actions if action != Action.ARCHIVE]
    return actions
