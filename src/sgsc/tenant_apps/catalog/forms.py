"""Forms of the configuration pages. They check types only and offer what may be chosen; the
services judge every value (and audit each refusal), so a forged choice still reaches them.
Each form's cleaned data are the keyword arguments of its service's input."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from sgsc.shared_apps.identity.models import Membership
from sgsc.tenant_apps.catalog.config_selectors import (
    current_tenant,
    external_tenants_allowed,
    institutions_allowed,
)
from sgsc.tenant_apps.catalog.models import (
    Category,
    Priority,
    Queue,
    Service,
    ServiceGroup,
    Team,
)
from sgsc.tenant_apps.catalog.services import MATRIX_LEVELS, matrix_field
from sgsc.tenant_apps.sla.clock import Period
from sgsc.tenant_apps.tickets.models import Ticket

BLANK = "—"
_DURATION = re.compile(r"^\s*(\d{1,5})(?::([0-5]\d))?\s*$")


class PickField(forms.TypedChoiceField):
    """Offers the rows one may choose; any id reaches the service, which judges it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, empty_value=None, required=False, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit()


class PicksField(forms.TypedMultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, empty_value=[], required=False, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit()


class WorkingDurationField(forms.CharField):
    """Working hours and minutes ("8:30", or "8" for whole hours), cleaned to minutes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, max_length=9, help_text=_("ore:minute lucrătoare, "
                                                                  "de exemplu 8:30"), **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return f"{value // 60}:{value % 60:02d}"
        return value

    def clean(self, value: Any) -> int | None:
        text = str(super().clean(value) or "")
        if not text:
            return None
        matched = _DURATION.match(text)
        if matched is None:
            raise forms.ValidationError(_("Scrieți ore:minute, de exemplu 8:30."),
                                        code="invalid_duration")
        return int(matched[1]) * 60 + int(matched[2] or 0)


class KeywordsField(forms.CharField):
    """Words separated by commas (or lines), cleaned to a list."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(word) for word in value)
        return value

    def clean(self, value: Any) -> list[str]:
        text = str(super().clean(value) or "")
        return [word.strip() for word in re.split(r"[,\n]", text) if word.strip()]


def _text(label: StrOrPromise, *, limit: int = 255, required: bool = False,
          rows: int = 0, help_text: StrOrPromise = "") -> forms.CharField:
    # No max_length here: the service refuses a long text with its code.
    attrs: dict[str, Any] = {"maxlength": limit}
    if required:
        attrs["required"] = True
    widget = (forms.Textarea(attrs={**attrs, "rows": rows}) if rows
              else forms.TextInput(attrs=attrs))
    return forms.CharField(label=label, required=False, widget=widget, help_text=help_text)


def _number(label: StrOrPromise, *, help_text: StrOrPromise = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, help_text=help_text)


def _flag(label: StrOrPromise, *, initial: bool = True) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, initial=initial)


class ConfigForm(forms.Form):
    def offer(self, name: str, rows: QuerySet[Any], *, blank: StrOrPromise | None = BLANK,
              label: Any = str) -> None:
        """Offer ``rows`` in the field ``name``, plus the value already chosen should it no
        longer be among them (a deactivated row stays where it is used)."""
        items: list[Model] = list(rows)
        current = self.initial.get(name)
        chosen = current if isinstance(current, list | tuple) else [current]
        missing = {pk for pk in chosen if pk} - {item.pk for item in items}
        if missing:
            items += list(rows.model._default_manager.filter(pk__in=missing))
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 (narrowing for mypy)
        field.choices = [*([("", blank)] if blank is not None else []),
                         *((item.pk, label(item)) for item in items)]


def _institutions(form: ConfigForm) -> None:
    form.offer("institution", institutions_allowed(tenant=current_tenant()))


def _active_services() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True).order_by("code")


class ServiceGroupForm(ConfigForm):
    code = _text(_("Cod"), limit=40, required=True)
    name = _text(_("Denumire"), required=True)


class ServiceForm(ConfigForm):
    code = _text(_("Cod"), limit=40, required=True)
    name = _text(_("Denumire"), required=True)
    name_ru = _text(_("Denumire (rusă)"))
    name_en = _text(_("Denumire (engleză)"))
    group = PickField(label=_("Grup de servicii"))
    institution = PickField(label=_("Instituția care prestează serviciul"))
    resolution_hours = _number(_("Termen de soluționare (ore lucrătoare)"),
                               help_text=_("Standardul de prestare; gol dacă nu există."))
    is_active = _flag(_("Activ"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer("group", ServiceGroup.objects.order_by("name"))
        _institutions(self)


class CategoryForm(ConfigForm):
    name = _text(_("Denumire"), required=True)
    parent = PickField(label=_("Categorie părinte"))
    is_active = _flag(_("Activă"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer("parent", Category.objects.filter(is_active=True).order_by("name"))


class PriorityForm(ConfigForm):
    code = _text(_("Cod"), limit=20, required=True)
    name = _text(_("Denumire"), limit=100, required=True)
    rank = _number(_("Rang"), help_text=_("1 este cea mai urgentă."))


class PriorityMatrixForm(ConfigForm):
    """The nine cells of the impact x urgency matrix (1 = high, 3 = low)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for impact in MATRIX_LEVELS:
            for urgency in MATRIX_LEVELS:
                name = matrix_field(impact, urgency)
                self.fields[name] = PickField(label=_("Impact %(impact)s, urgență %(urgency)s")
                                              % {"impact": impact, "urgency": urgency})
                self.offer(name, Priority.objects.order_by("rank"))

    def rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [(impact, [self[matrix_field(impact, urgency)] for urgency in MATRIX_LEVELS])
                for impact in MATRIX_LEVELS]

    def cells(self) -> dict[tuple[int, int], int | None]:
        return {(impact, urgency): self.cleaned_data.get(matrix_field(impact, urgency))
                for impact in MATRIX_LEVELS for urgency in MATRIX_LEVELS}


class TeamForm(ConfigForm):
    name = _text(_("Denumire"), required=True)
    level = PickField(label=_("Nivel"))
    institution = PickField(label=_("Instituție"))
    external_tenant = PickField(label=_("Prestator extern (doar nivelul 3)"))
    is_active = _flag(_("Activă"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        level = self.fields["level"]
        assert isinstance(level, PickField)  # noqa: S101 (narrowing for mypy)
        level.choices = Team.Level.choices
        level.initial = Team.Level.L1
        _institutions(self)
        self.offer("external_tenant", external_tenants_allowed(tenant=current_tenant()))


class TeamMemberForm(ConfigForm):
    user = PickField(label=_("Persoana"))
    on_shift = _flag(_("În tură"), initial=False)

    def __init__(self, *args: Any, candidates: QuerySet[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.fields["user"]
        assert isinstance(user, PickField)  # noqa: S101 (narrowing for mypy)
        # The people with access who may join (``member_candidates``), by their user id.
        user.choices = [("", BLANK), *(
            (membership.user_id,
             f"{membership.user.get_full_name() or membership.user.email} "
             f"({membership.user.email})") for membership in candidates)]


class QueueForm(ConfigForm):
    name = _text(_("Denumire"), required=True)
    team = PickField(label=_("Echipă"))
    auto_assign = _flag(_("Repartizare automată (pe rând, între membrii în tură)"),
                        initial=False)
    is_active = _flag(_("Activă"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer("team", Team.objects.filter(is_active=True).order_by("level", "name"))


class ChannelField(forms.ChoiceField):
    """Offers the ticket channels; any value reaches the service (``unknown_channel``)."""

    def __init__(self, *, blank: StrOrPromise, **kwargs: Any) -> None:
        super().__init__(required=False, choices=[("", blank), *Ticket.Channel.choices],
                         **kwargs)

    def valid_value(self, value: Any) -> bool:
        return True


class RoutingRuleForm(ConfigForm):
    name = _text(_("Denumire"), required=True)
    channel = ChannelField(label=_("Canal"), blank=_("orice canal"))
    service = PickField(label=_("Serviciu"))
    institution = PickField(label=_("Instituție"))
    keywords = KeywordsField(label=_("Cuvinte-cheie"), required=False, help_text=_(
        "Separate prin virgulă; regula se aplică dacă oricare apare în titlu sau descriere "
        "(diacriticele nu contează)."))
    queue = PickField(label=_("Coada de destinație"))
    is_active = _flag(_("Activă"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer("service", _active_services(), blank=_("orice serviciu"))
        self.offer("institution", institutions_allowed(tenant=current_tenant()),
                   blank=_("orice instituție"))
        self.offer("queue", Queue.objects.filter(is_active=True).order_by("name"))


class RoutingTestForm(ConfigForm):
    """A sample request, to see which rule it meets (nothing is stored)."""

    channel = ChannelField(label=_("Canal"), blank=BLANK)
    service = PickField(label=_("Serviciu"))
    institution = PickField(label=_("Instituție"))
    text = forms.CharField(label=_("Titlu și descriere"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, hub: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer("service", _active_services())
        if hub:
            self.offer("institution", institutions_allowed(tenant=current_tenant()))
        else:
            del self.fields["institution"]


class CannedReplyForm(ConfigForm):
    title = _text(_("Titlu"), required=True)
    body = _text(_("Text"), limit=20_000, required=True, rows=6)
    service = PickField(label=_("Serviciu"), help_text=_("Gol: pentru orice serviciu."))
    is_active = _flag(_("Activ"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer("service", _active_services())


class ArticleForm(ConfigForm):
    title = _text(_("Titlu"), required=True)
    body = _text(_("Conținut"), limit=100_000, required=True, rows=12)
    services = PicksField(label=_("Servicii"), widget=forms.SelectMultiple(attrs={"size": 8}))
    is_published = _flag(_("Publicat"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer("services", _active_services(), blank=None)


class TicketSettingsForm(ConfigForm):
    number_prefix = _text(_("Prefixul numărului"), limit=12, required=True, help_text=_(
        "2-12 litere latine mari și cifre. Schimbarea se aplică doar numerelor noi."))
    reopen_days = _number(_("Redeschidere posibilă (zile după soluționare)"))
    close_after_days = _number(_("Închidere automată după soluționare (zile)"))
    archive_after_days = _number(_("Arhivare după închidere (zile)"))


class SlaPolicyForm(ConfigForm):
    priority = PickField(label=_("Prioritate"))
    service = PickField(label=_("Serviciu"), help_text=_("Sau un grup, sau niciunul: "
                                                         "politica generală a priorității."))
    group = PickField(label=_("Grup de servicii"))
    first_response_minutes = WorkingDurationField(label=_("Primul răspuns"))
    resolution_minutes = WorkingDurationField(label=_("Soluționare"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer("priority", Priority.objects.order_by("rank"))
        self.offer("service", _active_services(), blank=_("niciunul"))
        self.offer("group", ServiceGroup.objects.order_by("name"), blank=_("niciunul"))


class ClosedDayForm(ConfigForm):
    day = forms.DateField(label=_("Data"), required=False,
                          input_formats=["%Y-%m-%d", "%d.%m.%Y"],
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = _text(_("Motivul"), required=True)


class BusinessHoursForm(ConfigForm):
    """The week as rows of periods: a weekday may have several (the gaps are breaks)."""

    always_open = _flag(_("Program non-stop (24/7)"), initial=False)
    # xgettext:no-python-format
    warning_percent = _number(_("Avertizare la (% din termenul de soluționare)"))

    def __init__(self, *args: Any, weekly: dict[int, list[Period]], **kwargs: Any) -> None:
        # One empty slot more than the busiest day, and at least three a day.
        self.slots = max(3, *(len(periods) + 1 for periods in weekly.values()), 0)
        initial = kwargs.setdefault("initial", {})
        for weekday, periods in weekly.items():
            for slot, (start, end) in enumerate(periods):
                initial[self._name(weekday, slot, "start")] = start
                initial[self._name(weekday, slot, "end")] = end
        super().__init__(*args, **kwargs)
        for weekday in range(7):
            for slot in range(self.slots):
                for edge, label in (("start", _("de la")), ("end", _("până la"))):
                    self.fields[self._name(weekday, slot, edge)] = forms.TimeField(
                        label=f"{WEEKDAYS[weekday]} {label}", required=False,
                        input_formats=["%H:%M", "%H:%M:%S"],
                        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    @staticmethod
    def _name(weekday: int, slot: int, edge: str) -> str:
        return f"d{weekday}_{slot}_{edge}"

    def days(self) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]]]]:
        return [(str(WEEKDAYS[weekday]),
                 [(self[self._name(weekday, slot, "start")], self[self._name(weekday, slot, "end")])
                  for slot in range(self.slots)]) for weekday in range(7)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for weekday in range(7):
            for slot in range(self.slots):
                start, end = (self._name(weekday, slot, edge) for edge in ("start", "end"))
                if (cleaned.get(start) is None) != (cleaned.get(end) is None):
                    self.add_error(start, _("Completați ambele ore ale intervalului."))
        return cleaned

    def weekly(self) -> dict[int, list[tuple[time, time]]]:
        weekly: dict[int, list[tuple[time, time]]] = {}
        for weekday in range(7):
            for slot in range(self.slots):
                start = self.cleaned_data.get(self._name(weekday, slot, "start"))
                end = self.cleaned_data.get(self._name(weekday, slot, "end"))
                if start is not None and end is not None:
                    weekly.setdefault(weekday, []).append((start, end))
        return weekly

