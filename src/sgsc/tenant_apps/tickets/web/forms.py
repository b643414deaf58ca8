"""Forms of the workspace pages. They check types only: the ticket services judge rights,
states and the values chosen (and audit each refusal), so a forged choice still reaches them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from sgsc.platform.errors import ApplicationError
from sgsc.tenant_apps.tickets.lifecycle import REASON_REQUIRED, TRANSITIONS, Action
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.services import MAX_TEXT, MAX_TITLE
from sgsc.tenant_apps.tickets.web.display import AS_OF_FORMAT, GRADES

Choices = list[tuple[Any, Any]]
MOMENT_FORMAT = "%Y-%m-%dT%H:%M"
GRADE_CHOICES = [(grade, f"{grade} · {label}") for grade, label in GRADES.items()]
REASON_LIMIT = 500
MAX_ID = 2**63 - 1


def _is_id(value: Any) -> bool:
    """A row id: ASCII digits within the database's bigint (beyond it a query would fail)."""
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID


class IdChoiceField(forms.TypedChoiceField):
    """Offers some rows; any id reaches the service, which refuses an unknown one."""

    def __init__(self, *, blank: StrOrPromise | None = None, **kwargs: Any) -> None:
        super().__init__(coerce=int, empty_value=None, **kwargs)
        self.blank = blank
        self.offered: Choices = []

    def set_choices(self, choices: Choices, *, blank: StrOrPromise | None = None) -> None:
        """The rows offered, after the blank choice (``blank`` replaces its label)."""
        self.offered = choices
        self.blank = blank if blank is not None else self.blank
        self.choices = ([("", self.blank)] if self.blank is not None else []) + choices

    def valid_value(self, value: Any) -> bool:
        return _is_id(value)


class IdsField(forms.TypedMultipleChoiceField):
    """Any ids: the tickets are read through the person's access, and judged one by one."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return _is_id(value)


class MomentField(forms.DateTimeField):
    """A ``datetime-local`` input, read in Europe/Chisinau (the platform's time zone)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=MOMENT_FORMAT)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=[MOMENT_FORMAT, AS_OF_FORMAT], **kwargs)


class ServiceForm(forms.Form):
    """A form that shows which service refusal it carries (``data-error-code``)."""

    error_code = ""

    def refuse(self, error: ApplicationError) -> None:
        """The service's message next to the first field it blames, else above the form."""
        self.error_code = error.code
        target = next((name for name in error.fields if name in self.fields), None)
        if target is None and "service" in error.fields and "service_code" in self.fields:
            target = "service_code"
        self.add_error(target, error.message)


def _reason(*, label: StrOrPromise | None = None, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label or _("Motivul"), required=required,
                           max_length=REASON_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": _("Indicați motivul.")})


class _DataFields(ServiceForm):
    """A ticket's registered data (``services.UPDATABLE``)."""

    title = forms.CharField(label=_("Titlu"), max_length=MAX_TITLE,
                            error_messages={"required": _("Indicați titlul solicitării.")})
    subject = forms.CharField(label=_("Subiect"), max_length=MAX_TITLE, required=False)
    description = forms.CharField(label=_("Descriere"), max_length=MAX_TEXT, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    service = IdChoiceField(label=_("Serviciu"), required=False, blank=_("— niciunul —"))
    category = IdChoiceField(label=_("Categorie"), required=False, blank=_("— niciuna —"))
    institution = IdChoiceField(label=_("Instituție"), required=False, blank=_("— niciuna —"))
    impact = forms.TypedChoiceField(label=_("Impact"), choices=GRADE_CHOICES, coerce=int,
                                    initial=2)
    urgency = forms.TypedChoiceField(label=_("Urgență"), choices=GRADE_CHOICES, coerce=int,
                                     initial=2)

    def __init__(self, *args: Any, services: Choices, categories: Choices,
                 institutions: Choices | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choose("service", services)
        self._choose("category", categories)
        if institutions is None:
            del self.fields["institution"]  # not a hub: the service's institution applies
        else:
            self._choose("institution", institutions)

    def _choose(self, name: str, choices: Choices) -> None:
        field = self.fields[name]
        assert isinstance(field, IdChoiceField)  # noqa: S101 (narrowing for mypy)
        field.set_choices(choices)


class TicketEditForm(_DataFields):
    prefix = "edit"
    queue = IdChoiceField(label=_("Coadă"), required=False, blank=_("— neschimbată —"))
    reason = _reason(label=_("Motivul modificării"))

    field_order = ["title", "subject", "description", "service", "category", "institution",
                   "impact", "urgency", "queue", "reason"]

    def __init__(self, *args: Any, ticket: Ticket, queues: Choices, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {
            "title": ticket.title, "subject": ticket.subject,
            "description": ticket.description, "service": ticket.service_id,
            "category": ticket.category_id, "institution": ticket.institution_id,
            "impact": ticket.impact, "urgency": ticket.urgency,
        })
        super().__init__(*args, **kwargs)
        self._choose("queue", queues)

    def changes(self) -> dict[str, Any]:
        """The ``ticket_update`` changes: every field shown (the service keeps only what
        differs); the queue only when one is chosen."""
        data = self.cleaned_data
        changes = {name: data[name] for name in ("title", "subject", "description",
                                                 "impact", "urgency")}
        changes.update(service_id=data["service"], category_id=data["category"])
        if "institution" in self.fields:
            changes["institution_id"] = data["institution"]
        if data["queue"] is not None:
            changes["queue_id"] = data["queue"]
        return changes


class IntakeForm(_DataFields):
    """The phone intake: the caller first, then what they need, in a few keystrokes."""

    phone = forms.CharField(label=_("Telefon"), max_length=32, required=False,
                            widget=forms.TelInput)
    name = forms.CharField(label=_("Nume / denumire"), max_length=255, required=False)
    idnp = forms.CharField(label="IDNP", max_length=13, required=False)
    idno = forms.CharField(label="IDNO", max_length=13, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    channel = forms.ChoiceField(label=_("Canal"), choices=Ticket.Channel.choices,
                                initial=Ticket.Channel.PHONE)
    service_code = forms.CharField(label=_("Serviciu (cod sau denumire)"), max_length=300,
                                   required=False)
    # The call being registered (``?apel=``): the service links them, or refuses.
    call = IdChoiceField(required=False, widget=forms.HiddenInput)

    field_order = ["phone", "name", "idnp", "idno", "email", "channel", "service_code",
                   "title", "description", "subject", "category", "institution", "impact",
                   "urgency"]

    def __init__(self, *args: Any, categories: Choices, institutions: Choices | None,
                 **kwargs: Any) -> None:
        super().__init__(*args, services=[], categories=categories, institutions=institutions,
                         **kwargs)
        del self.fields["service"]  # typed as a code, with the catalogue as suggestions
        self.fields["phone"].widget.attrs.update(autofocus=True, autocomplete="off")
        self.fields["service_code"].widget.attrs.update(list="service-options",
                                                        autocomplete="off")
        self.fields["title"].widget.attrs.update(autocomplete="off")

    def focus(self, name: str) -> None:
        """Start at ``name`` instead of the phone (which a call has filled in already)."""
        self.fields["phone"].widget.attrs.pop("autofocus", None)
        self.fields[name].widget.attrs["autofocus"] = True

    def requester(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ("name", "idnp", "idno", "email",
                                                           "phone")}

    def service_code_value(self) -> str:
        """``CODE · name`` (a picked suggestion) or ``CODE`` typed: the code."""
        typed: str = self.cleaned_data["service_code"].strip()
        return typed.split(" · ", 1)[0].strip()


class ContactLookupForm(forms.Form):
    phone = forms.CharField(required=False, max_length=32)
    idnp = forms.CharField(required=False, max_length=13)
    idno = forms.CharField(required=False, max_length=13)
    email = forms.CharField(required=False, max_length=254)


class ReplyForm(ServiceForm):
    body = forms.CharField(label=_("Mesaj"), max_length=MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           error_messages={"required": _("Scrieți mesajul.")})
    visibility = forms.ChoiceField(
        label=_("Vizibilitate"), widget=forms.RadioSelect, initial="public",
        choices=[("public", _("Răspuns către solicitant (public)")),
                 ("internal", _("Notă internă"))])

    @property
    def public(self) -> bool:
        return bool(self.cleaned_data["visibility"] == "public")


class TransitionForm(ServiceForm):
    """One action of the state machine; escalation adds the level's team and deadline."""

    reason = _reason()
    team = IdChoiceField(label=_("Echipa nivelului"), required=False,
                         blank=_("— fără echipă anume —"))
    due_at = MomentField(label=_("Termenul nivelului (opțional)"), required=False)

    def __init__(self, *args: Any, action: Action, level: int, teams: Choices | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.label = str(TRANSITIONS[action].label)
        if action is Action.ESCALATE:  # always to the next level (the service's rule)
            self.label = str(_("Escaladează la nivelul %(level)d")) % {"level": level + 1}
        reason = self.fields["reason"]
        reason.required = action in REASON_REQUIRED
        if action is Action.RESOLVE:
            reason.label = _("Soluția comunicată solicitantului")
        elif action is Action.WAIT:
            reason.label = _("Ce informații se solicită")
        if action is Action.ESCALATE:
            team = self.fields["team"]
            assert isinstance(team, IdChoiceField)  # noqa: S101 (narrowing for mypy)
            team.set_choices(teams or [])
        else:
            del self.fields["team"], self.fields["due_at"]

    @property
    def has_fields(self) -> bool:
        return self.fields["reason"].required or self.action is Action.ESCALATE


class AssignForm(ServiceForm):
    prefix = "assign"
    assignee = IdChoiceField(label=_("Operator"), required=False, blank=_("— nerepartizată —"))

    def __init__(self, *args: Any, people: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, IdChoiceField)  # noqa: S101 (narrowing for mypy)
        field.set_choices(people)


class DeadlineForm(ServiceForm):
    prefix = "deadline"
    due_at = MomentField(label=_("Termen nou de soluționare"),
                         error_messages={"required": _("Indicați termenul.")})
    reason = _reason(required=True)


class CorrectionForm(_DataFields):
    """Put right what a journal entry registered: blank fields are left as they are."""

    prefix = "correct"

    corrected: dict[str, Any]
    entry = forms.TypedChoiceField(label=_("Înregistrarea corectată"), coerce=int,
                                   error_messages={"required": _("Alegeți înregistrarea.")})
    reason = _reason(required=True)

    field_order = ["entry", "title", "subject", "description", "service", "category",
                   "institution", "impact", "urgency", "reason"]

    def __init__(self, *args: Any, entries: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        entry = self.fields["entry"]
        assert isinstance(entry, forms.TypedChoiceField)  # noqa: S101 (narrowing for mypy)
        entry.choices = [("", _("— alegeți —")), *entries]
        self.fields["title"].required = False
        for name in ("impact", "urgency"):
            grade = self.fields[name]
            assert isinstance(grade, forms.TypedChoiceField)  # noqa: S101 (narrowing for mypy)
            grade.required = False
            grade.initial = None
            grade.empty_value = None
            grade.choices = [("", _("— neschimbat —")), *GRADE_CHOICES]
        for name in ("service", "category", "institution"):
            if name in self.fields:
                field = self.fields[name]
                assert isinstance(field, IdChoiceField)  # noqa: S101 (narrowing for mypy)
                field.set_choices(field.offered, blank=_("— neschimbat —"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        changes: dict[str, Any] = {name: data[name] for name in ("title", "subject",
                                                                  "description")
                                   if data.get(name)}
        changes.update({name: data[name] for name in ("impact", "urgency")
                        if data.get(name) is not None})
        changes.update({f"{name}_id": data[name] for name in ("service", "category",
                                                                "institution")
                        if data.get(name) is not None})
        if not changes and not self.errors:
            raise forms.ValidationError(_("Indicați cel puțin o valoare nouă."))
        self.corrected = changes
        return data


class AsOfForm(forms.Form):
    # To the second: two changes are often less than a minute apart.
    la = MomentField(label=_("Starea la"), required=False,
                     widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1},
                                                format=AS_OF_FORMAT),
                     error_messages={"invalid": _("Data și ora nu sunt valide.")})

    def moment(self) -> datetime | None:
        return self.cleaned_data.get("la") if self.is_valid() else None


class QueueFilterForm(forms.Form):
    """The queue's filters, only to show them: ``queues.TicketFilters.from_query`` reads and
    judges the query (its refusals are shown next to these fields)."""

    q = forms.CharField(label=_("Caută"), required=False, widget=forms.SearchInput)
    status = forms.ChoiceField(label=_("Stare"), required=False)
    priority_id = forms.ChoiceField(label=_("Prioritate"), required=False)
    service_id = forms.ChoiceField(label=_("Serviciu"), required=False)
    category_id = forms.ChoiceField(label=_("Categorie"), required=False)
    institution_id = forms.ChoiceField(label=_("Instituție"), required=False)
    channel = forms.ChoiceField(label=_("Canal"), required=False)
    assignee_id = forms.ChoiceField(label=_("Operator"), required=False)
    team_id = forms.ChoiceField(label=_("Echipă"), required=False)
    level = forms.ChoiceField(label=_("Nivel"), required=False)
    created_from = forms.DateField(label=_("Înregistrate de la"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(label=_("până la"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, choices: dict[str, Choices | None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = _("toate")
        fixed: dict[str, Choices] = {
            "status": list(Ticket.Status.choices), "channel": list(Ticket.Channel.choices),
            "level": [(level, _("Nivelul %(level)d") % {"level": level}) for level in (1, 2, 3)],
        }
        for name, offered in {**fixed, **choices}.items():
            if offered is None:
                del self.fields[name]
                continue
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 (narrowing for mypy)
            field.choices = [("", every), *offered]
        self.fields["q"].widget.attrs.update({
            "placeholder": _("număr, text, IDNP, IDNO, telefon, e-mail"),
            "data-shortcut": "/", "autocomplete": "off"})

    @property
    def narrowed(self) -> bool:
        return any(self.data.get(name) for name in self.fields if name != "q")


class SavedViewForm(ServiceForm):
    name = forms.CharField(label=_("Numele vederii"), max_length=100,
                           error_messages={"required": _("Dați un nume vederii.")})
    shared = forms.BooleanField(label=_("Vizibilă tuturor colegilor"), required=False)


BULK_TAKE = "take"
BULK_ASSIGN = "assign"
BULK_QUEUE = "queue"
BULK_TEAM = "team"
BULK_CLOSE = "close"
BULK_MAX = 100


class BulkForm(ServiceForm):
    """Several tickets at once: each goes through the services on its own."""

    ids = IdsField(label=_("Solicitări"),
                   error_messages={"required": _("Bifați cel puțin o solicitare.")})
    action = forms.ChoiceField(label=_("Acțiune"), error_messages={
        "required": _("Alegeți acțiunea.")})
    assignee = IdChoiceField(label=_("Operator"), required=False, blank=_("— alegeți —"))
    queue = IdChoiceField(label=_("Coadă"), required=False, blank=_("— alegeți —"))
    team = IdChoiceField(label=_("Echipă"), required=False, blank=_("— alegeți —"))

    def __init__(self, *args: Any, supervisor: bool, people: Choices, queues: Choices,
                 teams: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actions = [(BULK_TAKE, _("Preia (atribuie-mi)"))]
        if supervisor:
            actions.append((BULK_ASSIGN, _("Repartizează lui…")))
        actions += [(BULK_QUEUE, _("Mută în coada…")), (BULK_TEAM, _("Mută la echipa…")),
                    (BULK_CLOSE, _("Închide (doar cele soluționate)"))]
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)  # noqa: S101 (narrowing for mypy)
        action.choices = [("", _("— alegeți —")), *actions]
        for name, choices in (("assignee", people), ("queue", queues), ("team", teams)):
            field = self.fields[name]
            assert isinstance(field, IdChoiceField)  # noqa: S101 (narrowing for mypy)
            field.set_choices(choices)
        if not supervisor:
            del self.fields["assignee"]

    def clean_ids(self) -> list[int]:
        ids: list[int] = self.cleaned_data["ids"]
        if len(ids) > BULK_MAX:
            raise forms.ValidationError(_("Cel mult %(max)d solicitări odată.")
                                        % {"max": BULK_MAX})
        return list(dict.fromkeys(ids))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed = {BULK_ASSIGN: "assignee", BULK_QUEUE: "queue", BULK_TEAM: "team"}.get(
            data.get("action", ""))
        if needed and data.get(needed) is None:
            self.add_error(needed, _("Alegeți valoarea pentru această acțiune."))
        return data
