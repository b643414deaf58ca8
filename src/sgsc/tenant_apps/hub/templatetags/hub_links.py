"""``{{ institution.pk|queue_link }}``: the operators' queue of one institution."""

from __future__ import annotations

from django import template

from sgsc.tenant_apps.hub import links

register = template.Library()


@register.filter
def queue_link(institution_id: int) -> str:
    return links.queue_link(institution_id)
