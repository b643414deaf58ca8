"""``{{ call.caller|phone }}``, ``{{ call|citizen }}`` (the other party's number),
``{{ call|line_label }}`` and ``{{ call.talk_seconds|mmss }}``."""

from __future__ import annotations

from django import template

from sgsc.tenant_apps.telephony import display
from sgsc.tenant_apps.telephony.models import Call

register = template.Library()


@register.filter
def phone(number: str) -> str:
    return display.phone_display(number)


@register.filter
def citizen(call: Call) -> str:
    return display.phone_display(display.citizen_number(call))


@register.filter
def line_label(call: Call) -> str:
    return display.line_label(call)


@register.filter
def mmss(seconds: int | None) -> str:
    return display.minutes_seconds(seconds)
