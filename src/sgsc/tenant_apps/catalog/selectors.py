"""Reads of the tenant's support configuration; call inside the tenant's schema."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.institutions.selectors import fold
from sgsc.tenant_apps.catalog.models import Priority, PriorityRule, Queue, RoutingRule, Service


def priority_for(*, impact: int, urgency: int) -> Priority:
    """The matrix cell's priority; 1 is high, 3 is low on both axes."""
    if impact not in (1, 2, 3) or urgency not in (1, 2, 3):
        raise InvalidInput(_("Impactul și urgența sunt valori de la 1 la 3."),
                           code="invalid_priority_input",
                           fields={"impact": [_("Valoare între 1 și 3.")]})
    rule = PriorityRule.objects.select_related("priority").filter(
        impact=impact, urgency=urgency).first()
    if rule is not None:
        return rule.priority
    # A matrix with a missing cell falls back to the least urgent priority, never to none.
    fallback = Priority.objects.order_by("-rank").first()
    if fallback is None:
        raise InvalidInput(_("Prestatorul nu are priorități configurate."),
                           code="no_priorities")
    return fallback


def service_get_by_code(*, code: str) -> Service:
    service = Service.objects.select_related("group").filter(code=code, is_active=True).first()
    if service is None:
        raise InvalidInput(_("Serviciul „%(code)s” nu există în catalog.") % {"code": code},
                           code="unknown_service", fields={"service": [_("Serviciu necunoscut.")]})
    return service


@dataclass(frozen=True)
class Route:
    queue: Queue | None
    rule_id: int | None


def routing_decide(*, channel: str, service_id: int | None, institution_id: int | None,
                   text: str) -> Route:
    """The first active rule (by position) whose every given condition holds: channel,
    service, institution, and any one of its keywords in the text (diacritics ignored)."""
    folded = fold(text)
    rules = (RoutingRule.objects.filter(is_active=True, queue__is_active=True)
             .select_related("queue", "queue__team").order_by("position", "pk"))
    for rule in rules:
        if rule.channel and rule.channel != channel:
            continue
        if rule.service_id is not None and rule.service_id != service_id:
            continue
        if rule.institution_id is not None and rule.institution_id != institution_id:
            continue
        if rule.keywords and not any(fold(str(word)) in folded for word in rule.keywords):
            continue
        return Route(queue=rule.queue, rule_id=rule.pk)
    return Route(queue=None, rule_id=None)
