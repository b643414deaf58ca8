"""Writes of the national calendar exceptions; every change and every refusal is audited.

An exception is recorded only where it changes something: a rest day on a day that would
otherwise be worked, a working day on a weekend day or a public holiday. Each names the legal
act that decided it. The calendar is read from the database on every use, so a change counts
in every process at once (see ``selectors``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, NoReturn

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sgsc.platform.errors import ApplicationError, Conflict, InvalidInput, NotFound
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.workdays.calendar import FIRST_YEAR, LAST_YEAR, WorkCalendar
from sgsc.shared_apps.workdays.models import CalendarException

_TEXT_LIMIT = 500
_OBJECT_TYPE = "calendar_exception"


def _refuse(error: ApplicationError, *, action: str, day: date | None,
            details: dict[str, Any], actor: User | None) -> NoReturn:
    """Record the refused change (its own transaction, nothing else written) and raise."""
    audit_record(action=action, outcome=AuditEvent.Outcome.FAILURE, actor=actor, tenant=None,
                 object_type=_OBJECT_TYPE, object_id=day.isoformat() if day else "",
                 details={**details, "code": error.code})
    raise error


def _check_day(day: date) -> ApplicationError | None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return InvalidInput(
            _("Data trebuie să fie între anii %(first)s și %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="invalid_date", fields={"date": [_("Dată în afara calendarului.")]})
    return None


def _check_new(*, day: date, kind: str, legal_act: str, note: str) -> ApplicationError | None:
    """The first reason the exception cannot be recorded, or ``None``."""
    if kind not in CalendarException.Kind.values:
        return InvalidInput(_("Tipul excepției nu este cunoscut."), code="invalid_kind",
                            fields={"kind": [_("Valoare nepermisă.")]})
    day_error = _check_day(day)
    if day_error is not None:
        return day_error
    if not legal_act:
        return InvalidInput(_("Indicați actul normativ care a decis excepția."),
                            code="legal_act_required",
                            fields={"legal_act": [_("Câmp obligatoriu.")]})
    too_long = [name for name, value in (("legal_act", legal_act), ("note", note))
                if len(value) > _TEXT_LIMIT]
    if too_long:
        return InvalidInput(_("Textul este prea lung."), code="too_long",
                            fields={name: [_("Cel mult 500 de caractere.")] for name in too_long})
    if CalendarException.objects.filter(date=day).exists():
        return _exists(day)
    regular = WorkCalendar().is_regular_working_day(day)
    if kind == CalendarException.Kind.REST_DAY and not regular:
        return InvalidInput(
            _("%(day)s nu este oricum zi lucrătoare: excepția nu este necesară.")
            % {"day": day.strftime("%d.%m.%Y")},
            code="exception_not_needed", fields={"date": [_("Zi deja nelucrătoare.")]})
    if kind == CalendarException.Kind.WORKING_DAY and regular:
        return InvalidInput(
            _("%(day)s este oricum zi lucrătoare: excepția nu este necesară.")
            % {"day": day.strftime("%d.%m.%Y")},
            code="exception_not_needed", fields={"date": [_("Zi deja lucrătoare.")]})
    return None


def _exists(day: date) -> Conflict:
    return Conflict(_("Pentru %(day)s există deja o excepție.")
                    % {"day": day.strftime("%d.%m.%Y")},
                    code="exception_exists", fields={"date": [_("Excepție deja înregistrată.")]})


def calendar_exception_add(*, day: date, kind: str, legal_act: str, note: str = "",
                           actor: User | None = None) -> CalendarException:
    """Record a national exception: a weekday declared a rest day, or a rest day declared
    working, with the legal act that decided it."""
    legal_act, note = legal_act.strip(), note.strip()
    details = {"date": day.isoformat(), "kind": kind, "legal_act": legal_act, "note": note}
    action = "calendar.exception.add"
    error = _check_new(day=day, kind=kind, legal_act=legal_act, note=note)
    if error is not None:
        _refuse(error, action=action, day=day, details=details, actor=actor)
    try:
        with transaction.atomic():
            row = CalendarException.objects.create(date=day, kind=kind, legal_act=legal_act,
                                                   note=note, created_by=actor)
            audit_record(action=action, actor=actor, tenant=None, object_type=_OBJECT_TYPE,
                         object_id=day.isoformat(), details=details)
    except IntegrityError:  # recorded concurrently by someone else
        _refuse(_exists(day), action=action, day=day, details=details, actor=actor)
    return row


def calendar_exception_remove(*, day: date, actor: User | None = None) -> None:
    """Remove the exception of ``day``; the day follows the law again."""
    action = "calendar.exception.remove"
    with transaction.atomic():
        row = CalendarException.objects.select_for_update().filter(date=day).first()
        if row is not None:
            details = {"date": day.isoformat(), "kind": row.kind, "legal_act": row.legal_act,
                       "note": row.note}
            row.delete()
            audit_record(action=action, actor=actor, tenant=None, object_type=_OBJECT_TYPE,
                         object_id=day.isoformat(), details=details)
            return
    _refuse(NotFound(_("Pentru %(day)s nu există nicio excepție.")
                     % {"day": day.strftime("%d.%m.%Y")}, code="exception_not_found"),
            action=action, day=day, details={"date": day.isoformat()}, actor=actor)
