"""How the calls' pages write numbers and durations (the template filters in
``templatetags/call_format.py`` and the intake's prefill use the same functions)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sgsc.tenant_apps.telephony.models import Call


def citizen_number(call: Call) -> str:
    """The number at the citizen's end as stored: who called in, or who was called out."""
    return call.caller if call.direction == Call.Direction.INBOUND else call.callee


def phone_display(number: str) -> str:
    """A stored number (digits with the country code) as ``+37369123456``; a caller id the
    PBX sent in another form is shown as sent, a withheld one says so."""
    if not number:
        return _("număr ascuns")
    return f"+{number}" if number.isascii() and number.isdigit() else number


def line_label(call: Call) -> str:
    """The line's name, or the number dialled when it is not a configured line."""
    if call.line is not None:
        return call.line.name
    return phone_display(call.callee if call.direction == Call.Direction.INBOUND
                         else call.caller)


def minutes_seconds(seconds: int | None) -> str:
    """Seconds as minutes and seconds, ``02:50``."""
    minutes, rest = divmod(int(seconds or 0), 60)
    return f"{minutes:02d}:{rest:02d}"

